"""The ASR worker: decodes finals (stored as they happen) and the newest partials."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.diarization.by_channel import drop_bleed, is_bleed
from copilot.domain import Role, Utterance
from copilot.errors import CopilotError
from copilot.events import PartialEvent, UtteranceEvent
from copilot.live.backlog import Backlog
from copilot.live.jobs import JobQueue
from copilot.live.pressure import BackPressure
from copilot.live.shared import Shared
from copilot.transcription.context import SpeakerContext, decode_final
from copilot.transcription.engine import LIVE_OPTIONS, Transcriber
from copilot.transcription.hallucinations import join_words
from copilot.transcription.streaming import Job

# Called with each stored final and the session time its audio ends (for the second pass).
FinalStored = Callable[[Utterance, float, float], None]


class AsrWorker:
    def __init__(
        self,
        engine: Transcriber,
        jobs: JobQueue,
        shared: Shared,
        pressure: BackPressure,
        backlog: Backlog,
        recording: Callable[[], bool],
        on_final: FinalStored,
    ):
        self.engine, self._jobs = engine, jobs
        self._pumps, self._transcript = shared.pumps, shared.transcript
        self._analysis, self._out = shared.analysis, shared.out
        self._pressure, self._backlog = pressure, backlog
        self._recording, self._on_final = recording, on_final
        self._heard: dict[Role, SpeakerContext] = {}  # each speaker's last seconds, for finals

    def run(self) -> None:
        while (job := self._jobs.next()) is not None:
            try:
                self._final(job) if job.final else self._partial(job)
            except CopilotError as exc:
                self._out.status("error", str(exc))
            except Exception as exc:  # the session goes on; the therapist is told
                self._out.status("error", f"transcription failed for one utterance: {exc}")

    def _partial(self, job: Job) -> None:
        other = self._pumps.other_audio(job)
        if other is not None and is_bleed(job.audio, other):
            return  # only the client's voice from the loudspeakers
        segments = self.engine.transcribe(job.audio, offset=job.start, **LIVE_OPTIONS)
        words = [w for s in segments for w in s.words]
        segmenter = self._pumps.by_role[job.role].segmenter
        committed, unstable = segmenter.agreement.update(words)
        self._out.bus.publish(
            PartialEvent(
                role=job.role,
                start=round(job.start, 2),
                stable=join_words(committed),
                unstable=join_words(unstable),
            )
        )

    def _final(self, job: Job) -> None:
        other = self._pumps.other_audio(job, wait=True)
        if self._pressure.step >= 3 and self._recording():
            self._backlog.defer(job, other)
            return
        self.commit_final(job, other)

    def commit_final(self, job: Job, other: np.ndarray | None) -> None:
        """Decode a final, drop what is the call leaking into the microphone, store, publish."""
        if other is not None and is_bleed(job.audio, other):
            return
        heard = self._heard.setdefault(job.role, SpeakerContext())
        # After the speaker's last seconds, unless the machine is busy.
        alone = self._pressure.step > 0
        segments = decode_final(self.engine, heard, job.audio, job.start, alone=alone)
        if other is not None:
            kept = [drop_bleed(s, job.audio, other, job.start) for s in segments]
            segments = [s for s in kept if s is not None]
        appended = self._transcript.append(job.role, segments)
        if appended is None:
            return
        utterance, previous = appended
        self._out.store.transcript.append(self._out.session_id, [utterance])
        self._out.bus.publish(
            UtteranceEvent(utterance=utterance, speech_end_s=round(job.speech_end, 3))
        )
        self._analysis.analyse(utterance, job.audio, previous)
        self._on_final(utterance, job.start, job.start + len(job.audio) / SAMPLE_RATE)
