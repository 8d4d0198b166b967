"""Telling real voices apart without a transcriber: the bundled speaker encoder on real clips
from ../shared/data/real_speech, and the word-level attribution built on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import real_voices

from copilot.audio.features import span
from copilot.diarization import speaker_embedding, voices
from copilot.domain import Utterance, Word
from copilot.errors import ModelError

SAMPLE_RATE = 16_000


def clip(name: str) -> np.ndarray:
    reader = name.split("-")[0]
    (found,) = [c for c in real_voices.clips()[reader] if c.file.startswith(name)]
    return real_voices.load(found)


def test_mel_front_end_frames_and_bands() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    mel = speaker_embedding.mel_spectrogram(tone)
    assert mel.shape == (1 + SAMPLE_RATE // 160, 40)
    centres = np.argmax(speaker_embedding.mel_filterbank(), axis=1) * SAMPLE_RATE / 400
    assert abs(centres[int(np.argmax(mel[50]))] - 1000) < 120  # the band around 1 kHz lights up


def test_a_tampered_model_is_refused(tmp_path: Path) -> None:
    shutil.copytree(speaker_embedding.MODEL_DIR, tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    (tmp_path / "m" / "meta.json").write_text(json.dumps({**meta, "sha256": "0" * 64}))
    with pytest.raises(ModelError, match="SHA-256"):
        speaker_embedding.SpeakerEncoder.load(tmp_path / "m")


@pytest.mark.parametrize(("a", "b"), [("367-130732-0002", "1998-15444-0000"),
                                      ("1688-142285-0000", "2609-156975-0004")])  # fmt: skip
def test_one_reader_is_nearer_itself_than_another_of_the_same_sex(
    real_speech: Path, a: str, b: str
) -> None:
    encoder = speaker_embedding.bundled()
    first, other = clip(a), clip(b)
    pieces = [first[: 3 * SAMPLE_RATE], first[4 * SAMPLE_RATE : 7 * SAMPLE_RATE]]
    same, *_ = encoder.embed(pieces)
    vectors = encoder.embed([*pieces, other[: 3 * SAMPLE_RATE]])
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(same, vectors[0], atol=1e-5)  # a vector does not depend on its batch


def words_over(start: float, end: float, step: float = 0.3) -> list[Word]:
    edges = np.arange(start, end - step / 2, step)
    return [Word(text="w", start=float(s), end=float(min(s + step - 0.02, end))) for s in edges]


@pytest.mark.parametrize(("a", "b"), [("367", "1998"), ("1688", "2609")])  # F F, M M
def test_two_real_readers_are_separated_word_by_word(real_speech: Path, a: str, b: str) -> None:
    """A then B with no pause (one stretch of talk), A's short reply, then B again."""
    first, second = (real_voices.clips()[r] for r in (a, b))
    parts = [
        (a, real_voices.load(first[0])),
        (b, real_voices.load(second[0])),
        (a, real_voices.load(first[1])[SAMPLE_RATE : 2 * SAMPLE_RATE]),  # a one-second reply
        (b, real_voices.load(second[1])),
    ]
    gaps = [0.5, 0.1, 0.6, 0.5]
    pieces, audio, t = [], [], 0.0
    for (reader, samples), gap in zip(parts, gaps, strict=True):
        audio += [np.zeros(int(gap * SAMPLE_RATE), np.float32), samples]
        t += gap
        pieces.append((reader, t, t + len(samples) / SAMPLE_RATE))
        t = pieces[-1][2]
    mono = np.concatenate(audio)
    words = [w for _, lo, hi in pieces for w in words_over(lo, hi)]
    stored = [Utterance(seq=0, role="unknown", start=0.0, end=t, text="", words=words)]

    encoder = speaker_embedding.bundled()
    found, two = voices.diarize(
        stored, lambda spans: encoder.embed([span(mono, lo, hi) for lo, hi in spans])
    )

    assert two
    labelled = [(u.speaker, _reader(w, pieces)) for u in found for w in u.words]
    a_label = max({"S1", "S2"}, key=lambda s: sum(1 for f, r in labelled if f == s and r == a))
    right = sum(1 for f, r in labelled if (f == a_label) == (r == a))
    assert right / len(labelled) >= 0.95, found
    reply = [u for u in found if pieces[2][1] - 0.3 <= u.start and u.end <= pieces[2][2] + 0.3]
    assert [u.speaker for u in reply] == [a_label]  # the short reply is a turn of its own
    change = pieces[1][1]
    assert not any(u.start < change - 0.6 and u.end > change + 0.6 for u in found)


def _reader(word: Word, pieces: list[tuple[str, float, float]]) -> str:
    return next(r for r, lo, hi in pieces if lo - 0.01 <= word.start < hi)


def test_a_change_without_a_pause_is_found_and_cuts_the_utterance() -> None:
    words = words_over(0.0, 6.0)
    spans = voices.windows(words)
    assert len(spans) > 5 and all(e - s <= voices.WINDOW_S + 1e-9 for s, e in spans)
    a, b = np.eye(4)[0], np.eye(4)[1]
    share_a = [min(1.0, max(0.0, (3.0 - s) / (e - s))) for s, e in spans]  # a window hears both
    vectors = np.array([x * a + (1 - x) * b for x in share_a])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    attribution = voices.attribute(words, spans, vectors)
    utterances = voices.to_utterances(words, attribution)
    assert [u.speaker for u in utterances] == ["S1", "S2"]
    assert abs(utterances[1].start - 3.0) <= 0.6
    assert not any(w.overlap for u in utterances for w in u.words)  # a clean hand-over


def test_overlapped_talk_is_marked_not_forced() -> None:
    """A talks until 3.9 s, B from 2.1 s: the windows there hear both voices."""
    words = words_over(0.0, 6.0)
    spans = voices.windows(words)
    a, b = np.eye(4)[0], np.eye(4)[1]
    heard_a = [max(0.0, min(e, 3.9) - s) for s, e in spans]
    heard_b = [max(0.0, e - max(s, 2.1)) for s, e in spans]
    vectors = np.array([x * a + y * b for x, y in zip(heard_a, heard_b, strict=True)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    attribution = voices.attribute(words, spans, vectors)
    marked = [w.start for w, o in zip(words, attribution.overlap, strict=True) if o]
    assert marked and all(2.1 <= t <= 3.9 for t in marked)
    assert voices.to_utterances(words, attribution)[0].speaker == "S1"


def test_one_voice_is_not_split() -> None:
    words = words_over(0.0, 12.0)
    spans = voices.windows(words)
    rng = np.random.default_rng(0)
    base = rng.standard_normal(16)
    vectors = base + 0.05 * rng.standard_normal((len(spans), 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    attribution = voices.attribute(words, spans, vectors)
    assert not attribution.two_voices and set(attribution.speakers) == {0}


def close_voices(seed: int = 3) -> tuple[list[Word], list[voices.Span], np.ndarray, np.ndarray]:
    """80 s of talk in 8 s turns by two voices drawn close together, as a telephone line, a room
    and noise draw them (centres nearer than TWO_VOICE_MAX_COSINE), and one voice alone."""
    rng = np.random.default_rng(seed)
    words = words_over(0.0, 80.0)
    spans = voices.windows(words)
    a = rng.standard_normal(32)
    b = a + 0.5 * rng.standard_normal(32)
    who = np.array([int((s + e) / 2 // 8) % 2 for s, e in spans])
    two = np.where(who[:, None] == 0, a, b) + 0.6 * rng.standard_normal((len(spans), 32))
    one = a + 0.9 * rng.standard_normal((len(spans), 32))
    unit = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in (two, one)]
    return words, spans, unit[0], unit[1]


def test_close_voices_whose_split_follows_the_turns_are_two() -> None:
    words, spans, two, _ = close_voices()
    _labels, centres = voices.two_means(two)
    assert float(centres[0] @ centres[1]) > voices.TWO_VOICE_MAX_COSINE  # the cosine alone: one
    attribution = voices.attribute(words, spans, two)
    assert attribution.two_voices
    truth = [int((w.start + w.end) / 2 // 8) % 2 for w in words]
    assert np.mean(np.array(attribution.speakers) == np.array(truth)) >= 0.95


def test_one_voice_halved_flips_with_the_words_and_stays_one() -> None:
    words, spans, _, one = close_voices()
    labels, centres = voices.two_means(one)
    assert float(centres[0] @ centres[1]) < voices.NOISY_MAX_COSINE  # apart by the cosine
    assert voices.turn_kappa(spans, labels) < voices.TURN_KAPPA
    assert not voices.attribute(words, spans, one).two_voices


def test_two_known_speakers_keep_a_short_reply_that_one_voice_would_swallow() -> None:
    """40 s of one voice and a reply of under a second by another: too little talk to call two
    voices unasked, kept apart when two people are known to speak."""
    words = [*words_over(0.0, 20.0), *words_over(21.0, 21.9), *words_over(23.0, 43.0)]
    spans = voices.windows(words)
    a, b = np.eye(8)[0], np.eye(8)[1]
    vectors = np.array([b if s > 20.5 and e < 22.5 else a for s, e in spans])
    assert not voices.attribute(words, spans, vectors).two_voices
    known = voices.attribute(words, spans, vectors, speakers=2)
    reply = [p for w, p in zip(words, known.speakers, strict=True) if 21.0 <= w.start < 22.0]
    assert known.two_voices and set(reply) == {1} and known.speakers.count(1) == len(reply)


def test_windows_never_span_a_long_pause() -> None:
    words = [*words_over(0.0, 2.0), *words_over(4.0, 4.6)]
    spans = voices.windows(words)
    assert all(not (s < 3.0 < e) for s, e in spans)
    assert spans[-1] == pytest.approx((4.0, 4.58))


def test_voice_vectors_from_a_file_match_across_chunk_boundaries(
    tmp_path: Path, real_speech: Path
) -> None:
    from encode import encode

    from copilot.pipeline import span_vectors

    audio = np.concatenate([clip("367-130732-0002"), clip("1998-15444-0000")])
    path = encode(tmp_path / "two.wav", audio, SAMPLE_RATE)
    spans = [(0.5, 2.0), (9.4, 10.9), (10.0, 11.5), (19.9, 21.4), (0.2, 0.5)]  # across 10 s cuts
    encoder = speaker_embedding.bundled()
    from_file = span_vectors(path, spans, encoder, chunk_s=10.0)
    direct = encoder.embed([span(audio, lo, hi) for lo, hi in spans])
    assert np.allclose(from_file, direct, atol=1e-3)


def test_the_farthest_pair_is_found_a_block_at_a_time_as_in_the_whole_matrix() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(1300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    whole = vectors @ vectors.T
    expected = np.unravel_index(int(np.argmin(whole)), whole.shape)
    assert voices.farthest_pair(vectors) == (int(expected[0]), int(expected[1]))
    assert len(vectors) > 2 * voices.PAIR_ROWS  # more than one block, and a partial last one


def _kept(audio: np.ndarray, chunk_s: float) -> list[tuple[float, np.ndarray]]:
    step = int(chunk_s * SAMPLE_RATE)
    return [(lo / SAMPLE_RATE, audio[lo : lo + step]) for lo in range(0, len(audio), step)]


def test_voice_vectors_worked_out_while_transcribing_are_those_of_the_whole_recording(
    real_speech: Path,
) -> None:
    from copilot.audio.decoded import DecodedMono
    from copilot.audio.files import Chunk
    from copilot.diarization.ahead import VectorsAhead, kept_vectors

    gap = np.zeros(2 * SAMPLE_RATE, np.float32)
    audio = np.concatenate([clip("367-130732-0002"), gap, clip("1998-15444-0000"), gap])
    seconds = len(audio) / SAMPLE_RATE
    words = words_over(0.2, 9.0) + words_over(11.5, seconds - 3.0)  # two runs of talk
    mono = DecodedMono()
    ahead = VectorsAhead(mono, speaker_embedding.bundled())
    for start, samples in _kept(audio, 6.0):  # the words of each chunk as it is stored
        mono.add(Chunk(start, samples[:, None]))
        ahead.add([w for w in words if start <= w.start < start + 6.0])

    spans = voices.windows(words)
    got = ahead.vectors(spans, speaker_embedding.bundled())

    first_run = voices.run_windows(*voices.runs(words)[0])
    assert ahead.worked_out == len(first_run) < len(spans)  # the closed run, before the end
    expected = kept_vectors(mono, spans, speaker_embedding.bundled())
    assert np.allclose(got, expected, atol=1e-5)
    direct = speaker_embedding.bundled().embed([span(audio, lo, hi) for lo, hi in spans])
    assert np.allclose(got, direct, atol=1e-3)  # the kept 16-bit samples, as decoded


def test_working_ahead_fails_where_the_vectors_are_asked_for_and_no_more_once_closed() -> None:
    from copilot.audio.decoded import DecodedMono
    from copilot.diarization.ahead import VectorsAhead

    class Broken:
        dim = 4

        def embed(self, stretches: list[np.ndarray]) -> np.ndarray:
            raise RuntimeError("encoder gone")

    words = words_over(0.0, 3.0) + words_over(5.0, 6.0)
    ahead = VectorsAhead(DecodedMono(), Broken())  # type: ignore[arg-type]
    ahead.add(words)
    with pytest.raises(RuntimeError, match="encoder gone"):
        ahead.vectors(voices.windows(words), speaker_embedding.bundled())

    stopped = VectorsAhead(DecodedMono(), Broken())  # type: ignore[arg-type]
    stopped.close()
    stopped.add(words)  # after close: nothing is worked on, nothing raised
    assert stopped.worked_out == 0


def test_a_word_is_scored_by_the_windows_that_reach_it_only() -> None:
    words = words_over(0.0, 20.0) + words_over(22.0, 30.0)
    spans = voices.windows(words)
    margin = np.random.default_rng(5).normal(size=len(spans))
    starts, ends = np.array(spans).T
    expected = []
    for w in words:  # every window, weighted by how much of the word it covers
        cover = np.clip(np.minimum(ends, w.end) - np.maximum(starts, w.start), 0.0, None)
        centred = 1.0 - np.abs((starts + ends - w.start - w.end) / 2) / ((ends - starts) / 2 + 0.5)
        weight = cover * np.clip(centred, 0.05, None)
        expected.append(float(weight @ margin / weight.sum()))
    shuffled = np.random.default_rng(6).permutation(len(spans))
    got = voices.word_scores(words, [spans[i] for i in shuffled], margin[shuffled])
    assert np.allclose(got, expected, atol=1e-12)
