"""The blockwise spectrogram gives faster-whisper's own features, to float32 rounding."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper.feature_extractor import FeatureExtractor

from copilot.transcription.engine import FEATURE_BLOCK_FRAMES, _blockwise_features


@pytest.mark.parametrize("seconds", [0.1, 29.99, 30.0, 95.3])
def test_blockwise_features_equal_the_whole_spectrogram(seconds: float) -> None:
    audio = np.random.default_rng(7).standard_normal(int(seconds * 16_000)).astype(np.float32)
    audio[: len(audio) // 3] *= 0.01  # a quiet stretch: the clamp to the global maximum matters
    whole = FeatureExtractor()(audio)
    blocks = _blockwise_features()(audio)
    assert blocks.shape == whole.shape
    # Equal to float32 rounding (an FFT over fewer frames may round one last bit differently);
    # a frame out of place would differ by whole units.
    np.testing.assert_allclose(blocks, whole, rtol=0, atol=1e-6)


def test_long_audio_is_split_into_blocks() -> None:
    frames = _blockwise_features()(np.zeros(16_000 * 65, dtype=np.float32)).shape[1]
    assert frames > 2 * FEATURE_BLOCK_FRAMES
