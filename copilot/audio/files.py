"""Decoding recordings: any container PyAV/FFmpeg reads, at any rate, to float32 at 16 kHz.

Long recordings are read as a stream of chunks cut at the quietest moment near each chunk's end,
so a two-hour file is processed with bounded memory and no word is cut in half.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from copilot.errors import InputFileError

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    duration_s: float
    channels: int  # 1 or 2 as decoded: more than two mix down to stereo, twin channels to mono
    source_rate: int
    codec: str


@dataclass(frozen=True)
class Chunk:
    start_s: float
    samples: np.ndarray  # float32, shape (frames, channels)
    last: bool = False  # the recording's end

    @property
    def end_s(self) -> float:
        return self.start_s + len(self.samples) / SAMPLE_RATE


def check_path(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not an audio file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: the file is empty (0 bytes)")


def probe(path: Path) -> AudioInfo:
    """Open the file and check that it has decodable audio, without reading it all."""
    check_path(path)
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise InputFileError(f"{path}: the file has no audio stream")
            stream = streams[0]
            ctx = stream.codec_context
            channels = min(2, max(1, ctx.channels or 1))
            duration = _duration(container, stream)
            rate, codec = ctx.sample_rate or 0, ctx.name or "?"
    except InputFileError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable audio file ({_short(exc)})") from exc
    # Decoding the opening now makes a corrupt file fail here, before anything is stored.
    opening = _opening(path, channels)
    if channels == 2 and is_twin_channels(opening):
        channels = 1
    return AudioInfo(path, duration, channels, rate, codec)


def _opening(path: Path, channels: int, seconds: float = 30.0) -> np.ndarray:
    blocks, count = [], 0
    for block in _decode_blocks(path, channels, 0.0):
        blocks.append(block)
        count += len(block)
        if count >= seconds * SAMPLE_RATE:
            break
    if not count:
        raise InputFileError(f"{path}: no audio could be decoded from the file")
    return np.concatenate(blocks)


def is_twin_channels(stereo: np.ndarray) -> bool:
    """A stereo file whose channels carry the same signal is one source recorded twice."""
    energy = float(np.mean(np.square(stereo, dtype=np.float64)))
    difference = float(np.mean(np.square(stereo[:, 0] - stereo[:, 1], dtype=np.float64)))
    return energy > 0 and difference < 0.01 * energy


def _duration(container: object, stream: object) -> float:
    import av

    assert isinstance(container, av.container.InputContainer)
    assert isinstance(stream, av.AudioStream)
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def iter_chunks(
    path: Path, chunk_s: float = 300.0, start_s: float = 0.0, search_s: float = 15.0
) -> Generator[Chunk, None, None]:
    """Yield the recording as chunks of about `chunk_s` seconds, starting at `start_s`.

    Each cut falls on the quietest 100 ms in the last `search_s` seconds before the nominal end.
    """
    info = probe(path)
    target = int(chunk_s * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_len = 0
    chunk_start = start_s
    for block in _decode_blocks(path, info.channels, start_s):
        pending.append(block)
        pending_len += len(block)
        if pending_len < target + int(search_s * SAMPLE_RATE):
            continue
        buffer = np.concatenate(pending)
        cut = quiet_cut(buffer, target, int(search_s * SAMPLE_RATE))
        yield Chunk(chunk_start, buffer[:cut])
        chunk_start += cut / SAMPLE_RATE
        pending, pending_len = [buffer[cut:]], len(buffer) - cut
    if pending_len:
        yield Chunk(chunk_start, np.concatenate(pending), last=True)


def read_ahead(chunks: Generator[Chunk, None, None]) -> Generator[Chunk, None, None]:
    """The same chunks, each next one decoded on a thread of its own while the caller works on
    the one before: decoding takes seconds a 5-minute chunk, and a batched transcription leaves
    part of the second core idle. One chunk at most waits in memory."""
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
            future = pool.submit(next, chunks, None)
            while (chunk := future.result()) is not None:
                future = pool.submit(next, chunks, None)
                yield chunk
    finally:
        chunks.close()  # the decoder's file, once no thread reads it any more


def quiet_cut(buffer: np.ndarray, target: int, search: int) -> int:
    """The sample index of the quietest 100 ms window in [target - search, target)."""
    window = SAMPLE_RATE // 10
    lo = max(window, target - search)
    region = buffer[lo:target]
    if len(region) < window:
        return target
    energy = np.square(region.astype(np.float64)).sum(axis=1)
    n = len(energy) // window
    frames = energy[: n * window].reshape(n, window).sum(axis=1)
    return lo + int(np.argmin(frames)) * window + window // 2


def read_all(path: Path) -> np.ndarray:
    """The whole recording, shape (frames, channels). For short files and tests."""
    info = probe(path)
    blocks = list(_decode_blocks(path, info.channels, 0.0))
    if not blocks:
        return np.zeros((0, info.channels), dtype=np.float32)
    return np.concatenate(blocks)


def _decode_blocks(path: Path | BinaryIO, channels: int, start_s: float) -> Iterator[np.ndarray]:
    """Blocks of a file, or of a recording held in memory (kept audio, unsealed)."""
    import av

    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    skip = round(start_s * SAMPLE_RATE)
    try:
        with av.open(str(path) if isinstance(path, Path) else path, mode="r") as container:
            stream = container.streams.audio[0]
            if start_s > 1.0 and stream.time_base is not None:
                # Seek near the start; skipping the rest sample by sample keeps times exact.
                container.seek(int((start_s - 1.0) / stream.time_base), stream=stream)
                skip = None  # type: ignore[assignment]
            for frame in container.decode(stream):
                frame_t = frame.time
                for out in resampler.resample(frame):
                    block = _frame_to_array(out)
                    if skip is None:
                        skip = max(0, round((start_s - (frame_t or 0.0)) * SAMPLE_RATE))
                    if skip:
                        dropped = min(skip, len(block))
                        block, skip = block[dropped:], skip - dropped
                    if len(block):
                        yield block
            for out in resampler.resample(None):
                block = _frame_to_array(out)
                if skip:
                    dropped = min(skip, len(block))
                    block, skip = block[dropped:], skip - dropped
                if len(block):
                    yield block
    except av.error.FFmpegError as exc:
        raise InputFileError(f"{path}: decoding failed part-way ({_short(exc)})") from exc


def _frame_to_array(frame: object) -> np.ndarray:
    import av

    assert isinstance(frame, av.AudioFrame)
    planes = frame.to_ndarray()  # (channels, samples) for planar float
    return np.ascontiguousarray(planes.T, dtype=np.float32)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
