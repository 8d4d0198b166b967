"""The moments of a session a reflection prompt can stand on, each with a verbatim quote."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.domain import KeyMoment, Role, SessionExport, SessionSummary, Utterance

QUOTE_MAX_CHARS = 220
ECHO_MAX_CHARS = 70


@dataclass(frozen=True)
class Moment:
    start: float
    utterance_seq: int | None
    speaker: Role
    quote: str
    truncated: bool
    seen: str = ""


def excerpt(text: str) -> tuple[str, bool]:
    """A verbatim stretch of an utterance: all of it, or its opening cut at a word boundary."""
    text = text.strip()
    if len(text) <= QUOTE_MAX_CHARS:
        return text, False
    cut = text.rfind(" ", 0, QUOTE_MAX_CHARS)
    return text[: cut if cut > 0 else QUOTE_MAX_CHARS].rstrip(" ,;:"), True


def echo(quote: str) -> str:
    """The moment's words inside its question: all of a short quote, else its verbatim opening."""
    if len(quote) <= ECHO_MAX_CHARS:
        return quote
    cut = quote.rfind(" ", 0, ECHO_MAX_CHARS)
    return quote[: cut if cut > 0 else ECHO_MAX_CHARS].rstrip(" ,;:.") + " …"


def utterance_at(by_seq: dict[int, Utterance], seq: int | None) -> Utterance | None:
    return None if seq is None else by_seq.get(seq)


def moment_of(u: Utterance, seen: str = "") -> Moment:
    quote, truncated = excerpt(u.text)
    return Moment(u.start, u.seq, u.role, quote, truncated, seen)


def from_key(k: KeyMoment, by_seq: dict[int, Utterance]) -> Moment | None:
    utt = utterance_at(by_seq, k.utterance_seq)
    if utt is None:
        return None
    if k.kind == "risk" and k.quote and k.quote in utt.text:
        return Moment(k.start, utt.seq, utt.role, k.quote, False, k.observation)
    return moment_of(utt, k.observation)


def ranked_moments(
    summary: SessionSummary | None, export: SessionExport, by_seq: dict[int, Utterance]
) -> list[Moment]:
    """The session's moments, strongest first: the summary's key moments, then the readings."""
    out: list[Moment] = []
    if summary:
        keys = sorted(summary.key_moments, key=lambda k: (-k.confidence, k.start))
        out += [m for k in keys if (m := from_key(k, by_seq)) is not None]
    readings = sorted(export.emotions, key=lambda r: -(abs(r.valence) + r.arousal))
    out += [moment_of(by_seq[r.utterance_seq]) for r in readings if r.utterance_seq in by_seq]
    clients = [u for u in by_seq.values() if u.role == "client"]
    out += [moment_of(u) for u in sorted(clients, key=lambda u: -len(u.text))]
    return out


def reply_to(m: Moment, utterances: list[Utterance]) -> Utterance | None:
    after = [u for u in utterances if u.start >= m.start and u.seq != m.utterance_seq]
    for u in after[:3]:  # the therapist's next turn, if it came before the client went on
        if u.role == "therapist":
            return u
    return None
