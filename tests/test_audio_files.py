from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from encode import encode, tone

from copilot.audio.files import SAMPLE_RATE, iter_chunks, probe, quiet_cut, read_all
from copilot.errors import InputFileError


@pytest.mark.parametrize(
    ("suffix", "rate", "channels"),
    [
        (".wav", 44100, 1),
        (".wav", 8000, 2),
        (".flac", 48000, 2),
        (".mp3", 22050, 1),
        (".m4a", 44100, 2),
        (".ogg", 48000, 2),
        (".opus", 24000, 1),
        (".webm", 48000, 1),
        (".mp4", 32000, 2),
    ],
)
def test_decodes_every_container_to_16k(
    tmp_path: Path, suffix: str, rate: int, channels: int
) -> None:
    left = tone(3.0, rate, 220.0)
    data = left if channels == 1 else np.stack([left, tone(3.0, rate, 330.0, 0.2)], axis=1)
    path = encode(tmp_path / f"clip{suffix}", data, rate)
    info = probe(path)
    audio = read_all(path)
    assert info.channels == channels
    assert audio.shape[1] == channels and audio.dtype == np.float32
    assert abs(len(audio) / SAMPLE_RATE - 3.0) < 0.1
    # the 220 Hz tone survives resampling on channel 0
    spectrum = np.abs(np.fft.rfft(audio[SAMPLE_RATE // 2 : SAMPLE_RATE * 2, 0]))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / (SAMPLE_RATE * 1.5)
    assert abs(peak_hz - 220.0) < 3.0


def test_twin_channels_are_read_as_mono(tmp_path: Path) -> None:
    mono = tone(2.0, 16000)
    path = encode(tmp_path / "twin.wav", np.stack([mono, mono * 0.99], axis=1), 16000)
    assert probe(path).channels == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty"),
        (lambda p: (p.write_bytes(b"RIFF\x00\x01garbage" * 50), p)[1], "not a readable audio"),
        (lambda p: (p.write_text("just some notes, not audio\n" * 20), p)[1], "not a readable"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "input.wav")
    with pytest.raises(InputFileError, match=message) as caught:
        probe(path)
    assert "\n" not in str(caught.value)


def test_chunks_cover_the_file_and_cut_in_quiet_places(tmp_path: Path) -> None:
    rate = 16000
    # 1 s bursts of tone separated by 0.5 s of silence, 40 s in all
    pattern = np.concatenate([tone(1.0, rate), np.zeros(rate // 2, dtype=np.float32)])
    audio = np.tile(pattern, 27)[: 40 * rate]
    path = encode(tmp_path / "long.flac", audio, rate)
    chunks = list(iter_chunks(path, chunk_s=10.0, search_s=3.0))
    assert len(chunks) >= 3
    assert chunks[0].start_s == 0.0
    for a, b in itertools.pairwise(chunks):
        assert b.start_s == pytest.approx(a.end_s, abs=1e-6)
        tail = a.samples[-800:, 0]  # the 50 ms before each cut are silent
        assert float(np.abs(tail).max()) < 0.01
    total = sum(len(c.samples) for c in chunks) / SAMPLE_RATE
    assert total == pytest.approx(40.0, abs=0.05)
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]  # the end, said


def test_chunks_from_an_offset_start_there(tmp_path: Path) -> None:
    rate = 16000
    audio = np.concatenate([np.zeros(rate * 20, dtype=np.float32), tone(5.0, rate)])
    path = encode(tmp_path / "offset.wav", audio, rate)
    chunks = list(iter_chunks(path, chunk_s=100.0, start_s=18.0))
    assert chunks[0].start_s == 18.0
    first = chunks[0].samples[:, 0]
    onset = int(np.argmax(np.abs(first) > 0.05)) / SAMPLE_RATE
    assert onset == pytest.approx(2.0, abs=0.02)


def test_quiet_cut_finds_the_silence() -> None:
    buffer = np.ones((SAMPLE_RATE * 10, 1), dtype=np.float32) * 0.5
    buffer[SAMPLE_RATE * 7 : SAMPLE_RATE * 7 + 3200] = 0.0
    cut = quiet_cut(buffer, SAMPLE_RATE * 9, SAMPLE_RATE * 5)
    assert SAMPLE_RATE * 7 <= cut <= SAMPLE_RATE * 7 + 3200


@pytest.mark.parametrize("suffix", [".flac", ".ogg"])
def test_the_two_kept_sources_join_as_one_stereo_file(tmp_path: Path, suffix: str) -> None:
    from copilot.audio.recorder import RoleRecorder, join_stereo
    from copilot.storage.sealed import read_appended

    key = bytes(range(32))
    rng = np.random.default_rng(3)
    said = {role: rng.uniform(-0.9, 0.9, SAMPLE_RATE * 2).astype(np.float32) for role in "ab"}
    for role, audio in said.items():
        recorder = RoleRecorder(tmp_path / f"{role}.sealing", key)
        recorder.write(audio[:SAMPLE_RATE], 0.5 if role == "b" else 0.0)  # b starts later
        recorder.write(audio[SAMPLE_RATE:], 1.5 if role == "b" else 1.0)
        recorder.close()
        assert b"fLaC" not in (tmp_path / f"{role}.sealing").read_bytes()  # sealed as written
        data, closed = read_appended(tmp_path / f"{role}.sealing", key)
        assert closed and data.startswith(b"fLaC")
        (tmp_path / f"{role}.flac").write_bytes(data)
    sources = [read_all(tmp_path / f"{role}.flac")[:, 0] for role in "ab"]
    joined = join_stereo(tmp_path / "a.sealing", tmp_path / "b.sealing", suffix, key)
    kept = read_all(encode_bytes(tmp_path / f"k{suffix}", joined))
    assert kept.shape[1] == 2 and abs(len(kept) - 2.5 * SAMPLE_RATE) < SAMPLE_RATE // 10
    if suffix == ".flac":  # the very samples
        assert np.array_equal(kept[: len(sources[0]), 0], sources[0])
        assert np.array_equal(kept[: len(sources[1]), 1], sources[1])
        assert not kept[: SAMPLE_RATE // 2, 1].any()  # silence before b began
    with pytest.raises(ValueError, match="kept audio is"):
        join_stereo(tmp_path / "a.sealing", None, ".wav", key)


def encode_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_stream_sealed_as_written_keeps_its_sealed_chunks_after_a_crash(tmp_path: Path) -> None:
    from copilot.errors import StorageError
    from copilot.storage.sealed import CHUNK, SealedAppender, read_appended

    key, path = bytes(range(32)), tmp_path / "s-client.flac.sealing"
    data = np.random.default_rng(5).bytes(CHUNK * 3 + 100)
    stream = SealedAppender(path, key)
    stream.write(data)  # three chunks sealed, 100 bytes waiting: the process dies here
    assert read_appended(path, key) == (data[: CHUNK * 3], False)
    cut = tmp_path / "cut" / path.name  # the crash came while the third chunk was written
    cut.parent.mkdir()
    cut.write_bytes(path.read_bytes()[:-10])
    assert read_appended(cut, key) == (data[: CHUNK * 2], False)
    stream.close()  # a stream closed normally says so
    assert read_appended(path, key) == (data, True)
    with pytest.raises(StorageError, match="does not open"):
        read_appended(path, bytes(32))
    moved = tmp_path / "s-therapist.flac.sealing"  # the name is bound in
    moved.write_bytes(path.read_bytes())
    with pytest.raises(StorageError, match="does not open"):
        read_appended(moved, key)
