from __future__ import annotations

import pytest

from copilot.analysis.metrics import compute, is_question, turns
from copilot.domain import Utterance, Word


def u(seq: int, role: str, start: float, end: float, text: str) -> Utterance:
    words = text.split()
    step = (end - start) / len(words)
    return Utterance(
        seq=seq,
        role=role,  # type: ignore[arg-type]
        start=start,
        end=end,
        text=text,
        words=[
            Word(text=w, start=start + i * step, end=start + (i + 1) * step)
            for i, w in enumerate(words)
        ],
    )


SESSION = [
    u(0, "therapist", 0.0, 4.0, "How have you been this week?"),
    u(1, "client", 5.0, 15.0, "Not great. I have been tired and I keep worrying about work."),
    u(2, "client", 15.5, 20.0, "And I do not sleep well at all."),
    u(3, "therapist", 26.0, 30.0, "That sounds exhausting."),
    u(4, "client", 31.0, 33.0, "It is."),
    u(5, "therapist", 32.5, 36.0, "What helps, even a little?"),
]


def test_turns_merge_consecutive_utterances_of_one_role() -> None:
    found = turns(SESSION)
    assert [t.role for t in found] == ["therapist", "client", "therapist", "client", "therapist"]
    assert found[1].start == 5.0 and found[1].end == 20.0


def test_talk_time_ratio_latency_and_questions() -> None:
    m = compute(SESSION, duration_s=40.0)
    assert m.roles["client"].talk_time_s == pytest.approx(16.5)
    assert m.roles["therapist"].talk_time_s == pytest.approx(11.5)
    assert m.roles["client"].talk_ratio == pytest.approx(16.5 / 28.0, abs=1e-3)
    # client answered after 1.0 s and 1.0 s; therapist after 6.0 s and -0.5 s (overlap)
    assert m.roles["client"].median_response_latency_s == pytest.approx(1.0)
    assert m.roles["therapist"].median_response_latency_s == pytest.approx(2.75)
    assert m.therapist_question_share == pytest.approx(2 / 3, abs=1e-3)
    assert m.overlap_s == pytest.approx(0.5)
    assert m.turns == 5
    assert m.longest_monologue is not None and m.longest_monologue.role == "client"
    assert m.longest_monologue.duration_s == pytest.approx(15.0)
    assert [(g.start, g.end) for g in m.silences] == [(20.0, 26.0)]
    assert m.pauses == 1  # 15.0 -> 15.5 is not a pause; nothing else inside turns
    assert m.roles["client"].words_per_minute == pytest.approx(22 / 16.5 * 60, abs=0.1)


def test_no_speech_gives_empty_but_valid_metrics() -> None:
    m = compute([], duration_s=12.0)
    assert m.speech_s == 0 and m.silence_ratio == 1.0 and m.roles == {}
    assert m.therapist_question_share is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how did that feel", True),
        ("Tell me more. Do you think it helped", True),
        ("I see.", False),
        ("That is what I wanted.", False),
    ],
)
def test_question_detection_without_punctuation(text: str, expected: bool) -> None:
    assert is_question(text) is expected
