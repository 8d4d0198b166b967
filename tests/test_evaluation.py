from __future__ import annotations

import pytest

from copilot.evaluation import normalise_words, speaker_accuracy, wer


def test_wer_counts_substitutions_insertions_and_deletions() -> None:
    assert wer("ask not what your country can do", "ask not what your country can do") == 0.0
    assert wer("a b c d", "a x c") == pytest.approx(0.5)  # one substitution, one deletion
    assert wer("a b", "a b c d") == pytest.approx(1.0)


def test_normalisation_ignores_case_punctuation_and_spelling() -> None:
    assert normalise_words("Okay, I'm FINE - thanks!") == ["ok", "i", "am", "fine", "thanks"]
    assert wer("I have 2 cats.", "i have two cats") == 0.0


def test_contractions_count_as_the_words_they_stand_for() -> None:
    assert wer("I am sure we will not", "I'm sure we won't") == 0.0
    assert normalise_words("they've said it's what you'd do, can't they") == [
        "they", "have", "said", "it", "is", "what", "you", "would", "do", "can", "not", "they",
    ]  # fmt: skip
    assert wer("I am tired", "I'm tied") == pytest.approx(1 / 3)  # the real error still counts


def test_speaker_accuracy_by_reference_turns() -> None:
    turns = [("therapist", 0.0, 2.0), ("client", 2.5, 5.0)]
    words = [("therapist", 0.5), ("therapist", 1.5), ("client", 3.0), ("therapist", 4.0)]
    assert speaker_accuracy(turns, words) == pytest.approx(0.75)
    assert speaker_accuracy(turns, [("client", 2.3)]) == 1.0  # nearest turn
