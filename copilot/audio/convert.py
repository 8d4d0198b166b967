"""Converting a source's native frames to the program's one audio type: float32 mono 16 kHz."""

from __future__ import annotations

import numpy as np

from copilot.audio.files import SAMPLE_RATE


class ToMono16k:
    """A stateful resampler (FFmpeg's, through PyAV) for one stream of blocks."""

    def __init__(self, rate: int, channels: int):
        self.rate, self.channels = rate, channels
        self._resampler = None
        self._pts = 0
        if rate != SAMPLE_RATE:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        data = block.reshape(len(block), -1).astype(np.float32)
        mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
        if self._resampler is None:
            return np.ascontiguousarray(mono)
        import av

        frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = self.rate
        frame.pts = self._pts
        self._pts += len(mono)
        outs = self._resampler.resample(frame)
        if not outs:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate([o.to_ndarray().reshape(-1) for o in outs]).astype(np.float32)
