"""From Claude's answers to one `SessionSummary`: placeholders restored, every quote checked word
for word against the transcript (one that is not there is dropped and counted, and a claim left
without evidence goes with it), the windows' answers merged in time order.

The summary keeps what the local analyser measured and Claude does not (the arc, the change
between thirds, the tools/connection map, the local key moments) and adds Claude's reading. The
client's states are Claude's when it gave any with verified quotes; a state's share is the share
of the client's talk time in the utterances quoted for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from copilot.analysis.claude_plan import (
    Quote,
    Window,
    WireMoment,
    WireSummary,
    parse_clock,
)
from copilot.analysis.redaction import Redaction
from copilot.domain import (
    AllianceCue,
    Evidence,
    KeyMoment,
    Provenance,
    SessionExport,
    SessionSummary,
    StateShare,
    Theme,
    Utterance,
)
from copilot.timefmt import clock

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_EDGES = " \t\n\"'.,;:!?…-"


def _normalised(text: str) -> tuple[str, list[int]]:
    """Lower-cased, quotes and dashes unified, whitespace collapsed; with each character's
    index in the original, so a match can be cut from the original words."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
        where.append(i)
    return "".join(out), where


@dataclass
class Verifier:
    """Finds each quote in the transcript; what is not there is counted and left out."""

    utterances: Sequence[Utterance]
    redaction: Redaction
    dropped: int = 0
    _index: list[tuple[Utterance, str, list[int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index = [(u, *_normalised(u.text)) for u in self.utterances]

    def evidence(self, quote: Quote, client_only: bool = False, note: str = "") -> Evidence | None:
        wanted = self.redaction.restore(quote.quote).translate(_FOLD).strip(_EDGES)
        needle, _ = _normalised(wanted)
        at = parse_clock(quote.at)
        found: list[tuple[float, Utterance, str]] = []
        for u, text, where in self._index:
            if needle and (u.role == "client" or not client_only):
                pos = text.find(needle)
                if pos >= 0:
                    words = u.text[where[pos] : where[pos + len(needle) - 1] + 1]
                    found.append((abs(u.start - at) if at is not None else 0.0, u, words))
        if not found:
            self.dropped += 1
            return None
        # The same words can occur in several lines: take the one nearest the time given.
        _, u, words = min(found, key=lambda f: (f[0], f[1].start))
        return Evidence(quote=words, start=u.start, utterance_seq=u.seq, note=note)

    def all(self, quotes: Sequence[Quote], client_only: bool = False) -> list[Evidence]:
        found = (self.evidence(q, client_only) for q in quotes)
        return [e for e in found if e is not None]


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int | None, str]] = set()
    out = []
    for e in sorted(items, key=lambda e: e.start):
        if (e.utterance_seq, e.quote) not in seen:
            seen.add((e.utterance_seq, e.quote))
            out.append(e)
    return out


def _states(parts: list[WireSummary], check: Verifier, export: SessionExport) -> list[StateShare]:
    quoted: dict[str, dict[int, Utterance]] = {}
    labels: dict[str, str] = {}
    quotes: dict[str, list[Evidence]] = {}
    by_seq = {u.seq: u for u in export.utterances}
    for part in parts:
        for state in part.dominant_states:
            key = state.label.strip().casefold()
            for e in check.all(state.evidence, client_only=True):
                labels.setdefault(key, check.redaction.restore(state.label.strip()))
                quotes.setdefault(key, []).append(e)
                if e.utterance_seq is not None:
                    quoted.setdefault(key, {})[e.utterance_seq] = by_seq[e.utterance_seq]
    client_time = sum(u.duration for u in export.utterances if u.role == "client") or 1.0
    shares = [
        StateShare(
            label=labels[key],
            share=round(min(1.0, sum(u.duration for u in utts.values()) / client_time), 3),
            utterances=len(utts),
            quotes=_dedupe(quotes[key])[:2],
        )
        for key, utts in quoted.items()
    ]
    return sorted(shares, key=lambda s: -s.share)


def _themes(parts: list[WireSummary], check: Verifier) -> list[Theme]:
    merged: dict[str, Theme] = {}
    for part in parts:
        for t in part.themes:
            evidence = check.all(t.evidence)
            if not evidence:
                continue
            key = t.name.strip().casefold()
            name = check.redaction.restore(t.name.strip())
            theme = merged.setdefault(key, Theme(name=name, evidence=[]))
            theme.evidence = _dedupe(theme.evidence + evidence)
    return list(merged.values())


def _moment(m: WireMoment, check: Verifier) -> KeyMoment | None:
    e = check.evidence(m.evidence)
    if e is None:
        return None
    return KeyMoment(
        kind=m.kind,
        start=e.start,
        utterance_seq=e.utterance_seq,
        quote=e.quote,
        state=check.redaction.restore(m.state),
        confidence=round(min(1.0, max(0.0, m.confidence)), 3),
        observation=check.redaction.restore(m.observation),
    )


def _alliance(parts: list[WireSummary], check: Verifier) -> list[AllianceCue]:
    cues = []
    for p in parts:
        for cue in p.alliance:
            e = check.evidence(cue.evidence)
            if e is not None:
                observation = check.redaction.restore(cue.observation)
                cues.append(AllianceCue(aspect=cue.aspect, evidence=e, observation=observation))
    return sorted(cues, key=lambda c: c.evidence.start)


def _narrative(parts: list[WireSummary], windows: list[Window], redaction: Redaction) -> str:
    if len(parts) == 1:
        return redaction.restore(parts[0].narrative.strip())
    return "\n".join(
        f"[{clock(w.start, pad=True)}–{clock(w.end, pad=True)}] "
        f"{redaction.restore(p.narrative.strip())}"
        for p, w in zip(parts, windows, strict=True)
        if p.narrative.strip()
    )


def merge(
    parts: list[WireSummary],
    windows: list[Window],
    export: SessionExport,
    redaction: Redaction,
    base: SessionSummary,
    provenance: Provenance,
) -> SessionSummary:
    """One summary from the windows' answers, every quote verified, on top of the local one."""
    check = Verifier(export.utterances, redaction)
    restore = redaction.restore
    needs = [
        check.evidence(n.evidence, True, f"{restore(n.need)} (leans towards {n.leaning})")
        for p in parts
        for n in p.expressed_needs
    ]
    unsaid = [
        check.evidence(u.evidence, True, restore(u.observation))
        for p in parts
        for u in p.possibly_unsaid
    ]
    alliance = _alliance(parts, check)
    moments = [m for p in parts for wm in p.key_moments if (m := _moment(wm, check)) is not None]
    states = _states(parts, check, export)
    themes = _themes(parts, check)
    return base.model_copy(
        update={
            "provenance": provenance,
            "dominant_states": states or base.dominant_states,
            "key_moments": sorted([*base.key_moments, *moments], key=lambda m: m.start),
            "observations": [
                *base.observations,
                *(restore(o) for p in parts for o in p.observations),
            ],
            "narrative": _narrative(parts, windows, redaction) or None,
            "themes": themes,
            "expressed_needs": _dedupe([e for e in needs if e is not None]),
            "alliance": alliance,
            "possibly_unsaid": _dedupe([e for e in unsaid if e is not None]),
            "dropped_quotes": check.dropped,
        }
    )
