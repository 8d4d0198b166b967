"""Session metrics from the timed transcript: talk time, turns, pauses, latencies, questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from copilot.domain import (
    Gap,
    Monologue,
    Role,
    RoleMetrics,
    Session,
    SessionMetrics,
    Utterance,
)

SILENCE_MIN_S = 3.0  # shared silence worth showing the therapist
PAUSE_MIN_S = 0.5  # a pause inside one speaker's turn

_QUESTION_START = re.compile(
    r"(?:^|[.!?]\s+)(?:what|how|why|when|where|who|which|"
    r"(?:do|does|did|are|is|was|were|have|has|can|could|would|will|should)\s+"
    r"(?:you|it|that|there|he|she|they|we|i|this))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    role: Role
    start: float
    end: float
    text: str
    words: int

    @property
    def duration(self) -> float:
        return self.end - self.start


def turns(utterances: Sequence[Utterance]) -> list[Turn]:
    """Consecutive utterances of one role, in time order, make one turn."""
    out: list[Turn] = []
    for u in sorted(utterances, key=lambda u: u.start):
        count = len(u.text.split())
        if out and out[-1].role == u.role:
            last = out[-1]
            out[-1] = Turn(
                u.role,
                last.start,
                max(last.end, u.end),
                f"{last.text} {u.text}",
                last.words + count,
            )
        else:
            out.append(Turn(u.role, u.start, u.end, u.text, count))
    return out


def union(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total(spans: Sequence[tuple[float, float]]) -> float:
    return sum(end - start for start, end in spans)


def intersection(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    overlap, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        overlap += max(0.0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return overlap


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.search(text.strip()))


def within_turn_pauses(utterances: Sequence[Utterance]) -> int:
    count = 0
    ordered = sorted(utterances, key=lambda u: u.start)
    for prev, cur in pairwise(ordered):
        if prev.role == cur.role and cur.start - prev.end >= PAUSE_MIN_S:
            count += 1
    for u in ordered:
        count += sum(
            1 for a, b in zip(u.words, u.words[1:], strict=False) if b.start - a.end >= PAUSE_MIN_S
        )
    return count


def role_metrics(
    role: Role, utterances: Sequence[Utterance], all_turns: Sequence[Turn], talk_total: float
) -> RoleMetrics:
    mine = [u for u in utterances if u.role == role]
    talk = total(union([(u.start, u.end) for u in mine]))
    words = sum(len(u.text.split()) for u in mine)
    my_turns = [t for t in all_turns if t.role == role]
    latencies = [
        cur.start - prev.end
        for prev, cur in pairwise(all_turns)
        if cur.role == role and prev.role != role
    ]
    return RoleMetrics(
        talk_time_s=round(talk, 2),
        talk_ratio=round(talk / talk_total, 4) if talk_total else 0.0,
        words=words,
        words_per_minute=round(words / talk * 60, 1) if talk > 0 else None,
        utterances=len(mine),
        turns=len(my_turns),
        mean_turn_s=round(sum(t.duration for t in my_turns) / len(my_turns), 2)
        if my_turns
        else None,
        median_response_latency_s=round(median(latencies), 2) if latencies else None,
        responses=len(latencies),
    )


# What a session imported from a transcript cannot measure: no audio, no word times; and with no
# times in the file at all (times estimated from word counts), nothing that rests on times.
WITHOUT_AUDIO = ("prosody", "pauses")
WITHOUT_TIMES = (
    "duration_s", "speech_s", "silence_s", "silence_ratio", "silences", "overlap_s",
    "longest_monologue", "roles.talk_time_s", "roles.talk_ratio", "roles.words_per_minute",
    "roles.mean_turn_s", "roles.median_response_latency_s",
)  # fmt: skip


def unavailable_for(session: Session) -> list[str]:
    if session.imported_from is None:
        return []
    return [*WITHOUT_AUDIO, *(WITHOUT_TIMES if session.times_estimated else ())]


def compute(utterances: Sequence[Utterance], duration_s: float) -> SessionMetrics:
    spans = union([(u.start, u.end) for u in utterances])
    speech = total(spans)
    duration = max(duration_s, spans[-1][1] if spans else 0.0)
    all_turns = turns(utterances)
    roles = sorted({u.role for u in utterances})
    by_role = {r: union([(u.start, u.end) for u in utterances if u.role == r]) for r in roles}
    talk_total = sum(total(s) for s in by_role.values())
    therapist_turns = [t for t in all_turns if t.role == "therapist"]
    longest = max(all_turns, key=lambda t: t.duration, default=None)
    silences = [
        Gap(start=round(a[1], 2), end=round(b[0], 2))
        for a, b in pairwise(spans)
        if b[0] - a[1] >= SILENCE_MIN_S
    ]
    return SessionMetrics(
        duration_s=round(duration, 2),
        speech_s=round(speech, 2),
        silence_s=round(duration - speech, 2),
        silence_ratio=round((duration - speech) / duration, 4) if duration else 0.0,
        silences=silences,
        pauses=within_turn_pauses(utterances),
        overlap_s=round(intersection(by_role.get("therapist", []), by_role.get("client", [])), 2),
        roles={r: role_metrics(r, utterances, all_turns, talk_total) for r in roles},
        turns=len(all_turns),
        longest_monologue=Monologue(
            role=longest.role,
            start=round(longest.start, 2),
            end=round(longest.end, 2),
            duration_s=round(longest.duration, 2),
            words=longest.words,
        )
        if longest
        else None,
        therapist_question_share=round(
            sum(1 for t in therapist_turns if is_question(t.text)) / len(therapist_turns), 4
        )
        if therapist_turns
        else None,
    )
