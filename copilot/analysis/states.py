"""The client's leading states over a stretch of talk, from evidence accumulated over their words.

One function, `read_states`, serves the session summary, the live "client now" view and the
dialogue-level evaluation, so all three say the same thing about the same words.

Why scores and not a vote of each turn's top label: a turn that reads 0.55 sadness and 0.50 anxiety
is evidence for both, and a vote throws the second away; and neutral small talk ("yeah, the
traffic was fine") outvotes everything in a vote while saying nothing about the client's state.
Here each turn adds, for every non-neutral state, how far its score rises above FLOOR, weighted by
how much the turn says: the square root of its words against a full sentence, capped ("I'm so
angry with him" says its feeling as plainly as a sentence twice as long). Neutral adds nothing,
so small talk cannot swamp a state; it simply adds no evidence.

A state leads when it has gathered enough evidence (MIN_EVIDENCE, about one clear full sentence),
was clearly expressed at least once (a turn scoring >= PRESENT) and either holds a fair share of
all the emotional evidence or has LEAD_MARGIN times the evidence of the next state (one state
clearly ahead of several small ones still leads). When there is emotional evidence but no state
holds a clear share or lead, or the state ahead was never clearly expressed, the reading is
"mixed / unclear" and names no state. A state ahead with too little evidence names nothing and
claims nothing, as little evidence in all does: a faint sadness beside a fainter joy is not
"mixed". The constants were set by reasoning about the score scale (0.5 = where the model calls
a label present) and checked on conversations written for the tests, never on the evaluation data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from copilot.analysis.emotion import word_count
from copilot.domain import EmotionReading, Evidence, StateReading, StateShare, Utterance

NEUTRAL = "neutral"
UNCLEAR = "mixed / unclear"
FLOOR = 0.35  # below this a state's score is no evidence (0.5 = the model calls it present)
PRESENT = 0.5
MIN_EVIDENCE = 0.45  # evidence units for a state to lead: one full sentence scoring ~0.65
LEAD_SHARE = 0.25  # the first state's share of all emotional evidence: below it, spread thin
LEAD_MARGIN = 1.5  # ... unless it has this many times the evidence of the state after it
ALSO_SHARE = 0.15  # a further leading state's share
MAX_LEADING = 3
QUOTES = 2
WORDS_FULL = 10  # a turn of this many words counts fully; shorter ones less, longer ones capped
MAX_WEIGHT = 1.5
IN_CONTEXT = 0.5  # a short turn read with its neighbours borrows their evidence: count it less
# Facets of low mood: the cue states are read from sadness's own labels and the client's words
# ("no point", "numb"), so in deciding which state stands out they count with sadness, as one
# low mood rather than three rivals that split its evidence; each is still shown on its own.
FACETS: dict[str, tuple[str, ...]] = {"sadness": ("hopelessness", "emptiness/numbness")}


def weight(reading: EmotionReading, utterance: Utterance | None) -> float:
    words = word_count(utterance.text) if utterance else WORDS_FULL
    w = min(MAX_WEIGHT, math.sqrt(max(words, 1) / WORDS_FULL))
    return w * (IN_CONTEXT if reading.in_context else 1.0)


def _excess(score: float) -> float:
    return max(0.0, score - FLOOR) / (1.0 - FLOOR)


def gather_evidence(
    readings: Sequence[EmotionReading], by_seq: dict[int, Utterance]
) -> tuple[dict[str, float], dict[str, list[tuple[float, EmotionReading]]]]:
    """Each non-neutral state's evidence over these readings, and the turns that expressed it
    clearly (score >= PRESENT), with their scores."""
    evidence: dict[str, float] = {}
    present: dict[str, list[tuple[float, EmotionReading]]] = {}
    for r in readings:
        w = weight(r, by_seq.get(r.utterance_seq))
        for s in r.states:
            if s.label == NEUTRAL or s.score <= FLOOR:
                continue
            evidence[s.label] = evidence.get(s.label, 0.0) + w * _excess(s.score)
            if s.score >= PRESENT:
                present.setdefault(s.label, []).append((s.score, r))
    return evidence, present


def read_states(
    readings: Sequence[EmotionReading], utterances: Sequence[Utterance] | dict[int, Utterance]
) -> StateReading:
    """The leading states of these readings (a session, or the last few turns for "now")."""
    by_seq = utterances if isinstance(utterances, dict) else {u.seq: u for u in utterances}
    evidence, present = gather_evidence(readings, by_seq)
    total = sum(evidence.values())
    reading = StateReading(evidence=round(total, 3), turns=len(readings))
    if total < MIN_EVIDENCE:
        return reading  # nothing stood out: no state named, nothing claimed absent
    standing = {
        k: v + sum(evidence.get(f, 0.0) for f in FACETS.get(k, ())) for k, v in evidence.items()
    }
    ranked = sorted(standing, key=lambda k: -standing[k])
    for rank, label in enumerate(ranked[:MAX_LEADING]):
        share = standing[label] / total
        if not _clear(rank, share, label, standing, ranked):
            break
        if standing[label] < MIN_EVIDENCE:
            if rank == 0:  # one state ahead, but thin: as when there is little evidence at all
                return reading
            break
        if label not in present:
            break
        reading.leading.append(
            StateShare(
                label=label,
                evidence=round(standing[label], 3),
                share=round(share, 3),
                utterances=len(present[label]),
                quotes=_quotes(present[label], by_seq),
            )
        )
    reading.unclear = not reading.leading
    reading.headline = UNCLEAR if reading.unclear else " · ".join(s.label for s in reading.leading)
    return reading


def _clear(
    rank: int, share: float, label: str, standing: dict[str, float], ranked: list[str]
) -> bool:
    if rank > 0:
        return share >= ALSO_SHARE
    rivals = [k for k in ranked[1:] if k not in FACETS.get(label, ())]
    runner_up = standing[rivals[0]] if rivals else 0.0
    return share >= LEAD_SHARE or standing[label] >= LEAD_MARGIN * runner_up


def _quotes(
    hits: list[tuple[float, EmotionReading]], by_seq: dict[int, Utterance]
) -> list[Evidence]:
    """The strongest turns for a state, in the client's own words; a short turn read through its
    neighbours ranks after turns that carry the state alone."""
    ranked = sorted(hits, key=lambda h: (h[1].in_context, -h[0], h[1].start))
    out = []
    for score, r in ranked:
        utt = by_seq.get(r.utterance_seq)
        if utt is None or not utt.text.strip():
            continue
        out.append(
            Evidence(quote=utt.text, start=utt.start, utterance_seq=utt.seq, note=f"{score:.2f}")
        )
        if len(out) == QUOTES:
            break
    return out
