"""The faster-whisper engine: the only module that imports faster_whisper."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel

from copilot.audio.files import SAMPLE_RATE
from copilot.domain import Word
from copilot.memory import release_free_memory
from copilot.transcription.models import ResolvedModel


class AsrSegment(BaseModel):
    start: float
    end: float
    text: str
    words: list[Word]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


class Transcriber(Protocol):
    """What the pipeline needs from a speech recogniser."""

    name: str

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, short_context: bool = False, **options: Any
    ) -> Iterator[AsrSegment]:
        """Segments of mono 16 kHz float32 `audio`, times shifted by `offset` seconds.
        `options` override decoding settings (e.g. vad_filter=False for pre-segmented audio)."""
        ...


@runtime_checkable
class Resting(Protocol):
    """An engine that can let its weights go while it is idle, and takes them back on its next
    decode (a recording's transcript is complete while its text is still being analysed)."""

    def rest(self) -> None: ...


# Settings that keep Whisper from inventing text over silence and from looping. A recording is
# decoded with a beam of 5: on the project's generated sessions it cut tiny.en's word error rate
# (scripts/bench_file.py, stereo: demo 0.132 -> 0.093, 18.6 minutes 0.065 -> 0.057) for 60% more
# decoding time, the whole analysis staying under 0.09 of real time.
DECODE_OPTIONS: dict[str, Any] = {
    "beam_size": 5,
    "language": "en",
    "word_timestamps": True,
    "condition_on_previous_text": False,
    "vad_filter": True,
    "vad_parameters": {"min_silence_duration_ms": 500, "speech_pad_ms": 200},
    "hallucination_silence_threshold": 2.0,
    "no_speech_threshold": 0.6,
    "compression_ratio_threshold": 2.4,
    "temperature": [0.0, 0.2, 0.4],
}


# A recording's speech windows are decoded in batches (faster-whisper's batched pipeline): one
# beam-5 pass per window at temperature 0, no look-back and no fallbacks; what Whisper invents
# without them is dropped afterwards (copilot.transcription.hallucinations).
BATCH_SIZE = 2  # each window in a batch holds its beam's cross-attention: about 75 MB with tiny.en
REST_TRIES = 100  # 10 ms apart: an engine rests within a second of its last decode
BATCHED_OPTIONS: dict[str, Any] = {
    "beam_size": 5,
    "language": "en",
    "word_timestamps": True,
    "vad_filter": False,
    "temperature": 0.0,
}


# Live utterances arrive already cut by the stream's VAD, and their latency budget has no room
# for a beam (a final took 2.5 times as long with beam 5, and read no better with its look-back),
# nor for decoding again at higher temperatures: the second pass (copilot.transcription.revision)
# reads every final again with the fallbacks. On a bench run's captured audio (127 finals) the
# first pass read the same without fallbacks (WER 0.0894), its slowest final 0.7 s, not 9.3 s.
LIVE_OPTIONS: dict[str, Any] = {
    "vad_filter": False,
    "beam_size": 1,
    "temperature": 0.0,
    "short_context": True,
}
# Reading a shortened window, Whisper can loop on "." after the last word up to its 448-token
# limit (a 3.5 s final took 13 s that way, with two fallbacks, and the session had to fall back
# to recording only). Speech carries about 6 tokens a second (words, punctuation, timestamps), so
# a short window may generate SHORT_TOKENS_PER_S for each second of its audio, and a few more.
SHORT_TOKENS_PER_S = 10
SHORT_TOKENS_EXTRA = 16

_local = threading.local()


def _install_short_context() -> None:
    """Let one thread ask for a shorter encoder window than Whisper's 30 s.

    faster-whisper pads every window to 30 s of features, so a 3 s utterance costs as much to
    encode as 30 s. CTranslate2's encoder takes shorter inputs; the live path asks for a window
    just longer than the utterance (at least SHORT_CONTEXT_MIN_FRAMES), which measured 2–3 times
    faster with the same transcripts on the project's generated speech. Other callers are unchanged.
    """
    import faster_whisper.transcribe as fw_transcribe
    from faster_whisper.audio import pad_or_trim

    def padded(array: np.ndarray, length: int = 3000, *, axis: int = -1) -> np.ndarray:
        minimum = getattr(_local, "frames_min", None)
        if minimum is not None and length == 3000:
            needed = int(np.ceil((array.shape[axis] + 100) / 100) * 100)  # 1 s of margin
            length = min(3000, max(minimum, needed))
        return np.asarray(pad_or_trim(array, length, axis=axis))

    fw_transcribe.pad_or_trim = padded


SHORT_CONTEXT_MIN_FRAMES = 1000  # 10 s
REGION_JOIN_SILENCE_S = 0.7  # a shorter pause stays inside one region (a breath, a comma)
REGION_MAX_S = 28.0  # a longer stretch is cut at its best pause, to fit one Whisper window


def speech_regions(audio: np.ndarray) -> list[tuple[int, int]]:
    """Sample spans of continuous speech in 16 kHz mono `audio`, by the bundled Silero VAD.

    Decoding each span on its own keeps a segment from running across a pause in which the
    other side spoke, which Whisper does when VAD-joined speech is decoded as one stream.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=int(REGION_JOIN_SILENCE_S * 1000),
        speech_pad_ms=200,
        max_speech_duration_s=REGION_MAX_S,
    )
    spans = get_speech_timestamps(audio.astype(np.float32), options)
    # Silero reads a whole 5-minute chunk in one batch: 220 MB for a moment, of which glibc
    # kept 130 MB that the next decode then stacked its own beams on (20-min stereo peak
    # 714 -> 633 MB when given back here).
    release_free_memory()
    return [(int(span["start"]), int(span["end"])) for span in spans]


def _single_threaded_blas() -> None:
    """Keep numpy's BLAS on the calling thread, for the whole process.

    faster-whisper computes each window's features with one small numpy matmul. With OpenBLAS's
    default pool, its idle threads then busy-wait for the next call: on 2 cores a live final's
    decode on one CTranslate2 thread kept 1.4 cores busy (60 finals of a captured session), and
    1.0 with one BLAS thread, decoding no slower (first_pass_cpu_over_wall in
    scripts/eval_live_decode.py). The matmul itself takes milliseconds on one thread.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class WhisperEngine:
    def __init__(self, model: ResolvedModel, threads: int = 2, compute_type: str = "int8"):
        from faster_whisper import WhisperModel

        _single_threaded_blas()

        self.name = model.name
        self.model = model
        self._whisper = WhisperModel(
            str(model.path), device="cpu", compute_type=compute_type, cpu_threads=threads
        )
        _install_short_context()
        # One CTranslate2 model serves one decode at a time; live sources share it.
        self._lock = threading.Lock()
        self._batched: Any = None  # faster-whisper's batched pipeline, made on first use

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, short_context: bool = False, **overrides: Any
    ) -> Iterator[AsrSegment]:
        """Segments of `audio`; `short_context` encodes a window just longer than the audio
        (for utterances under 30 s, as the live path sends)."""
        if audio.ndim != 1:
            raise ValueError("the engine takes mono audio")
        if len(audio) < SAMPLE_RATE // 10:
            return
        options = {**DECODE_OPTIONS, **overrides}
        if short_context:
            seconds = len(audio) / SAMPLE_RATE
            options.setdefault(
                "max_new_tokens", int(np.ceil(seconds * SHORT_TOKENS_PER_S)) + SHORT_TOKENS_EXTRA
            )
        with self._lock:
            self._wake()
            _local.frames_min = SHORT_CONTEXT_MIN_FRAMES if short_context else None
            try:
                segments, _info = self._whisper.transcribe(audio.astype(np.float32), **options)
                found = [_convert(seg, offset) for seg in segments]
            finally:
                _local.frames_min = None
        yield from found

    def decode_windows(
        self, pieces: Sequence[np.ndarray], batch_size: int = BATCH_SIZE
    ) -> list[list[AsrSegment]]:
        """Segments of each piece of mono audio (each at most 30 s), times from the piece's
        start, decoded `batch_size` windows at a time by faster-whisper's batched pipeline.

        The pieces are laid end to end and handed over as clip timestamps, one window each: the
        pipeline then batches them through the encoder and the beam search together."""
        if not pieces:
            return []
        from faster_whisper import BatchedInferencePipeline

        bounds = np.cumsum([0, *(len(p) for p in pieces)])
        clips = [
            {"start": lo / SAMPLE_RATE, "end": hi / SAMPLE_RATE}
            for lo, hi in itertools.pairwise(bounds)
        ]
        joined = np.concatenate([p.astype(np.float32) for p in pieces])
        out: list[list[AsrSegment]] = [[] for _ in pieces]
        with self._lock:
            self._wake()
            if self._batched is None:
                self._batched = BatchedInferencePipeline(self._whisper)
            for first in range(0, len(clips), batch_size):
                segments, _info = self._batched.transcribe(
                    joined,
                    clip_timestamps=clips[first : first + batch_size],
                    batch_size=batch_size,
                    **BATCHED_OPTIONS,
                )
                for seg in segments:
                    # A segment lies within its window; its middle says which one.
                    middle = (seg.start + seg.end) / 2 * SAMPLE_RATE
                    index = int(np.searchsorted(bounds, middle, side="right")) - 1
                    piece = min(max(index, 0), len(pieces) - 1)
                    out[piece].append(_convert(seg, -bounds[piece] / SAMPLE_RATE))
                # The batch's beams held tens of megabytes; given back before the next batch,
                # a 2-hour recording's peak stays flat (834 -> 749 MB, stereo) instead of
                # creeping up batch after batch.
                release_free_memory()
        return out

    def rest(self) -> None:
        """Let the model's weights go (about 45 MB of tiny.en) until the next decode."""
        with self._lock:
            model = self._whisper.model
            # CTranslate2 skips the unload while a finished batch is still being let go: a
            # moment later it takes.
            for _ in range(REST_TRIES):
                if not model.model_is_loaded:
                    break
                model.unload_model()
                if model.model_is_loaded:
                    time.sleep(0.01)
            release_free_memory()

    def _wake(self) -> None:
        if not self._whisper.model.model_is_loaded:
            self._whisper.model.load_model()


def _convert(seg: Any, offset: float) -> AsrSegment:
    words = [
        Word(
            text=w.word.strip(),
            start=round(w.start + offset, 3),
            end=round(w.end + offset, 3),
            probability=round(float(w.probability), 4),
        )
        for w in (seg.words or [])
        if w.word.strip()
    ]
    return AsrSegment(
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        text=seg.text.strip(),
        words=words,
        avg_logprob=float(seg.avg_logprob),
        no_speech_prob=float(seg.no_speech_prob),
        compression_ratio=float(seg.compression_ratio),
    )


class SileroVad:
    """Streaming speech probability per 32 ms frame from faster-whisper's bundled Silero model.

    The model's recurrent state and 64-sample context carry over between calls, so feeding the
    audio in blocks of any size gives the same probabilities as feeding it whole.
    """

    FRAME = 512
    CONTEXT = 64

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session  # one ONNX session, shared and thread-safe
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(self.CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """Probabilities for every complete frame now available; a remainder waits."""
        data = np.concatenate([self._pending, audio.astype(np.float32)])
        count = len(data) // self.FRAME
        self._pending = data[count * self.FRAME :]
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        frames = data[: count * self.FRAME].reshape(count, self.FRAME)
        contexts = np.concatenate([self._context[None, :], frames[:-1, -self.CONTEXT :]])
        self._context = frames[-1, -self.CONTEXT :].copy()
        batch = np.concatenate([contexts, frames], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return np.asarray(out, dtype=np.float32).reshape(-1)[:count]
