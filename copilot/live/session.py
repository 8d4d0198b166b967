"""A live session: the one owner of its threads and queues.

    source callback ──► raw queue ──► pump thread (convert to 16 kHz, meter, VAD, segment)
                                           │ jobs (finals first, partials after)
                                           ▼
                                      ASR worker ──► store (each final, as it happens)
                                           └──────► events: utterance, risk, emotion, partial
    second pass: each speaker's finals decoded again, as a recording is, once enough gather
    monitor thread: timer, back-pressure steps, reopening a lost device

Only the pump threads and the worker touch audio; the audio callback only copies frames. The
parts live beside this module; this class builds them when the session starts and runs them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from copilot.analysis.emotion_engine import EmotionAnalyser
from copilot.analysis.risk import default_detector as default_risk_detector
from copilot.analysis.run import Analysed, analyse_session
from copilot.audio.recorder import RoleRecorder
from copilot.audio.sources import AudioSource
from copilot.domain import Consent, Note, Session, Utterance
from copilot.errors import ConsentError, CopilotError, DeviceError
from copilot.events import EventBus, LiveState, NoteEvent, StateEvent, StatusEvent, StatusLevel
from copilot.live.analysis import LiveAnalysis
from copilot.live.backlog import Backlog
from copilot.live.jobs import JobQueue
from copilot.live.kept_audio import keep_audio, recorder_path
from copilot.live.options import LiveOptions, Outlet
from copilot.live.pressure import BackPressure
from copilot.live.pumps import Pumps, device_sources
from copilot.live.second_pass import SecondPass
from copilot.live.shared import Shared
from copilot.live.threads import Threads
from copilot.live.transcript import Transcript
from copilot.live.worker import AsrWorker
from copilot.pipeline import load_engine, new_session_id
from copilot.plugins import registry
from copilot.report import write_sealed_report
from copilot.settings import Settings, audio_dir, home, report_file
from copilot.storage.keys import home_key
from copilot.storage.repository import SessionStore
from copilot.transcription.engine import Transcriber
from copilot.transcription.revision import Final

MONITOR_EVERY_S = 0.5


@dataclass
class _Parts:
    """What a started session runs; built once the session has an id."""

    session_id: str
    pumps: Pumps
    jobs: JobQueue
    worker: AsrWorker
    pressure: BackPressure
    backlog: Backlog
    analysis: LiveAnalysis
    second_pass: SecondPass | None


class LiveSession:
    def __init__(
        self,
        options: LiveOptions,
        store: SessionStore,
        settings: Settings,
        sources: list[AudioSource] | None = None,
        engine: Transcriber | None = None,
        reviser: Transcriber | None = None,
    ):
        self.options = options
        self.settings = settings
        self.store = store
        self.bus = EventBus()
        self.state: LiveState = "idle"
        self.session_id: str | None = None
        self.report_path: Path | None = None
        self.consent: Consent | None = None
        self.started_at = 0.0  # time.monotonic() at the start; session time counts from it
        self.engine = engine
        # The second pass has a model of its own, so a final never waits behind a revision.
        self.reviser = reviser
        self._sources = sources
        self._transcript = Transcript()
        self._parts: _Parts | None = None
        self._threads = Threads(self._status)

    # the public controls ----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[BaseModel], None]) -> Callable[[], None]:
        return self.bus.subscribe(callback)

    def record_consent(self, consent: Consent) -> None:
        self.consent = consent
        if self.session_id:
            self.store.record_consent(self.session_id, consent)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started_at if self.started_at else 0.0

    @property
    def degrade_step(self) -> int:
        return self._parts.pressure.step if self._parts else 0

    def start(self) -> str:
        if self.state != "idle":
            raise CopilotError(f"the session is already {self.state}")
        if self.consent is None:
            raise ConsentError(
                "no recording starts before consent is recorded (who consented, verbal or "
                "written, when)"
            )
        sources = self._sources if self._sources is not None else device_sources(self.options)
        if not sources:
            raise DeviceError("no audio source: choose the microphone and/or the call audio")
        self.engine = self.engine or load_engine(self.options.model, self.options.threads)
        if self.options.revise and self.reviser is None:
            self.reviser = load_engine(self.options.model, 1, slot="second pass")
        emotion = registry().emotion(self.settings.emotion_engine)
        default_risk_detector()  # loaded now, so the first flag does not wait for the encoder
        self.session_id = new_session_id()
        self.store.create(
            Session(
                id=self.session_id,
                client_label=self.options.client_label,
                source="live",
                source_name=", ".join(f"{s.role}: {s.name}" for s in sources),
                model=self.engine.name,
                consent=self.consent,
                diarization="live: the microphone is the therapist, the call audio the client",
            )
        )
        parts = self._parts = self._build(self.session_id, self.engine, emotion)
        self.started_at = time.monotonic()
        parts.pumps.running.set()
        for source in sources:
            recorder = None
            if self.options.keep_audio:
                path = recorder_path(audio_dir(), self.session_id, source.role)
                recorder = RoleRecorder(path, home_key())
            parts.pumps.add(source, self.options.partials, recorder)
        # Opened back to back, after every pump is ready: each source's clock starts when it
        # opens, and a skew between them beyond the bleed check's 200 ms lag window would hide
        # the call's voice in the microphone.
        parts.pumps.open_all()
        for role, pump in parts.pumps.by_role.items():
            self._threads.spawn(functools.partial(parts.pumps.run, pump), f"pump-{role}")
        self._threads.spawn(parts.worker.run, "asr-worker")
        if parts.second_pass is not None:
            self._threads.spawn(parts.second_pass.run, "reviser")
        self._threads.spawn(self._monitor, "monitor")
        self._set_state("recording")
        return self.session_id

    def pause(self) -> None:
        if self.state != "recording" or self._parts is None:
            return
        self._parts.pumps.stop_sources()
        self._set_state("paused")

    def resume(self) -> None:
        if self.state != "paused" or self._parts is None:
            return
        self._parts.pumps.open_all()
        self._set_state("recording")

    def add_note(self, text: str) -> Note:
        if not self.session_id:
            raise CopilotError("notes belong to a session: start one first")
        note = Note(at=round(self.elapsed_s, 2), text=text.strip())
        self.store.marks.add_note(self.session_id, note)
        self.bus.publish(NoteEvent(note=note))
        return note

    def acknowledge_risk(self, utterance_seq: int, category: str) -> None:
        if not self.session_id:
            raise CopilotError("no session")
        self.store.marks.acknowledge_risk(self.session_id, utterance_seq, category)

    def stop(self) -> Analysed:
        parts = self._parts
        if self.state in ("idle", "stopped") or not self.session_id or parts is None:
            raise CopilotError("no session is recording")
        self._set_state("stopping")
        parts.pumps.stop_sources()
        parts.pumps.running.clear()
        self._threads.join(lambda name: name.startswith("pump-"))
        parts.jobs.finish()
        self._threads.join(lambda name: name != "reviser")
        if parts.second_pass is not None:
            parts.second_pass.finish()
        self._threads.join(lambda _name: True)
        parts.backlog.drain(parts.worker.commit_final, self._status)
        recorders = {r: p.recorder for r, p in parts.pumps.by_role.items() if p.recorder}
        out = audio_dir() / f"{self.session_id}.{self.options.keep_audio_as}"
        keep_audio(recorders, out, self.store, self.session_id, home_key())
        result = analyse_session(
            self.store,
            self.session_id,
            audio_path=None,
            settings=self.settings,
            prosody_readings=parts.analysis.prosody_against_baseline(),
        )
        self.report_path = report_file(self.session_id)
        write_sealed_report(result.export, self.report_path, home_key())
        self._set_state("stopped")
        return result

    # the parts and their threads ---------------------------------------------------------------

    def _build(self, session_id: str, engine: Transcriber, emotion: EmotionAnalyser) -> _Parts:
        out = Outlet(self.store, session_id, self.bus, self._status)
        jobs = JobQueue()
        recording = self._recording
        pumps = Pumps(self.bus, self._status, jobs.submit, recording, lambda: self.elapsed_s)
        analysis = LiveAnalysis(self.bus, self._transcript, emotion)
        pressure = BackPressure(pumps, jobs, self.options.partials, self._status)
        backlog = Backlog(home() / "tmp", session_id, home_key())
        shared = Shared(pumps, self._transcript, analysis, out)
        second_pass = None
        if self.options.revise and self.reviser is not None:
            second_pass = SecondPass(self.reviser, shared)
        worker = AsrWorker(engine, jobs, shared, pressure, backlog, recording, self._revise_later)
        return _Parts(session_id, pumps, jobs, worker, pressure, backlog, analysis, second_pass)

    def _revise_later(self, utterance: Utterance, start: float, end: float) -> None:
        parts = self._parts
        if parts is None or parts.second_pass is None:
            return
        parts.second_pass.add(utterance.role, Final(utterance.seq, start, end))
        self._submit_revisions(parts)

    def _submit_revisions(self, parts: _Parts) -> None:
        """While the machine is busy, only the finals that can wait no longer: the rest wait and
        the ring keeps their audio. Holding them all (as once) left revised lines a minute late
        on a loaded machine; when it only records (step 3), none."""
        if parts.second_pass is None or parts.pressure.step >= 3:
            return
        parts.second_pass.submit(self.elapsed_s, overdue_only=parts.pressure.step > 0)

    def _monitor(self) -> None:
        parts = self._parts
        assert parts is not None
        while parts.pumps.running.is_set():
            time.sleep(MONITOR_EVERY_S)
            self.bus.publish(
                StateEvent(
                    state=self.state, session_id=self.session_id, elapsed_s=round(self.elapsed_s, 1)
                )
            )
            parts.pressure.update(parts.jobs.lag_s(self.elapsed_s))
            self._submit_revisions(parts)  # a quiet speaker's finals, before the ring lets them go
            parts.pumps.retry_failed()

    def _recording(self) -> bool:
        return self.state == "recording"

    def _set_state(self, state: LiveState) -> None:
        self.state = state
        self.bus.publish(
            StateEvent(state=state, session_id=self.session_id, elapsed_s=round(self.elapsed_s, 1))
        )

    def _status(self, level: StatusLevel, message: str, degrade_step: int | None = None) -> None:
        self.bus.publish(StatusEvent(level=level, message=message, degrade_step=degrade_step))
