"""The client's leading states over a stretch of talk: evidence from scores, not a vote."""

from __future__ import annotations

from copilot.analysis.states import UNCLEAR, read_states
from copilot.domain import EmotionReading, StateScore, Utterance


def utt(seq: int, text: str, role: str = "client") -> Utterance:
    return Utterance(seq=seq, role=role, start=seq * 6.0, end=seq * 6.0 + 4, text=text)  # type: ignore[arg-type]


def reading(u: Utterance, in_context: bool = False, **scores: float) -> EmotionReading:
    ordered = sorted(scores.items(), key=lambda kv: -kv[1])
    return EmotionReading(
        utterance_seq=u.seq,
        start=u.start,
        states=[StateScore(label=k.replace("_", "/"), score=v) for k, v in ordered],
        valence=0.0,
        arousal=0.3,
        in_context=in_context,
    )


SMALL_TALK = [
    utt(0, "The traffic on the ring road was fine this morning, no problem at all."),
    utt(1, "I had a coffee at the station on the way here, as I usually do."),
    utt(2, "We are painting the kitchen this weekend, a pale green I think."),
    utt(3, "My brother is visiting on Sunday with the kids and the dog."),
]
SAD = [
    utt(4, "I still cannot believe she is gone, I miss her every single day."),
    utt(5, "The house is so quiet now and I cry when I see her coat by the door."),
]


def test_small_talk_alone_names_no_state_and_claims_nothing() -> None:
    readings = [reading(u, neutral=0.8, joy_relief=0.3, confusion=0.2) for u in SMALL_TALK]
    found = read_states(readings, SMALL_TALK)
    assert found.leading == [] and not found.unclear and found.headline is None
    assert found.turns == 4


def test_neutral_small_talk_does_not_swamp_a_state() -> None:
    talk = SMALL_TALK * 3 + SAD  # twelve neutral turns around two sad ones
    readings = [reading(u, neutral=0.85, joy_relief=0.3) for u in talk[:-2]]
    readings += [reading(u, sadness=0.8, neutral=0.3) for u in SAD]
    found = read_states(readings, talk)
    assert [s.label for s in found.leading] == ["sadness"]
    assert found.headline == "sadness" and found.leading[0].utterances == 2


def test_evidence_counts_second_states_that_a_vote_would_drop() -> None:
    """Each turn's top label is anger by a hair; anxiety is strong in every turn. A vote of top
    labels says anger alone; the accumulated scores show both, anxiety close behind."""
    talk = [
        utt(i, f"Turn {i}: he shouted again and I was shaking all night long.") for i in range(4)
    ]
    readings = [reading(u, anger_irritation=0.62, anxiety_fear=0.6) for u in talk]
    found = read_states(readings, talk)
    assert [s.label for s in found.leading] == ["anger/irritation", "anxiety/fear"]
    assert abs(found.leading[0].share - found.leading[1].share) < 0.05


def test_quotes_are_verbatim_and_the_strongest_first() -> None:
    readings = [
        reading(SAD[0], sadness=0.7),
        reading(SAD[1], sadness=0.9),
        reading(utt(6, "Yeah."), in_context=True, sadness=0.95),
    ]
    talk = [*SAD, utt(6, "Yeah.")]
    found = read_states(readings, talk)
    quotes = found.leading[0].quotes
    assert [q.utterance_seq for q in quotes] == [5, 4]  # a bare "Yeah." is not shown as evidence
    texts = {u.seq: u.text for u in talk}
    assert all(q.quote == texts[q.utterance_seq] for q in quotes)


def test_evidence_spread_over_many_states_is_mixed_or_unclear() -> None:
    talk = [
        utt(i, f"Turn {i} says a few different things about the week and the job.")
        for i in range(5)
    ]
    labels = ["sadness", "anger_irritation", "joy_relief", "anxiety_fear", "confusion"]
    readings = [reading(u, **{lab: 0.55}) for u, lab in zip(talk, labels, strict=True)]
    found = read_states(readings, talk)
    assert found.unclear and found.leading == [] and found.headline == UNCLEAR


def test_one_faint_state_ahead_is_thin_not_mixed() -> None:
    """One turn a little sad and one a little glad, among small talk: too little to name a state,
    and nothing mixed about it. Just over the evidence a state needs, sadness leads."""
    talk = SMALL_TALK + SAD[:1]
    faint = [reading(u, neutral=0.8) for u in SMALL_TALK[:-1]]
    faint += [reading(SMALL_TALK[-1], joy_relief=0.45), reading(SAD[0], sadness=0.58)]
    found = read_states(faint, talk)
    assert found.leading == [] and not found.unclear and found.headline is None
    clearer = [*faint[:-1], reading(SAD[0], sadness=0.66)]
    assert [s.label for s in read_states(clearer, talk).leading] == ["sadness"]


def test_weak_scores_never_name_a_state() -> None:
    """Scores that rise above the floor but never reach "present" are not a leading state."""
    talk = [
        utt(i, f"Turn {i} about the week, the job, the family and the weekend plans.")
        for i in range(6)
    ]
    readings = [reading(u, sadness=0.48, neutral=0.5) for u in talk]
    found = read_states(readings, talk)
    assert found.leading == [] and found.unclear


def test_one_state_clearly_ahead_of_several_small_ones_leads() -> None:
    """Sadness holds under a quarter of the evidence but twice any other state's: it leads."""
    talk = [
        utt(i, f"Turn {i} is about the week at work, the family and the house.") for i in range(8)
    ]
    small = ["anger_irritation", "joy_relief", "anxiety_fear", "confusion", "shame_guilt",
             "gratitude_warmth"]  # fmt: skip
    readings = [reading(talk[0], sadness=0.8)]
    readings += [reading(u, **{lab: 0.6}) for u, lab in zip(talk[1:], small, strict=False)]
    found = read_states(readings, talk)
    assert found.leading[0].label == "sadness" and found.leading[0].share < 0.25
    assert not found.unclear


def test_short_clear_turns_add_up_to_a_state() -> None:
    """Two short plain statements of anger are evidence enough; "yeah"s read in context are not."""
    talk = [utt(0, "I'm so angry today."), utt(1, "He lied to me.")]
    found = read_states([reading(u, anger_irritation=0.7) for u in talk], talk)
    assert [s.label for s in found.leading] == ["anger/irritation"]
    yeah = [utt(i, "Yeah.") for i in range(3)]
    found = read_states([reading(u, in_context=True, anger_irritation=0.8) for u in yeah], yeah)
    assert found.leading == []


def test_hopeless_and_numb_talk_counts_with_sadness_for_the_lead() -> None:
    """Low mood read as three facets would split its evidence three ways and lose to anger; the
    facets count with sadness in deciding what stands out, and are still states of their own."""
    talk = [
        utt(i, f"Turn {i} is about the week at work, the family and the house.") for i in range(6)
    ]
    readings = [
        reading(talk[0], sadness=0.7),
        reading(talk[1], hopelessness=0.7),
        reading(talk[2], emptiness_numbness=0.7),
        reading(talk[3], anger_irritation=0.7),
        reading(talk[4], anger_irritation=0.6),
        reading(talk[5], joy_relief=0.6),
    ]
    found = read_states(readings, talk)
    assert found.leading[0].label == "sadness" and not found.unclear
    assert found.leading[0].share > 0.4 and found.leading[0].utterances == 1
    assert [s.label for s in found.leading] == ["sadness", "anger/irritation", "hopelessness"]
    # Without its facets, the one sad turn is outweighed by the two angry ones.
    alone = read_states([readings[0], *readings[3:]], talk)
    assert alone.leading[0].label == "anger/irritation"
