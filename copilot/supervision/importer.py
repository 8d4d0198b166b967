"""Importing a transcript file as a session: roles, times, storage and the full text analysis.

Roles: `therapist` names the therapist's speaker; without it the rule of the mono path applies
(the speaker whose lines most often ask a question is the therapist), stated in the session and
swappable in the review. Every other speaker is the client, shown under the client's pseudonym:
the names in the file are not shown, but are kept as names to redact whenever anything of this
session leaves the computer (a share bundle, a redacted export, Claude).

A file without times gets times estimated from word counts (150 words a minute), and the
measures that need real times are marked not available; so are those that need audio or word
times (prosody, pauses inside a turn) for every import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from copilot.analysis.run import Analysed, analyse_session
from copilot.domain import Consent, Role, Session, Utterance
from copilot.errors import InputFileError
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision.parsers import Cue, ParsedTranscript, parse_file

ENGINE = "transcript-import"
WORDS_PER_S = 2.5  # for files without times: 150 words a minute
GAP_S = 0.6
FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SRT", "txt": "plain-text", "docx": "DOCX"}


@dataclass
class ImportOptions:
    therapist: str | None = None
    client_label: str = "Client"
    format: str | None = None
    names: list[str] = field(default_factory=list)
    analyser: str = "local"
    consent: Consent | None = None


def choose_therapist(parsed: ParsedTranscript, therapist: str | None) -> tuple[str, str]:
    """The therapist's speaker name and the rule that chose it, in words."""
    speakers = parsed.speakers()
    if len(speakers) < 2:
        raise InputFileError(
            f"the transcript has one speaker only ({speakers[0]}): a session needs the therapist "
            "and the client"
        )
    if therapist:
        found = [s for s in speakers if s.casefold() == therapist.strip().casefold()]
        if not found:
            raise InputFileError(
                f"--therapist {therapist!r} is not a speaker in the file; speakers: "
                + ", ".join(speakers)
            )
        return found[0], f"therapist = {found[0]!r}, as given"
    share = {s: _question_share(parsed.cues, s) for s in speakers}
    chosen = max(speakers, key=lambda s: share[s])  # ties: the first to speak
    return chosen, (
        f"therapist = {chosen!r}, the speaker whose lines most often ask a question "
        f"({share[chosen]:.0%} of theirs); swap the speakers if that is wrong"
    )


def _question_share(cues: list[Cue], speaker: str) -> float:
    mine = [c for c in cues if c.speaker == speaker]
    return sum(c.text.rstrip().endswith("?") for c in mine) / len(mine) if mine else 0.0


def to_utterances(parsed: ParsedTranscript, therapist: str, client_label: str) -> list[Utterance]:
    clients = [s for s in parsed.speakers() if s != therapist]
    shown = {
        s: client_label if len(clients) == 1 else f"{client_label} ({i})"
        for i, s in enumerate(clients, 1)
    }
    out: list[Utterance] = []
    clock = 0.0
    for seq, cue in enumerate(parsed.cues):
        role: Role = (
            "therapist" if cue.speaker == therapist else "client" if cue.speaker else "unknown"
        )
        start, end = _times(cue, parsed, seq, clock)
        clock = end + GAP_S
        out.append(
            Utterance(
                seq=seq,
                role=role,
                start=round(start, 3),
                end=round(end, 3),
                text=cue.text,
                speaker=shown.get(cue.speaker or "") if role == "client" else None,
            )
        )
    return out


def _times(cue: Cue, parsed: ParsedTranscript, i: int, clock: float) -> tuple[float, float]:
    said = max(1.0, len(cue.text.split()) / WORDS_PER_S)
    if not parsed.timed:
        return clock, clock + said
    start = float(cue.start or 0.0)
    if cue.end is not None and cue.end > start:
        return start, cue.end
    following = [c.start for c in parsed.cues[i + 1 :] if c.start is not None and c.start > start]
    return start, min(start + said, following[0]) if following else start + said


def import_file(
    path: Path,
    options: ImportOptions,
    store: SessionStore,
    settings: Settings,
    new_id: str | None = None,
) -> Analysed:
    """Parse, store and analyse; a failure anywhere leaves nothing stored."""
    from copilot.pipeline import new_session_id

    parsed = parse_file(path, options.format)  # a bad file fails before any write
    therapist, rule = choose_therapist(parsed, options.therapist)
    utterances = to_utterances(parsed, therapist, options.client_label)
    kind = FORMAT_NAMES[parsed.format]
    session = Session(
        id=new_id or new_session_id(),
        client_label=options.client_label,
        source="file",
        source_name=path.name,
        model=ENGINE,
        diarization=f"imported from a {kind} transcript: {rule}",
        duration_s=round(max(u.end for u in utterances), 2),
        imported_from=parsed.format,
        times_estimated=not parsed.timed,
        consent=options.consent,
    )
    store.create(session)
    try:
        store.transcript.append(session.id, utterances)
        names = [*parsed.speakers(), *options.names]
        SupervisionStore(store).add_redaction_names(session.id, names)
        return analyse_session(store, session.id, None, options.analyser, names, settings=settings)
    except BaseException:
        store.delete(session.id)
        raise
