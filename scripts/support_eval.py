"""Whole conversations read as a session is: does the summary's leading state match the
client's own emotion?

Two sets written for evaluation only, never trained on (`conv_id, emotion, speaker, text`; how
each was made: docs/emotion_labels.md):
- `tests/data/sessions_blind.tsv`: therapy-session transcripts, client and therapist; blind.
- `scripts/emotion_data/support_dev.tsv`: support chats, seeker and supporter; its errors have
  been studied, so it is a development set.
The seeker's turns are the client's, the supporter's the therapist's; `read_utterances` then
`read_states`, exactly as the session summary reads a session.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from copilot.analysis import emotion as rt
from copilot.analysis.states import gather_evidence, read_states
from copilot.domain import EmotionReading, Utterance

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "sessions_blind": ROOT / "tests" / "data" / "sessions_blind.tsv",
    "support_dev": ROOT / "scripts" / "emotion_data" / "support_dev.tsv",
}
# The seeker's labelled emotion, as the therapist states that answer it.
ANSWERS = {
    "sadness": {"sadness", "hopelessness", "emptiness/numbness"},
    "anxiety": {"anxiety/fear"},
    "anger": {"anger/irritation"},
    "shame": {"shame/guilt"},
}
ROLES = {"seeker": "client", "supporter": "therapist", "client": "client", "therapist": "therapist"}


def timed_turns(turns: list[tuple[str, str]]) -> list[Utterance]:
    """(role, text) turns as the product would hold them, each timed by its length in words."""
    out, t = [], 0.0
    for i, (role, text) in enumerate(turns):
        dur = max(1.0, 0.35 * rt.word_count(text))
        out.append(Utterance(seq=i, role=role, start=t, end=t + dur, text=text))  # type: ignore[arg-type]
        t += dur + 0.5
    return out


def read_conversations(path: Path) -> list[tuple[str, list[Utterance]]]:
    """(emotion, turns) per conversation."""
    turns: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            turns[row["conv_id"]].append(row)
    return [
        (rows[0]["emotion"], timed_turns([(ROLES[r["speaker"]], r["text"]) for r in rows]))
        for rows in turns.values()
    ]


def most_evidence(readings: list[EmotionReading], utts: list[Utterance]) -> str | None:
    """The state with the most evidence, however thin or shared (no "unclear"): for attribution."""
    evidence, _ = gather_evidence(readings, {u.seq: u for u in utts})
    return max(evidence, key=lambda k: evidence[k]) if evidence else None


def conversations(model: rt.EmotionModel, path: Path) -> dict[str, Any]:
    """Share of conversations whose leading state answers the client's emotion, overall and per
    emotion; "unclear" and "nothing named" count as misses."""
    hits: Counter[str] = Counter()
    top_hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    unclear = 0
    for emotion, utts in read_conversations(path):
        readings = rt.read_utterances(model, utts)
        state = read_states(readings, utts)
        totals[emotion] += 1
        hits[emotion] += bool(state.leading) and state.leading[0].label in ANSWERS[emotion]
        top_hits[emotion] += most_evidence(readings, utts) in ANSWERS[emotion]
        unclear += state.unclear
    n = sum(totals.values())
    return {
        "conversations": n,
        "leading_matches": round(sum(hits.values()) / n, 4),
        "most_evidence_matches": round(sum(top_hits.values()) / n, 4),
        "unclear_share": round(unclear / n, 4),
        "by_emotion": {e: round(hits[e] / totals[e], 4) for e in sorted(totals)},
    }


def support_conversations(model: rt.EmotionModel) -> dict[str, Any]:
    """Both sets, by name."""
    return {name: conversations(model, path) for name, path in SETS.items()}
