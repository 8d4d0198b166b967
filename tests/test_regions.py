"""Words go to the stretch of speech they were spoken in."""

from __future__ import annotations

from copilot.domain import Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.regions import split_by_regions


def _segment(*words: tuple[str, float, float]) -> AsrSegment:
    ws = [Word(text=t, start=s, end=e, probability=0.9) for t, s, e in words]
    return AsrSegment(
        start=ws[0].start,
        end=ws[-1].end,
        text=" ".join(w.text for w in ws),
        words=ws,
        avg_logprob=-0.2,
        no_speech_prob=0.01,
        compression_ratio=1.2,
    )


def test_a_segment_across_the_other_sides_turn_is_cut_there() -> None:
    joined = _segment(
        ("in", 10.0, 10.2), ("the", 10.2, 10.3), ("morning.", 10.3, 10.8),
        ("It", 14.1, 14.2), ("is.", 14.2, 14.5),
    )  # fmt: skip
    parts = split_by_regions([joined], [(9.8, 11.0), (13.9, 14.8)])
    assert [p.text for p in parts] == ["in the morning.", "It is."]
    assert (parts[1].start, parts[1].end) == (14.1, 14.5)


def test_segments_within_one_stretch_become_one() -> None:
    first = _segment(("Not", 1.0, 1.2), ("well.", 1.2, 1.5))
    second = _segment(("I", 1.8, 1.9), ("wake", 1.9, 2.2), ("up.", 2.2, 2.5))
    (merged,) = split_by_regions([first, second], [(0.8, 2.7)])
    assert merged.text == "Not well. I wake up."
    assert len(merged.words) == 5


def test_a_word_outside_every_region_goes_to_the_nearest() -> None:
    seg = _segment(("So", 5.0, 5.2), ("tired.", 5.3, 5.9))
    parts = split_by_regions([seg], [(0.0, 2.0), (5.5, 8.0)])
    assert [p.text for p in parts] == ["So tired."]


def test_no_regions_keeps_the_segments() -> None:
    seg = _segment(("Hello.", 0.0, 0.5))
    assert split_by_regions([seg], []) == [seg]
