"""Recordings decoded in batches read as the sequential decode does, and `analyze` takes many."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dialogues import SHORT, render

from copilot.audio.files import iter_chunks
from copilot.cli import main
from copilot.domain import Word
from copilot.evaluation import wer
from copilot.pipeline import chunk_utterances, load_engine
from copilot.storage import SessionStore
from copilot.transcription.batched import WindowDecoder, pack, read_regions
from copilot.transcription.engine import AsrSegment, Transcriber


def test_regions_pack_into_whisper_windows_in_order() -> None:
    second = 16_000
    regions = [(0, 10 * second), (12 * second, 25 * second), (26 * second, 36 * second)]
    windows = pack(regions, channel=1)
    assert [w.regions for w in windows] == [regions[:2], regions[2:]]
    assert all(w.channel == 1 for w in windows)
    # a window's packed time goes back to the region it came from
    assert windows[0].to_timeline(11.0, windows[0].region_at(11.0)) == pytest.approx(13.0)


class EndsEarly:
    """A scripted decoder that, as Whisper often does, stops before a packed window's last
    stretch when the window holds more than one; a stretch alone is always read."""

    def __init__(self) -> None:
        self.calls: list[list[float]] = []

    def decode_windows(self, pieces: Sequence[np.ndarray]) -> list[list[AsrSegment]]:
        self.calls.append([len(p) / 16_000 for p in pieces])
        return [self._read(piece) for piece in pieces]

    @staticmethod
    def _read(piece: np.ndarray) -> list[AsrSegment]:
        # each stretch is one second of a constant level, the level naming the word
        levels = [float(piece[i * 16_000]) for i in range(len(piece) // 16_000)]
        heard = levels[:-1] if len(levels) > 1 else levels
        words = [Word(text=f"w{v:.1f}", start=i + 0.2, end=i + 0.8) for i, v in enumerate(heard)]
        text = " ".join(w.text for w in words)
        return [AsrSegment(start=0.0, end=len(heard), text=text, words=words, avg_logprob=-0.1,
                           no_speech_prob=0.0, compression_ratio=1.0)]  # fmt: skip


def test_a_stretch_the_packed_window_dropped_is_read_again_on_its_own() -> None:
    second = 16_000
    audio = np.zeros(10 * second, dtype=np.float32)
    regions = [(1 * second, 2 * second), (4 * second, 5 * second), (7 * second, 8 * second)]
    for n, (lo, hi) in enumerate(regions):
        audio[lo:hi] = 0.1 * (n + 1)
    engine = EndsEarly()
    (found,) = read_regions(engine, [regions], [audio], offset=100.0)
    assert engine.calls == [[3.0], [1.0]]  # one packed window, then the dropped stretch alone
    words = [(w.text, w.start) for r in sorted(found) for seg in found[r] for w in seg.words]
    assert words == [("w0.1", 101.2), ("w0.2", 104.2), ("w0.3", 107.2)]


class Sequential:
    """The engine seen without its batched decoding: the sequential path."""

    def __init__(self, engine: Transcriber):
        self.name, self._engine = engine.name, engine

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, short_context: bool = False, **options: Any
    ) -> Iterator[AsrSegment]:
        return self._engine.transcribe(audio, offset, short_context, **options)


@pytest.mark.model
def test_batched_and_sequential_transcripts_agree_on_words_and_roles(
    tmp_path: Path, espeak: str
) -> None:
    path, reference = render(tmp_path, SHORT, "agree")
    engine = load_engine("tiny.en", 2)
    assert isinstance(engine, WindowDecoder)
    assert not isinstance(Sequential(engine), WindowDecoder)
    (chunk,) = iter_chunks(path)
    roles: list[Any] = ["therapist", "client"]
    batched = chunk_utterances(engine, chunk, roles, 0)
    sequential = chunk_utterances(Sequential(engine), chunk, roles, 0)
    for role in ("therapist", "client"):
        said = " ".join(str(t["text"]) for t in reference if t["role"] == role)
        one = " ".join(u.text for u in batched if u.role == role)
        other = " ".join(u.text for u in sequential if u.role == role)
        assert wer(other, one) <= 0.1, (role, one, other)
        assert wer(said, one) <= 0.15, (role, one)
    # each reference turn is heard under its own role, in both transcripts
    for found in (batched, sequential):
        for turn in reference:
            middle = (float(turn["start"]) + float(turn["end"])) / 2  # type: ignore[arg-type]
            heard = {u.role for u in found if u.start - 0.3 <= middle <= u.end + 0.3}
            assert heard == {turn["role"]}, (turn, heard)


@pytest.mark.model
def test_a_folder_with_a_corrupt_file_analyses_the_rest_and_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: str
) -> None:
    folder = tmp_path / "week"
    folder.mkdir()
    render(folder, SHORT[:4], "monday")
    render(folder, SHORT[4:], "tuesday", suffix=".wav")
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 8)
    (folder / "notes.txt").write_text("not a recording")
    code = main(["analyze", str(folder), "--json", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2
    failures = [line for line in err.splitlines() if "failed" in line]
    assert len(failures) == 1 and "broken.wav" in failures[0], err
    assert "analysed 2 of 3 recordings" in out
    with SessionStore() as store:
        sessions = store.list_sessions()
    assert sorted(Path(s.source_name or "").name for s in sessions) == [
        "monday.flac",
        "tuesday.wav",
    ]
    assert all(s.status == "complete" for s in sessions)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["monday.json", "tuesday.json"]


def test_the_kept_mono_recording_gives_back_any_span_across_chunks() -> None:
    from copilot.audio.decoded import DecodedMono
    from copilot.audio.files import Chunk

    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(48_000) * 0.1).astype(np.float32)
    kept = DecodedMono()
    for lo in range(0, len(audio), 20_000):
        kept.add(Chunk(lo / 16_000, audio[lo : lo + 20_000, None]))
    got = kept.span(1.0, 2.5)  # crosses the first chunk's end
    assert got.dtype == np.float32 and len(got) == 24_000
    assert np.max(np.abs(got - audio[16_000:40_000])) < 1e-4


def test_the_kept_mono_recording_gives_back_the_very_16_bit_samples_packed_smaller() -> None:
    from copilot.audio.decoded import SCALE, DecodedMono
    from copilot.audio.files import Chunk

    t = np.arange(16_000 * 60) / 16_000
    talking = (np.sin(t * 2 * np.pi / 8) > 0).astype(np.float32)  # 4 s of voice, 4 s of pause
    audio = (0.2 * np.sin(2 * np.pi * 180 * t) * talking).astype(np.float32)
    kept = DecodedMono()
    for lo in range(0, len(audio), 16_000 * 25):
        kept.add(Chunk(lo / 16_000, audio[lo : lo + 16_000 * 25, None]))
    expected = (np.round(audio * SCALE) / SCALE).astype(np.float32)
    assert np.array_equal(kept.span(0.0, 60.0), expected)
    assert np.array_equal(kept.span(24.5, 51.0), expected[16_000 * 49 // 2 : 16_000 * 51])
    assert kept.nbytes < 0.5 * 2 * len(audio)  # under half of plain 16-bit samples


def test_segments_become_one_utterance_timed_by_their_words() -> None:
    from copilot.domain import Word
    from copilot.transcription.utterances import to_utterance

    words = [Word(text="Not", start=1.2, end=1.4, probability=0.9)]
    words.append(Word(text="well.", start=1.5, end=1.9, probability=0.7))
    seg = AsrSegment(
        start=1.0,
        end=2.0,
        text="Not well.",
        words=words,
        avg_logprob=-0.2,
        no_speech_prob=0.01,
        compression_ratio=1.0,
    )
    utterance = to_utterance([seg], 4, "client", channel=1)
    assert utterance is not None
    assert (utterance.seq, utterance.start, utterance.end, utterance.text) == (
        4,
        1.2,
        1.9,
        "Not well.",
    )
    assert utterance.confidence == 0.8 and utterance.channel == 1
    empty = seg.model_copy(update={"text": "", "words": []})
    assert to_utterance([empty], 5, "client") is None


def test_chunks_read_ahead_come_in_order_and_a_decoding_failure_still_stops_the_run() -> None:
    from copilot.audio.files import Chunk, read_ahead
    from copilot.errors import InputFileError

    closed: list[bool] = []

    def decoded(fail_after: int) -> Generator[Chunk, None, None]:
        try:
            for n in range(4):
                if n == fail_after:
                    raise InputFileError("x.flac: decoding failed part-way")
                yield Chunk(float(n), np.full((10, 1), n, dtype=np.float32), last=n == 3)
        finally:
            closed.append(True)

    assert [c.start_s for c in read_ahead(decoded(fail_after=9))] == [0.0, 1.0, 2.0, 3.0]
    got: list[float] = []
    with pytest.raises(InputFileError, match="part-way"):
        for chunk in read_ahead(decoded(fail_after=2)):
            got.append(chunk.start_s)
    assert got == [0.0, 1.0]
    # a caller that stops early leaves no decoder open behind it
    ahead = read_ahead(decoded(fail_after=9))
    assert next(ahead).start_s == 0.0
    ahead.close()
    assert closed == [True, True, True]


def test_the_kept_mono_recording_lets_its_audio_go_when_cleared() -> None:
    from copilot.audio.decoded import DecodedMono
    from copilot.audio.files import Chunk

    kept = DecodedMono()
    kept.add(Chunk(0.0, np.full((32_000, 1), 0.1, np.float32)))
    assert kept.nbytes > 0 and len(kept.span(0.0, 1.0)) == 16_000
    kept.clear()
    assert kept.nbytes == 0 and len(kept.span(0.0, 1.0)) == 0
