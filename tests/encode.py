"""Writing test audio in any container PyAV encodes, at any rate and channel count."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

CODECS = {
    ".wav": "pcm_s16le",
    ".flac": "flac",
    ".mp3": "libmp3lame",
    ".m4a": "aac",
    ".mp4": "aac",
    ".ogg": "libopus",
    ".opus": "libopus",
    ".webm": "libopus",
}


def encode(path: Path, samples: np.ndarray, rate: int) -> Path:
    """`samples`: float32, shape (frames,) or (frames, channels), at `rate`."""
    data = samples if samples.ndim == 2 else samples[:, None]
    channels = data.shape[1]
    codec = CODECS[path.suffix]
    if codec == "libopus" and rate not in (8000, 12000, 16000, 24000, 48000):
        raise ValueError("opus takes 8/12/16/24/48 kHz")
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono" if channels == 1 else "stereo"
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame_size = stream.codec_context.frame_size or 1024
        for start in range(0, len(data), frame_size):
            block = data[start : start + frame_size]
            frame = _frame(block, fmt, stream.layout.name)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _frame(block: np.ndarray, fmt: str, layout: str) -> av.AudioFrame:
    if fmt.startswith("s16"):
        ints = (np.clip(block, -1, 1) * 32767).astype(np.int16)
        array = ints.T if fmt.endswith("p") else ints.reshape(1, -1)
    elif fmt.startswith("s32"):
        ints32 = (np.clip(block, -1, 1) * 2147483647).astype(np.int32)
        array = ints32.T if fmt.endswith("p") else ints32.reshape(1, -1)
    else:
        floats = block.astype(np.float32)
        array = floats.T if fmt.endswith("p") else floats.reshape(1, -1)
    return av.AudioFrame.from_ndarray(np.ascontiguousarray(array), format=fmt, layout=layout)


def tone(seconds: float, rate: int, freq: float = 220.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)
