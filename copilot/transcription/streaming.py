"""The streaming policy for one live source: pure logic, no threads, no model.

- Silence costs nothing: audio becomes a job only while the VAD hears speech.
- While someone speaks, a partial job now and then; at the end of speech, one final job.
- Long turns: consecutive partial hypotheses that agree on a prefix commit it (LocalAgreement-2,
  as in Whisper-Streaming); past `max_utterance_s` the turn is cut after the last committed word
  and the buffer trimmed there, so memory and work per job stay bounded however long they talk.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.domain import Role, Word
from copilot.transcription.hallucinations import normalise


class Vad(Protocol):
    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """Speech probabilities of every complete 512-sample frame; a remainder waits."""
        ...

    def reset(self) -> None: ...


FRAME = 512  # the VAD's frame: 32 ms
_ids = itertools.count(1)


@dataclass
class StreamParams:
    threshold: float = 0.5
    silence_end_s: float = 0.45  # this much silence ends an utterance
    onset_frames: int = 2  # frames of speech that open one (64 ms)
    # Shorter blips are not transcribed. Counted from the voiced frames the pre-roll holds as
    # well: a real reader's "A book." (0.6 s) read as four voiced frames (0.45, 0.67, 0.70, 0.36)
    # and, counted from the onset only at 0.2 s, was dropped: a lost turn.
    min_voiced_s: float = 0.12
    pad_s: float = 0.3  # audio kept before the onset and after the end
    first_partial_s: float = 1.2
    partial_every_s: float = 2.0
    max_utterance_s: float = 15.0
    partials: bool = True


@dataclass
class Job:
    role: Role
    utterance_id: int
    start: float  # session time of audio[0]
    audio: np.ndarray
    final: bool
    speech_end: float  # session time the speech (so far) ended
    cut: bool = False  # a long turn cut part-way; more of it follows


class LocalAgreement:
    """Words two consecutive hypotheses agree on are committed; they never change after."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.previous: list[Word] = []
        self.committed: list[Word] = []

    def update(self, hypothesis: list[Word]) -> tuple[list[Word], list[Word]]:
        """Commit what this hypothesis and the last agree on; return (committed, unstable)."""
        with self._lock:
            done = len(self.committed)
            agreed = _common_prefix(hypothesis, self.previous)
            if agreed > done and _common_prefix(hypothesis, self.committed) == done:
                self.committed = hypothesis[:agreed]
            self.previous = hypothesis
            return list(self.committed), hypothesis[len(self.committed) :]

    def commit_point(self) -> float | None:
        with self._lock:
            return self.committed[-1].end if self.committed else None

    def trim(self, until: float) -> None:
        with self._lock:
            self.committed = [w for w in self.committed if w.start >= until]
            self.previous = [w for w in self.previous if w.start >= until]

    def reset(self) -> None:
        with self._lock:
            self.previous, self.committed = [], []


def _common_prefix(a: list[Word], b: list[Word]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if normalise(x.text) != normalise(y.text):
            break
        count += 1
    return count


@dataclass
class UtteranceSegmenter:
    role: Role
    vad: Vad
    params: StreamParams = field(default_factory=StreamParams)
    clock: float = 0.0  # session time of the next frame the VAD judges
    agreement: LocalAgreement = field(default_factory=LocalAgreement)

    def __post_init__(self) -> None:
        self._pre = np.zeros(0, dtype=np.float32)
        self._buffer: list[np.ndarray] = []
        self._buffer_len = 0
        self._in_speech = False
        self._onset = 0
        self._start = 0.0
        self._last_voice = 0.0
        self._voiced = 0.0
        self._next_partial = 0.0
        self._id = 0
        self._probe = np.zeros(0, dtype=np.float32)
        self._pre_voiced: list[bool] = []  # per pre-roll frame: heard as (quieter) speech

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def fed_until(self) -> float:
        """Session time just after the last sample fed (the VAD may not have judged it yet)."""
        return self.clock + len(self._probe) / SAMPLE_RATE

    def jump_to(self, session_time: float) -> list[Job]:
        """A gap in the audio (pause, device lost): end any utterance, move the clock."""
        jobs = self.flush()
        self.clock = max(self.fed_until, session_time)
        self._pre = np.zeros(0, dtype=np.float32)
        self._probe = np.zeros(0, dtype=np.float32)
        self.vad.reset()
        return jobs

    def feed(self, audio: np.ndarray) -> list[Job]:
        jobs: list[Job] = []
        self._probe = np.concatenate([self._probe, audio])
        probs = self.vad(audio)
        for p in probs:
            frame, self._probe = self._probe[:FRAME], self._probe[FRAME:]
            jobs.extend(self._step(frame, float(p)))
        return jobs

    def flush(self) -> list[Job]:
        if not self._in_speech:
            return []
        return self._finish(self.clock)

    def _step(self, frame: np.ndarray, p: float) -> list[Job]:
        t_end = self.clock + len(frame) / SAMPLE_RATE
        jobs: list[Job] = []
        if not self._in_speech:
            self._keep_preroll(frame, p >= self.params.threshold - 0.15)
            self._onset = self._onset + 1 if p >= self.params.threshold else 0
            if self._onset >= self.params.onset_frames:
                self._open(t_end)
        else:
            self._append(frame)
            if p >= self.params.threshold - 0.15:
                self._last_voice = t_end
                self._voiced += len(frame) / SAMPLE_RATE
            if t_end - self._last_voice >= self.params.silence_end_s:
                jobs.extend(self._finish(t_end))
            elif self._buffer_len / SAMPLE_RATE >= self.params.max_utterance_s:
                jobs.extend(self._cut())
            elif self.params.partials and t_end - self._start >= self._next_partial:
                jobs.append(self._job(final=False))
                self._next_partial += self.params.partial_every_s
        self.clock = t_end
        return jobs

    def _keep_preroll(self, frame: np.ndarray, voiced: bool) -> None:
        keep = int(self.params.pad_s * SAMPLE_RATE) + FRAME * self.params.onset_frames
        self._pre = np.concatenate([self._pre, frame])[-keep:]
        self._pre_voiced = [*self._pre_voiced, voiced][-(keep // FRAME) :]

    def _open(self, t_end: float) -> None:
        self._in_speech = True
        self._id = next(_ids)
        self._buffer, self._buffer_len = [self._pre], len(self._pre)
        self._start = t_end - len(self._pre) / SAMPLE_RATE
        self._last_voice = t_end
        self._voiced = max(self.params.onset_frames, sum(self._pre_voiced)) * FRAME / SAMPLE_RATE
        self._pre_voiced = []
        self._next_partial = self.params.first_partial_s
        self._pre = np.zeros(0, dtype=np.float32)
        self.agreement.reset()

    def _append(self, frame: np.ndarray) -> None:
        self._buffer.append(frame)
        self._buffer_len += len(frame)

    def _audio(self) -> np.ndarray:
        return np.concatenate(self._buffer) if self._buffer else np.zeros(0, dtype=np.float32)

    def _job(self, final: bool, cut: bool = False) -> Job:
        return Job(self.role, self._id, self._start, self._audio(), final, self._last_voice, cut)

    def _finish(self, t_end: float) -> list[Job]:
        self._in_speech = False
        self._onset = 0
        if self._voiced < self.params.min_voiced_s:
            return []
        audio = self._audio()
        end = min(
            len(audio), int((self._last_voice + self.params.pad_s - self._start) * SAMPLE_RATE)
        )
        job = Job(self.role, self._id, self._start, audio[:end], True, self._last_voice)
        self._buffer, self._buffer_len = [], 0
        return [job]

    def _cut(self) -> list[Job]:
        """Finalise a long turn up to the last committed word (or its quietest moment)."""
        audio = self._audio()
        point = self.agreement.commit_point()
        cut_s = point - self._start if point and point - self._start > 2.0 else None
        cut = int(cut_s * SAMPLE_RATE) if cut_s else _quietest(audio)
        end = self._start + cut / SAMPLE_RATE
        job = Job(self.role, self._id, self._start, audio[:cut], True, end, cut=True)
        self._start += cut / SAMPLE_RATE
        rest = audio[cut:]
        self._buffer, self._buffer_len = [rest], len(rest)
        self._next_partial = self.params.first_partial_s
        self.agreement.trim(self._start)
        return [job]


def _quietest(audio: np.ndarray) -> int:
    """The quietest 100 ms in the last third of the buffer."""
    window = SAMPLE_RATE // 10
    lo = len(audio) * 2 // 3
    region = audio[lo:]
    n = len(region) // window
    if n < 1:
        return len(audio)
    energy = np.square(region[: n * window].astype(np.float64)).reshape(n, window).sum(axis=1)
    return lo + int(np.argmin(energy)) * window + window // 2
