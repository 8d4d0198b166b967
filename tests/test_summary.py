"""The local session summary: observations with evidence, verbatim quotes, no claim of absence."""

from __future__ import annotations

import re

from copilot.analysis.metrics import compute
from copilot.analysis.summary import LocalSessionAnalyser, needs_map
from copilot.domain import (
    EmotionReading,
    RiskFlag,
    Session,
    SessionExport,
    SessionSummary,
    StateScore,
    Utterance,
)


def utt(seq: int, role: str, start: float, text: str) -> Utterance:
    return Utterance(seq=seq, role=role, start=start, end=start + 4.0, text=text)  # type: ignore[arg-type]


def reading(u: Utterance, states: dict[str, float], valence: float) -> EmotionReading:
    ordered = sorted(states.items(), key=lambda kv: -kv[1])
    return EmotionReading(
        utterance_seq=u.seq,
        start=u.start,
        states=[StateScore(label=k, score=v) for k, v in ordered],
        valence=valence,
        arousal=0.5,
    )


TALK = [
    utt(0, "therapist", 0, "How have things been?"),
    utt(1, "client", 5, "Honestly I feel so low, nothing seems worth it."),
    utt(2, "therapist", 10, "That sounds really hard."),
    utt(3, "client", 15, "What should I do about the sleep? Give me something practical."),
    utt(4, "client", 60, "I worry all the time that I will lose my job."),
    utt(5, "client", 100, "I don't need advice, I just need someone to get it."),
    utt(6, "client", 140, "Talking today helped a bit, I feel lighter."),
]
READINGS = [
    reading(TALK[1], {"sadness": 0.8, "neutral": 0.1}, -0.8),
    reading(TALK[3], {"neutral": 0.5, "anxiety/fear": 0.3}, -0.2),
    reading(TALK[4], {"anxiety/fear": 0.7, "sadness": 0.2}, -0.6),
    reading(TALK[5], {"sadness": 0.4, "anger/irritation": 0.3}, -0.5),
    reading(TALK[6], {"joy/relief": 0.75, "neutral": 0.2}, 0.6),
]


def export() -> SessionExport:
    flag = RiskFlag(
        utterance_seq=1,
        role="client",
        start=5,
        end=9,
        category="suicidal_ideation",
        severity="moderate",
        quote="nothing seems worth it",
        rule="t",
    )
    return SessionExport(
        session=Session(id="s", client_label="C"),
        utterances=TALK,
        metrics=compute(TALK, 150.0),
        emotions=READINGS,
        risk_flags=[flag],
    )


def test_every_quote_in_the_summary_is_verbatim_from_the_transcript() -> None:
    summary = LocalSessionAnalyser().summarise(export())
    texts = [u.text for u in TALK]
    quotes = [m.quote for m in summary.key_moments]
    assert summary.needs_map is not None
    quotes += [e.quote for e in summary.needs_map.tools + summary.needs_map.connection]
    assert quotes
    for quote in quotes:
        assert any(quote in text for text in texts), quote


def test_peaks_shifts_arc_and_thirds() -> None:
    summary = LocalSessionAnalyser().summarise(export())
    seqs = [m.utterance_seq for m in summary.key_moments]
    assert len(seqs) == len(set(seqs)), "a quote is shown once"
    lighter = next(m for m in summary.key_moments if m.utterance_seq == 6)
    assert (lighter.kind, lighter.state) == ("shift", "joy/relief")  # the stronger of the two
    assert "a shift from sadness to joy/relief" in lighter.observation
    assert "the strongest expression of joy/relief" in lighter.observation
    low = next(m for m in summary.key_moments if m.utterance_seq == 1)
    assert (low.kind, low.quote) == ("risk", "nothing seems worth it")  # the flag leads
    assert "the strongest expression of sadness" in low.observation
    assert summary.dominant_states[0].label in ("sadness", "anxiety/fear")
    assert [p.start for p in summary.arc] == sorted(p.start for p in summary.arc)
    assert summary.change is not None
    assert any("joy/relief was more present" in o for o in summary.change.observations)
    assert any("sadness was less present" in o for o in summary.change.observations)


def test_needs_map_places_tool_and_connection_requests() -> None:
    found = needs_map(TALK)
    assert [e.utterance_seq for e in found.tools] == [3]
    assert [e.utterance_seq for e in found.connection] == [5]
    assert found.position == 0.0


def test_needs_map_reads_a_plan_only_when_one_is_asked_for() -> None:
    talk = [
        utt(0, "client", 0, "No, I don't have a plan. I just wish I could disappear."),
        utt(1, "client", 9, "Could we make a plan for the mornings?"),
    ]
    found = needs_map(talk)
    assert [e.utterance_seq for e in found.tools] == [1]
    assert found.connection == []


def test_no_evidence_means_empty_sections_not_claims_of_absence() -> None:
    bare = SessionExport(
        session=Session(id="s", client_label="C"),
        utterances=[TALK[0]],
        metrics=compute([TALK[0]], 10.0),
    )
    summary = LocalSessionAnalyser().summarise(bare)
    assert summary.key_moments == [] and summary.dominant_states == []
    assert summary.needs_map is not None and summary.needs_map.position is None
    words = " ".join(summary.observations).lower()
    assert not re.search(r"\b(no|denies|absent|without)\b", words)


# The real bundled model on conversations written for these tests ---------------------------------


def _summarise(turns: list[tuple[str, str]]) -> tuple[SessionSummary, list[Utterance]]:
    from conversations import as_utterances

    from copilot.analysis.emotion_engine import LocalEmotionAnalyser

    talk = as_utterances(turns)
    readings = LocalEmotionAnalyser().read(talk)
    bundle = SessionExport(
        session=Session(id="s", client_label="C"),
        utterances=talk,
        metrics=compute(talk, talk[-1].end + 1),
        emotions=readings,
    )
    return LocalSessionAnalyser().summarise(bundle), talk


def _assert_quotes_verbatim(summary: SessionSummary, talk: list[Utterance]) -> None:
    client = {u.seq: u.text for u in talk if u.role == "client"}
    quotes = [q for s in summary.dominant_states for q in s.quotes]
    for q in quotes:
        assert q.utterance_seq is not None and q.quote == client[q.utterance_seq]


def test_worry_about_the_future_leads_with_anxiety() -> None:
    from conversations import WORRY

    summary, talk = _summarise(WORRY)
    assert summary.dominant_states[0].label == "anxiety/fear"
    assert summary.dominant_states[0].quotes, "a leading state shows the words it rests on"
    _assert_quotes_verbatim(summary, talk)
    assert "anxiety/fear" in summary.observations[0]


def test_grief_leads_with_sadness() -> None:
    from conversations import GRIEF

    summary, talk = _summarise(GRIEF)
    assert summary.dominant_states[0].label == "sadness"
    assert len(summary.dominant_states[0].quotes) == 2
    _assert_quotes_verbatim(summary, talk)


def test_small_talk_alone_gives_no_leading_state() -> None:
    from conversations import SMALL_TALK

    summary, _ = _summarise(SMALL_TALK)
    assert summary.dominant_states == [] and not summary.states_unclear
    assert not any("led the client's talk" in o or "unclear" in o for o in summary.observations)


def test_low_confidence_says_mixed_or_unclear() -> None:
    talk = [
        utt(i, "client", i * 6.0, f"Turn {i} about the week and the job, and other things.")
        for i in range(5)
    ]
    labels = ["sadness", "anger/irritation", "joy/relief", "anxiety/fear", "confusion"]
    readings = [
        reading(u, {lab: 0.55, "neutral": 0.4}, 0.0) for u, lab in zip(talk, labels, strict=True)
    ]
    bundle = SessionExport(
        session=Session(id="s", client_label="C"),
        utterances=talk,
        metrics=compute(talk, 40.0),
        emotions=readings,
    )
    summary = LocalSessionAnalyser().summarise(bundle)
    assert summary.states_unclear and summary.dominant_states == []
    assert any("mixed / unclear" in o for o in summary.observations)
