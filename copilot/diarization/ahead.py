"""Voice vectors of a mono recording's speaker windows, worked out while the rest of it is still
being transcribed.

Whisper's beam search leaves a third of two cores idle; the speaker encoder's windows over a
finished stretch of talk are final once a later word follows it after a long pause, so they are
embedded then, on a thread of their own, from the recording kept in memory. The last chunk's
words are not handed in (`pipeline.Heard`): when the transcript is complete, its windows are
embedded on the cores the transcription has let go, 0.6 times the time on one thread (the
demo's 1.9 s become 1.2 s). Any window asked for that was not worked out ahead (the words came
out otherwise in the end) is embedded then too: the vectors are the same either way.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

import numpy as np

from copilot.audio.decoded import DecodedMono
from copilot.diarization import speaker_embedding, voices
from copilot.domain import Word
from copilot.memory import release_free_memory

EMBED_BATCH = 64  # spans cut out and embedded at once: a few MB, beside Whisper's own buffers
Span = voices.Span


def kept_vectors(
    mono: DecodedMono,
    spans: Sequence[Span],
    encoder: speaker_embedding.SpeakerEncoder,
) -> np.ndarray:
    out = np.zeros((len(spans), encoder.dim), np.float32)
    for i in range(0, len(spans), EMBED_BATCH):
        batch = spans[i : i + EMBED_BATCH]
        out[i : i + len(batch)] = encoder.embed([mono.span(lo, hi) for lo, hi in batch])
        release_free_memory()  # the batch's spectrograms, before Whisper's next beams stack on
    return out


class VectorsAhead:
    """Takes each chunk's words as they are stored (`add`); `vectors(spans)` once all are in."""

    def __init__(self, mono: DecodedMono, encoder: speaker_embedding.SpeakerEncoder) -> None:
        self.mono = mono
        self._encoder = encoder
        self._found: dict[Span, np.ndarray] = {}
        self._open_run: list[float] | None = None  # the stretch of talk the last word is in
        self._ahead = 0
        self._inbox: queue.Queue[list[Word] | None] = queue.Queue()
        self._error: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._work, name="voice-windows", daemon=True)
        self._thread.start()

    def add(self, words: Sequence[Word]) -> None:
        """A chunk's words, in the recording's order, after its audio went into `mono`."""
        self._inbox.put(sorted(words, key=lambda w: w.start))

    def vectors(
        self, spans: Sequence[Span], encoder: speaker_embedding.SpeakerEncoder
    ) -> np.ndarray:
        """The vector of each span: those worked out ahead, the rest now with `encoder`."""
        self.close(finish=True)
        if self._error is not None:
            raise self._error
        missing = [s for s in spans if s not in self._found]
        for s, vector in zip(missing, kept_vectors(self.mono, missing, encoder), strict=True):
            self._found[s] = vector
        out = np.zeros((len(spans), encoder.dim), np.float32)
        for i, s in enumerate(spans):
            out[i] = self._found[s]
        self._found = {}  # asked for once: what is held goes back
        release_free_memory()
        return out

    @property
    def worked_out(self) -> int:
        """Vectors worked out ahead, while the transcription ran."""
        return self._ahead

    def close(self, finish: bool = False) -> None:
        """Stop working ahead, after what was handed in when `finish`, else at once (the
        analysis failed or was stopped); safe to call more than once."""
        self._dropping = not finish
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join()

    def _work(self) -> None:
        while (words := self._inbox.get()) is not None:
            if self._error is not None or self._dropping:
                continue
            try:
                self._embed_closed_runs(words)
            except Exception as exc:  # raised where the vectors are asked for
                self._error = exc

    def _embed_closed_runs(self, words: list[Word]) -> None:
        """Runs of talk as `voices.runs` finds them, followed word by word: a run is closed,
        and its windows embedded, when a word comes after a pause of RUN_GAP_S."""
        closed: list[Span] = []
        for w in words:
            run = self._open_run
            if run is not None and w.start - run[1] < voices.RUN_GAP_S:
                run[1] = max(run[1], w.end)
                continue
            if run is not None:
                closed.append((run[0], run[1]))
            self._open_run = [w.start, w.end]
        spans = [s for lo, hi in closed for s in voices.run_windows(lo, hi)]
        for s, vector in zip(spans, kept_vectors(self.mono, spans, self._encoder), strict=True):
            self._found[s] = vector
        self._ahead += len(spans)
