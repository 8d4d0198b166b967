"""The pumps: one per source, from the audio callback's queue to jobs for the ASR worker.

Each pump converts its source to 16 kHz mono, writes the ring (and the kept audio), meters the
level and cuts utterances. The audio callback itself only copies frames into `raw`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from copilot.audio.convert import ToMono16k
from copilot.audio.files import SAMPLE_RATE
from copilot.audio.levels import dbfs, peak_dbfs
from copilot.audio.recorder import RoleRecorder
from copilot.audio.sources import AudioSource
from copilot.domain import Role
from copilot.errors import CopilotError
from copilot.events import EventBus, LevelEvent
from copilot.live.options import CALL_WAIT_S, LEVEL_EVERY_S, RETRY_EVERY_S, LiveOptions, Status
from copilot.live.ring import Ring
from copilot.transcription.streaming import Job, StreamParams, UtteranceSegmenter

Submit = Callable[[Job], None]


@dataclass
class Pump:
    source: AudioSource
    segmenter: UtteranceSegmenter
    raw: queue.Queue[np.ndarray] = field(default_factory=queue.Queue)
    ring: Ring = field(default_factory=Ring)
    failed: str | None = None
    last_retry: float = 0.0
    last_level: float = 0.0
    convert: ToMono16k | None = None
    recorder: RoleRecorder | None = None  # only when the therapist chose to keep the audio


def device_sources(options: LiveOptions) -> list[AudioSource]:
    from copilot.audio.capture import DeviceSource

    found: list[AudioSource] = []
    if options.mic:
        found.append(DeviceSource(options.mic, "therapist"))
    if options.call:
        found.append(DeviceSource(options.call, "client"))
    return found


class Pumps:
    """Every source's pump; `running` is cleared when the session stops."""

    def __init__(
        self,
        bus: EventBus,
        status: Status,
        submit: Submit,
        recording: Callable[[], bool],
        elapsed_s: Callable[[], float],
    ):
        self.by_role: dict[Role, Pump] = {}
        self.running = threading.Event()
        self._bus = bus
        self._status = status
        self._submit = submit
        self._recording = recording
        self._elapsed_s = elapsed_s

    def add(self, source: AudioSource, partials: bool, recorder: RoleRecorder | None) -> None:
        from copilot.transcription.engine import SileroVad

        segmenter = UtteranceSegmenter(source.role, SileroVad(), StreamParams(partials=partials))
        self.by_role[source.role] = Pump(source, segmenter, recorder=recorder)

    def open(self, pump: Pump) -> None:
        pump.convert = ToMono16k(pump.source.sample_rate, pump.source.channels)
        for job in pump.segmenter.jump_to(self._elapsed_s()):
            self._submit(job)

        def failed(message: str, pump: Pump = pump) -> None:
            if self._recording() and pump.failed is None:
                pump.failed = message
                pump.last_retry = time.monotonic()
                others = [r for r, p in self.by_role.items() if p is not pump and not p.failed]
                tail = f"; continuing with the {others[0]} audio" if others else ""
                self._status("warning", f"{message}{tail}; retrying")

        pump.source.start(pump.raw.put_nowait, failed)

    def open_all(self) -> None:
        for pump in self.by_role.values():
            self.open(pump)

    def stop_sources(self) -> None:
        for pump in self.by_role.values():
            pump.source.stop()

    def run(self, pump: Pump) -> None:
        """The pump thread: until the session stops and the last frames are through."""
        while self.running.is_set() or not pump.raw.empty():
            try:
                block = pump.raw.get(timeout=0.1)
            except queue.Empty:
                continue
            assert pump.convert is not None
            audio = pump.convert(block)
            if not len(audio):
                continue
            start = pump.segmenter.fed_until
            pump.ring.write(audio, start)
            if pump.recorder is not None:
                pump.recorder.write(audio, start)
            self._meter(pump, audio)
            for job in pump.segmenter.feed(audio):
                self._submit(job)
        for job in pump.segmenter.flush():
            self._submit(job)

    def _meter(self, pump: Pump, audio: np.ndarray) -> None:
        now = time.monotonic()
        if now - pump.last_level < LEVEL_EVERY_S:
            return
        pump.last_level = now
        self._bus.publish(
            LevelEvent(
                role=pump.source.role,
                rms_db=round(dbfs(audio), 1),
                peak_db=round(peak_dbfs(audio), 1),
            )
        )

    def other_audio(self, job: Job, wait: bool = False) -> np.ndarray | None:
        """The call audio under a microphone job: bleed is the call arriving at the mic.

        With `wait`, a final waits for the call's pump to have written that stretch: on a busy
        machine it can run behind the microphone's, and the stretch read too early is silence,
        under which the client's words would pass as the therapist's.
        """
        call = self.by_role.get("client")
        if job.role != "therapist" or call is None:
            return None
        end = job.start + len(job.audio) / SAMPLE_RATE
        if wait and self.running.is_set() and call.failed is None:
            call.ring.wait_until(end, CALL_WAIT_S)
        return call.ring.read(job.start, end)

    def retry_failed(self) -> None:
        """Reopen a lost device every RETRY_EVERY_S while recording."""
        for pump in self.by_role.values():
            if not pump.failed or not self._recording():
                continue
            if time.monotonic() - pump.last_retry < RETRY_EVERY_S:
                continue
            pump.last_retry = time.monotonic()
            pump.source.stop()
            try:
                self.open(pump)
            except CopilotError:
                continue
            pump.failed = None
            self._status("info", f"{pump.source.role} audio is back")

    def set_pace(self, step: int, partials: bool) -> None:
        """Back-pressure: longer chunks from step 1, no partials from step 2."""
        for pump in self.by_role.values():
            params = pump.segmenter.params
            params.partial_every_s = 2.0 * (2 if step >= 1 else 1)
            params.max_utterance_s = 15.0 * (2 if step >= 1 else 1)
            params.partials = partials and step < 2
