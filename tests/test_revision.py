"""The live second pass's policy: when a speaker's finals are due, and whose words are whose."""

from __future__ import annotations

import pytest

from copilot.domain import Utterance, Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.revision import Final, RevisionQueue, assign, revised


def _word(text: str, start: float, end: float, p: float = 0.9) -> Word:
    return Word(text=text, start=start, end=end, probability=p)


def _segment(*words: Word) -> AsrSegment:
    return AsrSegment(
        start=words[0].start,
        end=words[-1].end,
        text=" ".join(w.text for w in words),
        words=list(words),
        avg_logprob=-0.2,
        no_speech_prob=0.01,
        compression_ratio=1.2,
    )


def test_finals_are_due_once_enough_speech_has_gathered() -> None:
    waiting = RevisionQueue(speech_s=10.0, span_s=80.0, wait_s=60.0)
    waiting.add(Final(0, 1.0, 5.0))
    waiting.add(Final(3, 9.0, 14.0))
    assert not waiting.due(now=15.0)  # 9 s of speech
    waiting.add(Final(5, 20.0, 21.5))
    assert waiting.due(now=22.0)
    assert [f.seq for f in waiting.take()] == [0, 3, 5]
    assert waiting.finals == [] and not waiting.due(now=30.0)


def test_a_quiet_speakers_finals_are_due_before_their_audio_leaves_the_ring() -> None:
    waiting = RevisionQueue(speech_s=20.0, span_s=80.0, wait_s=1000.0)
    waiting.add(Final(2, 10.0, 12.0))
    assert not waiting.due(now=89.0)
    assert waiting.due(now=90.0)


def test_a_final_is_due_once_it_ended_max_wait_ago_however_little_speech_gathered() -> None:
    waiting = RevisionQueue()  # the live defaults: 27 s of speech, or 24 s after the oldest
    waiting.add(Final(1, 30.0, 36.0))
    waiting.add(Final(4, 45.0, 47.5))
    assert not waiting.due(now=59.9)  # 8.5 s of speech; the oldest ended 23.9 s ago
    assert waiting.due(now=60.0)  # its revision can still reach the therapist within 30 s
    assert [f.seq for f in waiting.take(now=60.0)] == [1, 4]  # both ended 8 s ago or more


def test_the_window_reaches_back_over_revised_finals_for_its_context() -> None:
    waiting = RevisionQueue(speech_s=20.0, wait_s=18.0)
    for seq, (start, end) in enumerate([(0.0, 6.0), (10.0, 18.0), (25.0, 33.0)]):
        waiting.add(Final(seq, start, end))
    assert waiting.due(now=34.0)  # 22 s of speech
    first = waiting.take()
    assert waiting.context_start(first, kept_from=0.0) == 0.0  # nothing revised before it
    waiting.add(Final(3, 40.0, 45.0))
    later = waiting.take()
    # 5 s of its own, then back over 8 s and 8 s of revised speech: 21 s, enough.
    assert waiting.context_start(later, kept_from=0.0) == 10.0
    assert waiting.context_start(later, kept_from=12.0) == 25.0  # not before the ring's audio


def test_the_newest_finals_wait_to_be_heard_after_the_ones_revised() -> None:
    waiting = RevisionQueue(speech_s=27.0, wait_s=24.0, ahead_s=8.0)
    for seq, (start, end) in enumerate([(0.0, 4.0), (10.0, 14.0), (16.0, 19.0), (22.0, 25.0)]):
        waiting.add(Final(seq, start, end))
    assert not waiting.due(now=27.9) and waiting.due(now=28.0)  # the oldest ended 24 s ago
    taken = waiting.take(now=28.0)
    assert [f.seq for f in taken] == [0, 1, 2]  # the last ended 3 s ago: it stays
    assert waiting.window(taken, kept_from=0.0, newest=None) == (0.0, 25.0)  # heard after them
    assert waiting.window(taken, kept_from=0.0, newest=27.5) == (0.0, 27.5)  # and what followed
    assert [f.seq for f in waiting.take()] == [3]  # at the end of the session, every final
    assert waiting.finals == []


def test_a_final_overdue_alone_is_taken_even_when_recent_ones_wait() -> None:
    waiting = RevisionQueue(wait_s=24.0, ahead_s=30.0)  # nothing would ever settle
    waiting.add(Final(0, 0.0, 3.0))
    waiting.add(Final(1, 20.0, 26.0))
    assert waiting.due(now=27.0)
    assert [f.seq for f in waiting.take(now=27.0)] == [0, 1]


def test_words_go_to_the_final_whose_audio_holds_their_midpoint() -> None:
    finals = [Final(0, 1.0, 3.0), Final(4, 6.0, 8.5)]
    segments = [
        _segment(_word("what", 1.2, 1.5), _word("helped", 1.6, 2.0), _word("you", 2.9, 3.3)),
        _segment(_word("bleed", 4.0, 4.5), _word("body", 6.1, 6.5)),
    ]
    got = assign(segments, finals)
    assert {seq: [w.text for w in words] for seq, words in got.items()} == {
        0: ["what", "helped"],  # "you" has its midpoint past the first final's audio
        4: ["body"],  # "bleed" lies in no final: the first pass kept nothing there
    }


def _utterance() -> Utterance:
    return Utterance(
        seq=7,
        role="client",
        start=1.0,
        end=2.0,
        text="muddy wind",
        words=[_word("muddy", 1.0, 1.4), _word("wind", 1.5, 2.0)],
        confidence=0.5,
    )


def test_a_revision_takes_the_new_words_times_and_confidence() -> None:
    words = [_word("body", 1.1, 1.4, 0.8), _word("when", 1.5, 1.9, 0.6)]
    after = revised(_utterance(), words)
    assert after is not None
    assert (after.seq, after.role, after.text) == (7, "client", "body when")
    assert (after.start, after.end, after.words) == (1.1, 1.9, words)
    assert after.confidence == pytest.approx(0.7)


def test_a_revision_that_changes_nothing_or_finds_nothing_keeps_the_first_text() -> None:
    same = [_word("muddy", 1.0, 1.4), _word("wind", 1.5, 2.0)]
    assert revised(_utterance(), same) is None
    assert revised(_utterance(), []) is None
