"""Keeping audio on purpose: each live source appended to a FLAC stream as it arrives, sealed
chunk by chunk under the data key as it is written (no readable audio reaches the disk, and a
crash keeps what was sealed), and the two joined into one stereo recording (therapist left,
client right) when the session ends."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from copilot.audio.files import SAMPLE_RATE, _decode_blocks
from copilot.storage.sealed import SealedAppender, read_appended

BLOCK = 4096
KEPT_CODECS = {".ogg": "libopus", ".flac": "flac"}


class RoleRecorder:
    def __init__(self, path: Path, key: bytes):
        import av

        self.path = path
        self._sink = SealedAppender(path, key)  # 0600, sealed before a byte is written
        self._container: Any = av.open(self._sink, "w", format="flac")
        self._stream: Any = self._container.add_stream("flac", rate=SAMPLE_RATE)
        self._stream.layout = "mono"
        self._written = 0

    def write(self, audio: np.ndarray, start: float) -> None:
        """Append `audio` that begins at session time `start`; a gap before it becomes silence."""
        gap = round(start * SAMPLE_RATE) - self._written
        if gap > 0:
            self._encode(np.zeros(gap, dtype=np.float32))
        self._encode(audio)

    def _encode(self, audio: np.ndarray) -> None:
        import av

        ints = (np.clip(audio, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(ints, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._written
        self._written += ints.shape[1]
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._sink.close()


def join_stereo(left: Path | None, right: Path | None, suffix: str, key: bytes) -> bytes:
    """Two sealed mono recordings (either may be missing) as one stereo recording, in memory:
    Ogg/Opus at 48 kbit/s (about 21 MB an hour) for `.ogg`, or lossless FLAC (the very samples
    the session transcribed, for analysing them again) for `.flac`."""
    import av

    if suffix not in KEPT_CODECS:
        raise ValueError(f"kept audio is .ogg or .flac, not {suffix}")
    streams = [_blocks(left, key), _blocks(right, key)]
    out = io.BytesIO()
    with av.open(out, "w", format=suffix[1:]) as container:
        stream: Any = container.add_stream(KEPT_CODECS[suffix], rate=SAMPLE_RATE)
        stream.layout = "stereo"
        if suffix == ".ogg":
            stream.bit_rate = 48_000
        pts = 0
        pending = [np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)]
        done = [False, False]
        while not all(done) or any(len(p) for p in pending):
            for i in (0, 1):
                while not done[i] and len(pending[i]) < BLOCK:
                    block = next(streams[i], None)
                    if block is None:
                        done[i] = True
                    else:
                        pending[i] = np.concatenate([pending[i], block])
            n = min(BLOCK, max(len(p) for p in pending))
            if n == 0:
                break
            pair = np.zeros((2, n), dtype=np.float32)
            for i in (0, 1):
                take = pending[i][:n]
                pair[i, : len(take)] = take
                pending[i] = pending[i][n:]
            frame = _frame(pair, lossless=suffix == ".flac")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = pts
            pts += n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def _frame(pair: np.ndarray, lossless: bool) -> Any:
    import av

    if lossless:  # the 16-bit samples of the sources, copied exactly (they decode as k / 32768)
        ints = np.clip(np.round(pair * 32768), -32768, 32767).astype(np.int16)
        return av.AudioFrame.from_ndarray(ints.T.reshape(1, -1), format="s16", layout="stereo")
    return av.AudioFrame.from_ndarray(pair, format="fltp", layout="stereo")


def _blocks(path: Path | None, key: bytes) -> Any:
    if path is None or not path.exists():
        return iter(())
    data, _closed = read_appended(path, key)  # a stream cut short by a crash: what it holds
    return (block[:, 0] for block in _decode_blocks(io.BytesIO(data), 1, 0.0))
