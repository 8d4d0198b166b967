"""The local session analyser: a SessionSummary built from the per-utterance readings.

Observations with evidence, never diagnoses: every quote is an utterance's own words, every
moment has its time and the model's confidence, and nothing is said about what was not heard.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

from copilot.analysis.states import UNCLEAR, read_states
from copilot.domain import (
    ArcPoint,
    EmotionReading,
    Evidence,
    KeyMoment,
    NeedsMap,
    Provenance,
    SessionExport,
    SessionSummary,
    ThirdsChange,
    Utterance,
)

NEUTRAL = "neutral"
PEAK_MIN = 0.5
SHIFT_MIN_VALENCE = 0.6
CHANGE_MIN = 0.08
MAX_MOMENTS = 8
ARC_POINTS = 12

# A plan counts only when asked for: "I don't have a plan" answers a question about risk.
_TOOLS = re.compile(
    r"\b(what (?:should|can|could|do) i do|how (?:do|can|could|should) i|give me (?:something|"
    r"some|a)|any (?:tips|advice|ideas|strategies|techniques|exercises)|something (?:practical|"
    r"to do|i can do)|(?:need|want|make|give me|come up with) a plan|tell me what to do|tools?|"
    r"techniques?|strategies|exercises?|homework|fix (?:it|this)|steps)\b",
    re.IGNORECASE,
)
_CONNECTION = re.compile(
    r"\b((?:don'?t|do not) (?:need|want) (?:advice|tips|solutions|to be fixed)|just (?:need|want) "
    r"(?:someone|somebody|you) to|listen(?:ed|ing)? to me|(?:get|gets|understand|understands) "
    r"(?:it|me)|be(?:ing)? heard|feel (?:understood|heard|seen)|nobody (?:understands|listens|"
    r"gets it)|no one (?:understands|listens)|on my own|so alone|lonely|talk to someone|"
    r"someone to talk to)\b",
    re.IGNORECASE,
)


class LocalSessionAnalyser:
    name = "local"

    def __init__(self, **_: object) -> None:
        pass

    def summarise(self, export: SessionExport) -> SessionSummary:
        readings = sorted(export.emotions, key=lambda r: r.start)
        by_seq = {u.seq: u for u in export.utterances}
        model = next((r.engine for r in readings), None)
        states = read_states(readings, by_seq)
        summary = SessionSummary(
            provenance=Provenance(engine="local", model=model),
            dominant_states=states.leading,
            states_unclear=states.unclear,
            arc=arc(readings, by_seq, export.metrics.duration_s),
            key_moments=key_moments(readings, by_seq, export),
            change=thirds(readings, export.metrics.duration_s),
            needs_map=needs_map(export.utterances),
        )
        summary.observations = observations(summary)
        return summary


def lead(reading: EmotionReading) -> tuple[str, float]:
    """The leading state; neutral only when nothing else is near it."""
    states = reading.states
    top = states[0]
    if top.label == NEUTRAL and len(states) > 1 and states[1].score >= 0.5 * top.score:
        return states[1].label, states[1].score
    return top.label, top.score


def _mean_scores(readings: Sequence[EmotionReading]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for r in readings:
        for s in r.states:
            sums[s.label] += s.score
    return {k: round(v / len(readings), 3) for k, v in sums.items()} if readings else {}


def arc(
    readings: Sequence[EmotionReading], by_seq: dict[int, Utterance], duration: float
) -> list[ArcPoint]:
    if not readings or duration <= 0:
        return []
    width = duration / ARC_POINTS
    points = []
    for i in range(ARC_POINTS):
        inside = [r for r in readings if i * width <= r.start < (i + 1) * width]
        if not inside:
            continue
        points.append(
            ArcPoint(
                start=round(i * width, 1),
                end=round((i + 1) * width, 1),
                scores=_mean_scores(inside),
                valence=round(sum(r.valence for r in inside) / len(inside), 3),
                arousal=round(sum(r.arousal for r in inside) / len(inside), 3),
            )
        )
    return points


def key_moments(
    readings: Sequence[EmotionReading], by_seq: dict[int, Utterance], export: SessionExport
) -> list[KeyMoment]:
    moments = _peaks(readings, by_seq) + _shifts(readings, by_seq)
    for flag in export.risk_flags:
        moments.append(
            KeyMoment(
                kind="risk",
                start=flag.start,
                utterance_seq=flag.utterance_seq,
                quote=flag.quote,
                state=flag.category.replace("_", " "),
                confidence=1.0,
                observation=f"risk language ({flag.category.replace('_', ' ')}, {flag.severity})"
                + (", negated" if flag.negated else "")
                + (", reported speech" if flag.reported_speech else ""),
            )
        )
    moments = _one_per_utterance(moments)
    moments.sort(key=lambda m: (-m.confidence, m.start))
    return sorted(moments[:MAX_MOMENTS], key=lambda m: m.start)


def _one_per_utterance(moments: list[KeyMoment]) -> list[KeyMoment]:
    """An utterance shown once: its strongest moment (a risk flag first), the others' observations
    added to it."""
    by_utterance: dict[int | str, list[KeyMoment]] = {}
    for m in sorted(moments, key=lambda m: -m.confidence):
        key = m.quote if m.utterance_seq is None else m.utterance_seq
        by_utterance.setdefault(key, []).append(m)
    merged = []
    for group in by_utterance.values():
        notes = list(dict.fromkeys(m.observation for m in group))
        merged.append(group[0].model_copy(update={"observation": "; ".join(notes)}))
    return merged


def _moment(
    kind: Literal["peak", "shift"],
    r: EmotionReading,
    quote: str,
    state: str,
    confidence: float,
    observation: str,
) -> KeyMoment:
    """A key moment at a reading's utterance."""
    return KeyMoment(
        kind=kind,
        start=r.start,
        utterance_seq=r.utterance_seq,
        quote=quote,
        state=state,
        confidence=round(confidence, 3),
        observation=observation,
    )


def _peaks(readings: Sequence[EmotionReading], by_seq: dict[int, Utterance]) -> list[KeyMoment]:
    best: dict[str, tuple[float, EmotionReading]] = {}
    for r in readings:
        label, score = lead(r)
        if label != NEUTRAL and score >= PEAK_MIN and score > best.get(label, (0.0, r))[0]:
            best[label] = (score, r)
    return [
        _moment(
            "peak",
            r,
            by_seq[r.utterance_seq].text,
            label,
            score,
            f"the strongest expression of {label} in the session",
        )
        for label, (score, r) in best.items()
        if r.utterance_seq in by_seq
    ]


def _shifts(readings: Sequence[EmotionReading], by_seq: dict[int, Utterance]) -> list[KeyMoment]:
    out = []
    for prev, cur in pairwise(readings):
        delta = cur.valence - prev.valence
        if abs(delta) < SHIFT_MIN_VALENCE or cur.utterance_seq not in by_seq:
            continue
        before, after = lead(prev)[0], lead(cur)[0]
        direction = "more pleasant" if delta > 0 else "less pleasant"
        confidence = min(1.0, abs(delta) / 2 + 0.5 * lead(cur)[1])
        said = f"a shift from {before} to {after} ({direction})"
        out.append(_moment("shift", cur, by_seq[cur.utterance_seq].text, after, confidence, said))
    return out


def thirds(readings: Sequence[EmotionReading], duration: float) -> ThirdsChange | None:
    if duration <= 0 or not readings:
        return None
    first = _mean_scores([r for r in readings if r.start < duration / 3])
    last = _mean_scores([r for r in readings if r.start >= 2 * duration / 3])
    if not first or not last:
        return None
    notes = []
    for label in sorted(set(first) | set(last)):
        a, b = first.get(label, 0.0), last.get(label, 0.0)
        if label != NEUTRAL and abs(b - a) >= CHANGE_MIN:
            more = "more" if b > a else "less"
            notes.append(
                f"{label} was {more} present in the last third than in the first "
                f"({a:.2f} → {b:.2f})"
            )
    return ThirdsChange(first=first, last=last, observations=notes)


def needs_map(utterances: Sequence[Utterance]) -> NeedsMap:
    tools: list[Evidence] = []
    connection: list[Evidence] = []
    for u in utterances:
        if u.role != "client":
            continue
        if _CONNECTION.search(u.text):
            connection.append(Evidence(quote=u.text, start=u.start, utterance_seq=u.seq))
        elif _TOOLS.search(u.text):
            tools.append(Evidence(quote=u.text, start=u.start, utterance_seq=u.seq))
    n = len(tools) + len(connection)
    position = round((len(connection) - len(tools)) / n, 3) if n else None
    return NeedsMap(position=position, tools=tools, connection=connection)


def observations(summary: SessionSummary) -> list[str]:
    out = []
    leading = [s for s in summary.dominant_states if s.label != NEUTRAL][:3]
    if leading:
        parts = ", ".join(f"{s.label} ({s.share:.0%})" for s in leading)
        out.append(
            f"States that led the client's talk, by share of what their words expressed: {parts}."
        )
    elif summary.states_unclear:
        out.append(
            f"The client's emotional states read as {UNCLEAR}: no state held a clear share of "
            "what their words expressed."
        )
    if summary.change:
        out.extend(o[0].upper() + o[1:] + "." for o in summary.change.observations[:3])
    needs = summary.needs_map
    if needs and needs.position is not None:
        side = (
            "seeking connection / being heard"
            if needs.position > 0.2
            else "seeking practical tools"
            if needs.position < -0.2
            else "both practical tools and connection"
        )
        out.append(
            f"The client's requests leaned toward {side} "
            f"({len(needs.tools)} tool-seeking, {len(needs.connection)} connection-seeking)."
        )
    return out
