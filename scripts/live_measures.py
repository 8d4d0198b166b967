"""What bench_live.py measures from a live session's logged events against a session's reference.

Import with `scripts/` on sys.path. Turns are dicts as make_session.py and make_real_session.py
write them ({role, text, start, end, kind?}); events are the session's events as JSON with the
monotonic time `t` they arrived. `offset` is the session time of the playback's first sample and
`play0` its monotonic time.
"""

from __future__ import annotations

import os
from typing import Any

Turn = dict[str, Any]
Event = dict[str, Any]
MATCH_SLACK_S = 0.5  # a final covers a turn when its middle lies within the turn, this much wider


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_average() -> float:
    """The machine's 1-minute load average: the figures beside it are only as quiet as it was."""
    return round(os.getloadavg()[0], 2)


def covering(turn: Turn, texts: list[dict[str, Any]], offset: float) -> list[dict[str, Any]]:
    """The utterances of the turn's role whose middle lies in the turn (slack either side)."""
    lo, hi = turn["start"] + offset - MATCH_SLACK_S, turn["end"] + offset + MATCH_SLACK_S
    return [
        u for u in texts if u["role"] == turn["role"] and lo <= (u["start"] + u["end"]) / 2 <= hi
    ]


def heard_in(turn: Turn, texts: list[dict[str, Any]], offset: float) -> bool:
    """Whether a word of the turn's role lies in the turn (slack either side): its words were
    heard, perhaps inside an utterance of the same speaker's next or previous turn."""
    lo, hi = turn["start"] + offset - MATCH_SLACK_S, turn["end"] + offset + MATCH_SLACK_S
    return any(
        lo <= (w["start"] + w["end"]) / 2 <= hi
        for u in texts
        if u["role"] == turn["role"]
        for w in u.get("words", [])
    )


def latencies(
    turns: list[Turn],
    events: list[Event],
    play0: float,
    offset: float,
    kinds: tuple[str, ...] = ("utterance",),
) -> tuple[list[tuple[float, float]], list[float], list[Turn], list[Turn]]:
    """(turn end, latency of the text of `kinds` covering it) per turn heard, first-partial
    latencies, the turns no text covers, and the turns whose words were heard inside an
    utterance of the same speaker's neighbouring turn ("Yes." and, 0.4 s later, the rest of the
    answer: one utterance; no latency of their own is taken)."""
    finals = [e for e in events if e["type"] in kinds]
    partials = [e for e in events if e["type"] == "partial" and (e["stable"] or e["unstable"])]
    final_lat, partial_lat, missed, joined = [], [], [], []
    texts = [e["utterance"] | {"t": e["t"]} for e in finals]
    for turn in turns:
        found = covering(turn, texts, offset)
        if not found:
            (joined if heard_in(turn, texts, offset) else missed).append(turn)
            continue
        arrived = max(u["t"] for u in found)
        final_lat.append((turn["end"], arrived - (play0 + turn["end"])))
        lo, hi = turn["start"] + offset - MATCH_SLACK_S, turn["end"] + offset + MATCH_SLACK_S
        first = [e["t"] for e in partials if e["role"] == turn["role"] and lo <= e["start"] <= hi]
        if first and min(first) < arrived:
            partial_lat.append(min(first) - (play0 + turn["start"]))
    return final_lat, partial_lat, missed, joined


def role_wer(turns: list[Turn], heard: list[tuple[str, float, str]]) -> float:
    """Word errors per role, pooled: interleaving both sides by start time would count a long
    utterance that spans the other side's turns as errors of order, not of recognition."""
    from copilot.evaluation import wer

    errors = words = 0.0
    for role in ("therapist", "client"):
        said = " ".join(
            t["text"] for t in sorted(turns, key=lambda t: t["start"]) if t["role"] == role
        )
        text = " ".join(h for r, _s, h in sorted(heard, key=lambda x: x[1]) if r == role)
        n = len(said.split())
        errors += wer(said, text) * n
        words += n
    return errors / words if words else 0.0


def live_speaker_accuracy(
    turns: list[Turn],
    utterances: list[dict[str, Any]],
    offset: float,
    overlaps: list[list[float]],
) -> float:
    """Share of the stored words given the role of the turn they fall in (words inside an
    overlap, where both spoke, are left out)."""
    from copilot.evaluation import speaker_accuracy

    reference = [(t["role"], t["start"] + offset, t["end"] + offset) for t in turns]
    spans = [(lo + offset, hi + offset) for lo, hi in overlaps]
    middles = [(u["role"], (w["start"] + w["end"]) / 2) for u in utterances for w in u["words"]]
    words = [(role, t) for role, t in middles if not any(lo <= t <= hi for lo, hi in spans)]
    return speaker_accuracy(reference, words)


def missed_summary(missed: list[Turn]) -> list[str]:
    """The missed turns in a line each, to read why (short ones, the start, a backchannel)."""
    return [
        f"{t['role']} {t.get('kind', 'turn')} {t['start']:.1f}-{t['end']:.1f}: {t['text'][:40]}"
        for t in missed
    ]
