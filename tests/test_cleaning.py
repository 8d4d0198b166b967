"""What keeps invented text out: stock phrases over silence, loops, and bleed between channels."""

from __future__ import annotations

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.diarization.by_channel import drop_bleed, envelope_correlation
from copilot.domain import Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.hallucinations import clean, collapse_repeats


def seg(
    text: str, start: float = 0.0, end: float = 2.0, no_speech: float = 0.05, prob: float = 0.9
) -> AsrSegment:
    words = text.split()
    step = (end - start) / max(1, len(words))
    return AsrSegment(
        start=start,
        end=end,
        text=text,
        words=[
            Word(text=w, start=start + i * step, end=start + (i + 1) * step, probability=prob)
            for i, w in enumerate(words)
        ],
        avg_logprob=-0.3,
        no_speech_prob=no_speech,
        compression_ratio=1.2,
    )


def speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped by a random syllable-rate envelope: independent 'voices' per seed."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    env = np.repeat(rng.uniform(0.0, 1.0, n // 1600 + 1) ** 2, 1600)[:n]
    return (rng.standard_normal(n) * env * 0.3).astype(np.float32)


def test_thank_you_over_silence_is_dropped_but_kept_over_speech() -> None:
    silence = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
    speech = speechlike(3.0, 1)
    assert clean([seg("Thank you.")], silence) == []
    assert [s.text for s in clean([seg("Thank you.")], speech)] == ["Thank you."]
    assert clean([seg("Thank you.", no_speech=0.7)], speech) == []
    assert [s.text for s in clean([seg("I slept badly.")], silence)] == ["I slept badly."]


def test_repetition_loops_are_cut_to_one_copy() -> None:
    words = seg("I am I am I am I am I am I am so tired").words
    assert " ".join(w.text for w in collapse_repeats(words)) == "I am so tired"
    normal = seg("very very tired").words
    assert collapse_repeats(normal) == normal


def test_bleed_is_dropped_and_true_overlap_kept() -> None:
    client = speechlike(2.0, 2)
    delay = 160  # 10 ms through the room
    bleed = np.concatenate([np.zeros(delay, np.float32), client[:-delay]]) * 0.1
    therapist_mic = bleed + 0.001 * speechlike(2.0, 9)
    assert envelope_correlation(therapist_mic, client)[0] > 0.9
    assert drop_bleed(seg("what the client said"), therapist_mic, client, 0.0) is None

    own_voice = speechlike(2.0, 3)
    quieter = own_voice * 0.3
    kept = drop_bleed(seg("talking at the same time"), quieter, client, 0.0)
    assert kept is not None and kept.text == "talking at the same time"

    # the therapist talking over the client's leaking voice: their words stay, the leak goes
    both = quieter.copy()
    both[SAMPLE_RATE:] = bleed[SAMPLE_RATE:] + 0.001 * speechlike(1.0, 9)
    mixed = drop_bleed(seg("mine mine theirs theirs"), both, client, 0.0)
    assert mixed is not None and mixed.text == "mine mine"
