"""The live streaming policy, driven by a scripted VAD at its boundary (energy above a level)."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.audio.files import SAMPLE_RATE
from copilot.domain import Word
from copilot.transcription.streaming import (
    FRAME,
    Job,
    LocalAgreement,
    StreamParams,
    UtteranceSegmenter,
)


class EnergyVad:
    """Speech probability 1 for frames with energy, 0 for silence; keeps partial frames."""

    def __init__(self) -> None:
        self.pending = np.zeros(0, dtype=np.float32)

    def reset(self) -> None:
        self.pending = np.zeros(0, dtype=np.float32)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        data = np.concatenate([self.pending, audio])
        n = len(data) // FRAME
        self.pending = data[n * FRAME :]
        frames = data[: n * FRAME].reshape(n, FRAME)
        return (np.abs(frames).max(axis=1) > 0.05).astype(np.float32)


def speech(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def run(
    audio: np.ndarray, block: int = 320, **params: object
) -> tuple[list[Job], UtteranceSegmenter]:
    seg = UtteranceSegmenter("client", EnergyVad(), StreamParams(**params))  # type: ignore[arg-type]
    jobs: list[Job] = []
    for i in range(0, len(audio), block):
        jobs += seg.feed(audio[i : i + block])
    return jobs + seg.flush(), seg


def test_silence_costs_nothing() -> None:
    jobs, _ = run(silence(30.0))
    assert jobs == []


def test_one_utterance_gives_partials_then_one_final() -> None:
    audio = np.concatenate([silence(2.0), speech(4.0), silence(2.0)])
    jobs, _ = run(audio)
    finals = [j for j in jobs if j.final]
    partials = [j for j in jobs if not j.final]
    assert len(finals) == 1 and len(partials) == 2  # at 1.2 s and 3.2 s of speech
    final = finals[0]
    assert final.speech_end == pytest.approx(6.0, abs=0.05)
    assert final.start == pytest.approx(2.0 - 0.3 - 2 * FRAME / SAMPLE_RATE, abs=0.05)
    assert len(final.audio) / SAMPLE_RATE == pytest.approx(6.0 + 0.3 - final.start, abs=0.05)
    assert all(p.utterance_id == final.utterance_id for p in partials)


def test_block_size_does_not_change_the_jobs() -> None:
    audio = np.concatenate([silence(1.0), speech(2.5), silence(1.0), speech(1.0), silence(1.0)])
    a, _ = run(audio, block=160)
    b, _ = run(audio, block=4000)
    assert [(j.final, round(j.start, 3), len(j.audio)) for j in a] == [
        (j.final, round(j.start, 3), len(j.audio)) for j in b
    ]


def test_short_blips_are_not_transcribed() -> None:
    # 70 ms: three voiced frames. (A real "A book." the VAD heard faintly was four: see below.)
    jobs, _ = run(np.concatenate([silence(1.0), speech(0.07), silence(1.0)]))
    assert [j for j in jobs if j.final] == []


class ScriptedVad:
    """The probabilities Silero gave a real reader's short "A book." between two silences."""

    def __init__(self, probs: list[float]) -> None:
        self.probs = probs
        self.frames = 0

    def reset(self) -> None:
        pass

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        n = len(audio) // FRAME
        out = [
            self.probs[i] if i < len(self.probs) else 0.0
            for i in range(self.frames, self.frames + n)
        ]
        self.frames += n
        return np.asarray(out, dtype=np.float32)


def test_a_short_reply_that_the_vad_hears_faintly_is_a_turn() -> None:
    probs = [0.0] * 30 + [0.12, 0.45, 0.67, 0.70, 0.36, 0.10] + [0.0] * 30
    seg = UtteranceSegmenter("client", ScriptedVad(probs), StreamParams(partials=False))
    jobs = seg.feed(speech(len(probs) * FRAME / SAMPLE_RATE)) + seg.flush()
    (final,) = [j for j in jobs if j.final]
    assert final.start < 31 * FRAME / SAMPLE_RATE < final.speech_end  # from before the onset


def test_a_long_turn_is_cut_and_the_buffer_stays_bounded() -> None:
    audio = np.concatenate([speech(50.0), silence(1.0)])
    seg = UtteranceSegmenter("client", EnergyVad(), StreamParams(partials=False))
    longest = 0
    jobs: list[Job] = []
    for i in range(0, len(audio), 1600):
        jobs += seg.feed(audio[i : i + 1600])
        longest = max(longest, seg._buffer_len)
    finals = [j for j in jobs if j.final]
    assert len(finals) >= 4
    assert all(len(j.audio) <= 15.2 * SAMPLE_RATE for j in finals)
    assert longest <= 15.2 * SAMPLE_RATE
    covered = sum(len(j.audio) for j in finals) / SAMPLE_RATE
    assert covered == pytest.approx(50.0 + 0.3 + 0.3, abs=0.3)  # nothing lost or repeated


def test_a_long_turn_is_cut_after_the_last_committed_word() -> None:
    seg = UtteranceSegmenter("client", EnergyVad(), StreamParams(partials=False))
    seg.feed(speech(5.0))
    words = [Word(text=w, start=0.5 + i, end=1.2 + i) for i, w in enumerate(["a", "b", "c", "d"])]
    seg.agreement.update(words)
    seg.agreement.update(words)  # two passes agree: all four words committed
    jobs: list[Job] = []
    for _ in range(12):
        jobs += seg.feed(speech(1.0))
    cut = next(j for j in jobs if j.final)
    assert cut.cut and cut.speech_end == pytest.approx(4.2, abs=0.02)


def w(*texts: str) -> list[Word]:
    return [Word(text=t, start=i * 0.5, end=i * 0.5 + 0.4) for i, t in enumerate(texts)]


def test_local_agreement_commits_what_two_passes_share() -> None:
    agreement = LocalAgreement()
    committed, unstable = agreement.update(w("I", "feel"))
    assert committed == [] and [x.text for x in unstable] == ["I", "feel"]
    committed, unstable = agreement.update(w("I", "feel", "so", "tired"))
    assert [x.text for x in committed] == ["I", "feel"]
    assert [x.text for x in unstable] == ["so", "tired"]
    committed, _ = agreement.update(w("I", "fell", "so", "tired", "today"))
    assert [x.text for x in committed] == ["I", "feel"]  # never taken back, never rewritten
    committed, _ = agreement.update(w("I", "feel", "so", "tired", "today."))
    assert [x.text for x in committed] == ["I", "feel"]  # the previous pass disagreed at "feel"
    committed, _ = agreement.update(w("I", "feel", "so", "tired", "today"))
    assert [x.text for x in committed] == ["I", "feel", "so", "tired", "today"]
