"""A live session: the one owner of its threads and queues.

    source callback ──► raw queue ──► pump thread (convert to 16 kHz, meter, VAD, segment)
                                           │ jobs (finals first, partials after)
                                           ▼
                                      ASR worker ──► store (each final, as it happens)
                                           └──────► events: utterance, risk, emotion, partial
    reviser thread: each speaker's finals decoded again, as a recording is, once enough gather
    monitor thread: timer, back-pressure steps, reopening a lost device

Only the pump threads and the worker touch audio; the audio callback only copies frames.
"""

from __future__ import annotations

import functools
import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from copilot.analysis import prosody as prosody_analysis
from copilot.analysis.risk import default_detector as default_risk_detector
from copilot.analysis.risk import flag_utterances
from copilot.analysis.run import Analysed, analyse_session
from copilot.audio.convert import ToMono16k
from copilot.audio.features import measure
from copilot.audio.files import SAMPLE_RATE
from copilot.audio.recorder import RoleRecorder, join_stereo
from copilot.audio.sources import AudioSource
from copilot.diarization.by_channel import drop_bleed, is_bleed
from copilot.diarization.by_channel import level_db as span_level_db
from copilot.domain import (
    Consent,
    EmotionReading,
    Note,
    ProsodyReading,
    RiskFlag,
    Role,
    Session,
    Utterance,
)
from copilot.errors import ConsentError, CopilotError, DeviceError
from copilot.events import EmotionEvent as EmotionEventModel
from copilot.events import (
    EventBus,
    LevelEvent,
    LiveState,
    NoteEvent,
    PartialEvent,
    RevisionEvent,
    RiskEvent,
    StateEvent,
    StatusEvent,
    StatusLevel,
    UtteranceEvent,
)
from copilot.memory import release_free_memory
from copilot.pipeline import load_engine, new_session_id
from copilot.plugins import registry
from copilot.report import write_report
from copilot.settings import Settings, home
from copilot.storage.repository import SessionStore
from copilot.transcription.context import SpeakerContext, decode_final
from copilot.transcription.engine import LIVE_OPTIONS, AsrSegment, Transcriber
from copilot.transcription.hallucinations import join_words
from copilot.transcription.regions import channel_segments
from copilot.transcription.revision import Final, RevisionQueue, assign, revised
from copilot.transcription.streaming import Job, StreamParams, UtteranceSegmenter

RING_S = 120.0  # audio kept per source for bleed checks and prosody
LEVEL_EVERY_S = 0.1
RETRY_EVERY_S = 2.0
# Back-pressure: how far behind the finals may fall before the next step down.
DEGRADE_LAG_S = (2.5, 5.0, 12.0)
DEGRADE_STEPS = (
    "normal",
    "longer chunks, fewer partials, each utterance decoded alone",
    "no partial text",
    "recording now, transcribing after the session",
)
RECOVER_AFTER_S = 20.0
# How long a microphone final may wait for the call audio under it. Waiting costs the client's
# finals nothing: the call's pump, which is behind, is the one that makes them.
CALL_WAIT_S = 5.0
EMOTION_CONTEXT = 6


@dataclass
class LiveOptions:
    mic: str | None = None
    call: str | None = None
    client_label: str = "Client"
    model: str = "tiny.en"
    threads: int = 1  # each of the two engines (Settings.live_threads)
    keep_audio: bool = False
    keep_audio_as: Literal["ogg", "flac"] = "ogg"  # flac: lossless, to analyse the same samples
    partials: bool = True
    revise: bool = True  # the second pass (copilot.transcription.revision)


class Ring:
    """The last RING_S seconds of one source, addressed by session time."""

    def __init__(self, seconds: float = RING_S):
        self.size = int(seconds * SAMPLE_RATE)
        self.data = np.zeros(self.size, dtype=np.float32)
        self.end = 0.0  # session time just after the newest sample
        self._lock = threading.Lock()
        self._written = threading.Condition(self._lock)

    def write(self, audio: np.ndarray, start: float) -> None:
        with self._lock:
            n = min(len(audio), self.size)
            gap = round((start - self.end) * SAMPLE_RATE)
            shift = max(0, gap) + n
            self.data = np.roll(self.data, -min(shift, self.size))
            if gap > 0:
                self.data[-shift:] = 0.0
            self.data[-n:] = audio[-n:]
            self.end = start + len(audio) / SAMPLE_RATE
            self._written.notify_all()

    def wait_until(self, time_s: float, timeout: float) -> bool:
        """Block until the ring holds audio up to session time `time_s`, or `timeout` passes."""
        with self._written:
            return self._written.wait_for(lambda: self.end >= time_s, timeout)

    def read(self, start: float, end: float) -> np.ndarray:
        with self._lock:
            lo = round((start - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
            hi = round((end - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
            out = np.zeros(max(0, hi - lo), dtype=np.float32)
            a, b = max(lo, 0), min(hi, self.size)
            if b > a:
                out[a - lo : b - lo] = self.data[a:b]
            return out


@dataclass
class _Pump:
    source: AudioSource
    segmenter: UtteranceSegmenter
    raw: queue.Queue[np.ndarray] = field(default_factory=queue.Queue)
    ring: Ring = field(default_factory=Ring)
    failed: str | None = None
    last_retry: float = 0.0
    last_level: float = 0.0
    convert: ToMono16k | None = None
    recorder: RoleRecorder | None = None  # only when the therapist chose to keep the audio


class LiveSession:
    def __init__(
        self,
        options: LiveOptions,
        store: SessionStore | None = None,
        settings: Settings | None = None,
        sources: list[AudioSource] | None = None,
        engine: Transcriber | None = None,
        reviser: Transcriber | None = None,
    ):
        self.options = options
        self.settings = settings or Settings.load()
        self.store = store or SessionStore()
        self.bus = EventBus()
        self.state: LiveState = "idle"
        self.session_id: str | None = None
        self.report_path: Path | None = None
        self.consent: Consent | None = None
        self.degrade_step = 0
        self._sources = sources
        self._engine = engine
        # The second pass has a model of its own, so a final never waits behind a revision.
        self._reviser = reviser
        self._revisions: dict[Role, RevisionQueue] = {}
        self._revise_jobs: queue.Queue[tuple[Role, list[Final]] | None] = queue.Queue()
        self._pumps: dict[Role, _Pump] = {}
        self._jobs: queue.PriorityQueue[tuple[int, int, Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._finished_ids: set[int] = set()
        self._newest_partial: dict[int, int] = {}
        self._backlog: list[Path] = []
        self._heard: dict[Role, SpeakerContext] = {}  # each speaker's last seconds, for finals
        self._utterances: list[Utterance] = []
        self._prosody: list[ProsodyReading] = []
        self._flags: list[RiskFlag] = []
        self._seq = 0
        self._started = 0.0
        self._running = threading.Event()
        self._paused = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._calm_since = 0.0
        self._emotion: object = None

    # the public controls ----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[BaseModel], None]) -> Callable[[], None]:
        return self.bus.subscribe(callback)

    def record_consent(self, consent: Consent) -> None:
        self.consent = consent
        if self.session_id:
            self.store.record_consent(self.session_id, consent)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started if self._started else 0.0

    def start(self) -> str:
        if self.state != "idle":
            raise CopilotError(f"the session is already {self.state}")
        if self.consent is None:
            raise ConsentError(
                "no recording starts before consent is recorded (who consented, verbal or "
                "written, when)"
            )
        sources = self._sources if self._sources is not None else self._device_sources()
        if not sources:
            raise DeviceError("no audio source: choose the microphone and/or the call audio")
        self._engine = self._engine or load_engine(self.options.model, self.options.threads)
        if self.options.revise and self._reviser is None:
            self._reviser = load_engine(self.options.model, 1, slot="second pass")
        self._emotion = registry().create("emotion", self.settings.emotion_engine)
        default_risk_detector()  # loaded now, so the first flag does not wait for the encoder
        self.session_id = new_session_id()
        self.store.create(
            Session(
                id=self.session_id,
                client_label=self.options.client_label,
                source="live",
                source_name=", ".join(f"{s.role}: {s.name}" for s in sources),
                model=self._engine.name,
                consent=self.consent,
                diarization="live: the microphone is the therapist, the call audio the client",
            )
        )
        self._started = time.monotonic()
        self._running.set()
        for source in sources:
            self._add_pump(source)
        # Opened back to back, after every pump is ready: each source's clock starts when it
        # opens, and a skew between them beyond the bleed check's 200 ms lag window would hide
        # the call's voice in the microphone.
        for pump in self._pumps.values():
            self._open(pump)
        for role, pump in self._pumps.items():
            self._spawn(functools.partial(self._pump, pump), f"pump-{role}")
        self._spawn(self._work, "asr-worker")
        if self.options.revise:
            self._spawn(self._revise_loop, "reviser")
        self._spawn(self._monitor, "monitor")
        self._set_state("recording")
        return self.session_id

    def pause(self) -> None:
        if self.state != "recording":
            return
        self._paused.set()
        for pump in self._pumps.values():
            pump.source.stop()
        self._set_state("paused")

    def resume(self) -> None:
        if self.state != "paused":
            return
        self._paused.clear()
        for pump in self._pumps.values():
            self._open(pump)
        self._set_state("recording")

    def add_note(self, text: str) -> Note:
        if not self.session_id:
            raise CopilotError("notes belong to a session: start one first")
        note = Note(at=round(self.elapsed_s, 2), text=text.strip())
        self.store.add_note(self.session_id, note)
        self.bus.publish(NoteEvent(note=note))
        return note

    def acknowledge_risk(self, utterance_seq: int, category: str) -> None:
        if not self.session_id:
            raise CopilotError("no session")
        self.store.acknowledge_risk(self.session_id, utterance_seq, category)

    def stop(self) -> Analysed:
        if self.state in ("idle", "stopped") or not self.session_id:
            raise CopilotError("no session is recording")
        self._set_state("stopping")
        for pump in self._pumps.values():
            pump.source.stop()
        self._running.clear()
        for thread in self._threads:
            if thread.name.startswith("pump-"):
                thread.join()
        self._jobs.put((9, next(self._order), None))  # the worker stops after the last job
        for thread in self._threads:
            if thread.name != "reviser":
                thread.join()
        self._submit_revisions(everything=True)
        self._revise_jobs.put(None)  # the reviser stops after the last window
        for thread in self._threads:
            thread.join()
        self._drain_backlog()
        self._keep_audio()
        result = analyse_session(
            self.store,
            self.session_id,
            audio_path=None,
            settings=self.settings,
            prosody_readings=prosody_analysis.against_baseline(self._prosody),
        )
        self.report_path = home() / "reports" / f"{self.session_id}.html"
        write_report(result.export, self.report_path)
        self._set_state("stopped")
        return result

    def _keep_audio(self) -> None:
        recorders = {role: p.recorder for role, p in self._pumps.items() if p.recorder}
        if not recorders or not self.session_id:
            return
        for recorder in recorders.values():
            recorder.close()
        left, right = recorders.get("therapist"), recorders.get("client")
        out = home() / "audio" / f"{self.session_id}.{self.options.keep_audio_as}"
        join_stereo(left.path if left else None, right.path if right else None, out)
        for recorder in recorders.values():
            recorder.path.unlink(missing_ok=True)
        self.store.update(self.session_id, audio_path=str(out))

    # sources and pumps ------------------------------------------------------------------------

    def _device_sources(self) -> list[AudioSource]:
        from copilot.audio.capture import DeviceSource

        found: list[AudioSource] = []
        if self.options.mic:
            found.append(DeviceSource(self.options.mic, "therapist"))
        if self.options.call:
            found.append(DeviceSource(self.options.call, "client"))
        return found

    def _add_pump(self, source: AudioSource) -> None:
        from copilot.transcription.engine import SileroVad

        params = StreamParams(partials=self.options.partials)
        segmenter = UtteranceSegmenter(source.role, SileroVad(), params)
        pump = _Pump(source, segmenter)
        if self.options.keep_audio:
            pump.recorder = RoleRecorder(home() / "audio" / f"{self.session_id}-{source.role}.flac")
        self._pumps[source.role] = pump

    def _open(self, pump: _Pump) -> None:
        pump.convert = ToMono16k(pump.source.sample_rate, pump.source.channels)
        jobs = pump.segmenter.jump_to(self.elapsed_s)
        for job in jobs:
            self._submit(job)

        def failed(message: str, pump: _Pump = pump) -> None:
            if self.state == "recording" and pump.failed is None:
                pump.failed = message
                pump.last_retry = time.monotonic()
                others = [r for r, p in self._pumps.items() if p is not pump and not p.failed]
                tail = f"; continuing with the {others[0]} audio" if others else ""
                self._status("warning", f"{message}{tail}; retrying")

        pump.source.start(pump.raw.put_nowait, failed)

    def _pump(self, pump: _Pump) -> None:
        while self._running.is_set() or not pump.raw.empty():
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

    def _meter(self, pump: _Pump, audio: np.ndarray) -> None:
        now = time.monotonic()
        if now - pump.last_level < LEVEL_EVERY_S:
            return
        pump.last_level = now
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        self.bus.publish(
            LevelEvent(
                role=pump.source.role,
                rms_db=round(span_level_db(audio), 1),
                peak_db=round(20 * float(np.log10(max(peak, 1e-6))), 1),
            )
        )

    def _submit(self, job: Job) -> None:
        if job.final:
            if not job.cut:  # the turn is over: its pending partials are stale
                self._finished_ids.add(job.utterance_id)
            self._jobs.put((0, next(self._order), job))
            return
        if self.degrade_step >= 2:
            return
        order = next(self._order)
        self._newest_partial[job.utterance_id] = order
        self._jobs.put((1, order, job))

    # the worker -------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            _priority, order, job = self._jobs.get()
            if job is None:
                if self._jobs.empty():
                    return
                self._jobs.put((9, next(self._order), None))
                continue
            try:
                if job.final:
                    self._final(job)
                elif self._newest_partial.get(job.utterance_id) == order and (
                    job.utterance_id not in self._finished_ids
                ):
                    self._partial(job)
            except CopilotError as exc:
                self._status("error", str(exc))
            except Exception as exc:  # the session goes on; the therapist is told
                self._status("error", f"transcription failed for one utterance: {exc}")

    def _partial(self, job: Job) -> None:
        if self._is_bleed(job):
            return
        assert self._engine is not None
        segments = self._engine.transcribe(job.audio, offset=job.start, **LIVE_OPTIONS)
        words = [w for s in segments for w in s.words]
        segmenter = self._pumps[job.role].segmenter
        committed, unstable = segmenter.agreement.update(words)
        self.bus.publish(
            PartialEvent(
                role=job.role,
                start=round(job.start, 2),
                stable=join_words(committed),
                unstable=join_words(unstable),
            )
        )

    def _final(self, job: Job) -> None:
        other = self._other_audio(job, wait=True)
        if self.degrade_step >= 3 and self.state == "recording":
            self._defer(job, other)
            return
        self._commit_final(job, other)

    def _commit_final(self, job: Job, other: np.ndarray | None) -> None:
        """Decode a final, drop what is the call leaking into the microphone, store, publish."""
        if other is not None and is_bleed(job.audio, other):
            return
        segments = self._decode_final(job)
        if other is not None:
            kept = [drop_bleed(s, job.audio, other, job.start) for s in segments]
            segments = [s for s in kept if s is not None]
        words = [w for s in segments for w in s.words]
        if not words:
            return
        with self._lock:
            utterance = Utterance(
                seq=self._seq,
                role=job.role,
                start=words[0].start,
                end=words[-1].end,
                text=join_words(words),
                words=words,
                confidence=round(float(np.mean([w.probability for w in words])), 4),
            )
            self._seq += 1
            previous = self._utterances[-1] if self._utterances else None
            self._utterances.append(utterance)
        assert self.session_id is not None
        self.store.append(self.session_id, [utterance])
        self.bus.publish(UtteranceEvent(utterance=utterance, speech_end_s=round(job.speech_end, 3)))
        self._analyse(utterance, job, previous)
        if self.options.revise:
            end = job.start + len(job.audio) / SAMPLE_RATE
            with self._lock:
                self._revisions.setdefault(job.role, RevisionQueue()).add(
                    Final(utterance.seq, job.start, end)
                )
            self._submit_revisions()

    def _decode_final(self, job: Job) -> list[AsrSegment]:
        """The job's words, decoded after the speaker's last seconds unless the machine is busy."""
        assert self._engine is not None
        heard = self._heard.setdefault(job.role, SpeakerContext())
        return decode_final(self._engine, heard, job.audio, job.start, alone=self.degrade_step > 0)

    def _analyse(self, utterance: Utterance, job: Job, previous: Utterance | None) -> None:
        """Risk at once for every client utterance; then its emotional reading and prosody."""
        if utterance.role == "therapist":
            return
        self._flag_risk(utterance)
        context = [u for u in self._utterances[-EMOTION_CONTEXT:]]
        readings: list[EmotionReading] = self._emotion.read(context)  # type: ignore[attr-defined]
        reading = next((r for r in readings if r.utterance_seq == utterance.seq), None)
        voice = prosody_analysis.raw_reading(utterance, measure(job.audio), previous)
        self._prosody.append(voice)
        relative = prosody_analysis.against_baseline(self._prosody)[-1]
        if reading is not None:
            self.bus.publish(EmotionEventModel(reading=reading, prosody=relative))

    def _flag_risk(self, utterance: Utterance) -> None:
        """Raise each kind of flag on this utterance once; a revision may find one the first
        text hid (or a graver kind in the same category)."""
        with self._lock:
            raised = {(f.utterance_seq, f.category, f.kind) for f in self._flags}
            new = [
                f
                for f in flag_utterances([utterance])
                if (f.utterance_seq, f.category, f.kind) not in raised
            ]
            self._flags.extend(new)
        for flag in new:
            self.bus.publish(RiskEvent(flag=flag))

    # the second pass ---------------------------------------------------------------------------

    def _submit_revisions(self, everything: bool = False) -> None:
        """Hand the reviser each speaker's finals that are due; not while the machine is busy
        (they wait, and the ring keeps their audio for a while), and all of them at the end."""
        if not self.options.revise or (self.degrade_step > 0 and not everything):
            return
        with self._lock:
            due = [
                (role, waiting.take())
                for role, waiting in self._revisions.items()
                if waiting.finals and (everything or waiting.due(self.elapsed_s))
            ]
        for item in due:
            self._revise_jobs.put(item)

    def _revise_loop(self) -> None:
        while (item := self._revise_jobs.get()) is not None:
            try:
                self._revise(*item)
            except Exception as exc:  # the first text stays; the therapist is told
                self._status("error", f"revising the transcript failed: {exc}")

    def _revise(self, role: Role, finals: list[Final]) -> None:
        """Decode the speaker's stretch again as a recording is; the finals take its words."""
        pump = self._pumps[role]
        kept_from = pump.ring.end - pump.ring.size / SAMPLE_RATE
        finals = [f for f in finals if f.start >= kept_from]  # older audio has left the ring
        if not finals or self._reviser is None or self.session_id is None:
            return
        lo, hi = finals[0].start, finals[-1].end
        call = self._pumps.get("client")
        other = call.ring.read(lo, hi) if role == "therapist" and call is not None else None
        segments = channel_segments(self._reviser, pump.ring.read(lo, hi), lo, other)
        release_free_memory()  # the window's transient buffers, before the next one
        words = assign(segments, finals)
        changed: list[tuple[str, Utterance]] = []
        with self._lock:
            for final in finals:
                before = self._utterances[final.seq]
                after = revised(before, words.get(final.seq, []))
                if after is not None:
                    self._utterances[final.seq] = after
                    changed.append((before.text, after))
        self.store.revise_utterances(self.session_id, [u for _, u in changed])
        for previous, utterance in changed:
            self.bus.publish(RevisionEvent(utterance=utterance, previous_text=previous))
            if utterance.role == "client":
                self._flag_risk(utterance)

    def _other_audio(self, job: Job, wait: bool = False) -> np.ndarray | None:
        """The call audio under a microphone job: bleed is the call arriving at the mic.

        With `wait`, a final waits for the call's pump to have written that stretch: on a busy
        machine it can run behind the microphone's, and the stretch read too early is silence,
        under which the client's words would pass as the therapist's.
        """
        call = self._pumps.get("client")
        if job.role != "therapist" or call is None:
            return None
        end = job.start + len(job.audio) / SAMPLE_RATE
        if wait and self._running.is_set() and call.failed is None:
            call.ring.wait_until(end, CALL_WAIT_S)
        return call.ring.read(job.start, end)

    def _is_bleed(self, job: Job) -> bool:
        """A microphone stretch that is only the client's voice from the loudspeakers."""
        other = self._other_audio(job)
        return other is not None and is_bleed(job.audio, other)

    # back-pressure ----------------------------------------------------------------------------

    def _monitor(self) -> None:
        while self._running.is_set():
            time.sleep(0.5)
            self.bus.publish(
                StateEvent(
                    state=self.state, session_id=self.session_id, elapsed_s=round(self.elapsed_s, 1)
                )
            )
            self._pressure()
            self._submit_revisions()  # a quiet speaker's finals, before the ring lets them go
            self._retry_devices()

    def lag_s(self) -> float:
        """How far the oldest waiting final is behind the present."""
        with self._jobs.mutex:
            ends = [job.speech_end for _p, _o, job in self._jobs.queue if job and job.final]
        return max(0.0, self.elapsed_s - min(ends)) if ends else 0.0

    def _pressure(self) -> None:
        lag = self.lag_s()
        step = self.degrade_step
        if step < 3 and lag > DEGRADE_LAG_S[step]:
            self._degrade(step + 1)
            self._calm_since = 0.0
        elif step > 0 and lag < 1.0:
            self._calm_since = self._calm_since or time.monotonic()
            if time.monotonic() - self._calm_since > RECOVER_AFTER_S:
                self._degrade(step - 1)
                self._calm_since = 0.0
        else:
            self._calm_since = 0.0

    def _degrade(self, step: int) -> None:
        self.degrade_step = step
        for pump in self._pumps.values():
            params = pump.segmenter.params
            params.partial_every_s = 2.0 * (2 if step >= 1 else 1)
            params.max_utterance_s = 15.0 * (2 if step >= 1 else 1)
            params.partials = self.options.partials and step < 2
        if step == 0:
            self._status("info", "keeping up again: full live transcription", degrade_step=0)
        else:
            self._status(
                "warning",
                f"the computer is busy: {DEGRADE_STEPS[step]} (step {step} of 3)",
                degrade_step=step,
            )

    def _defer(self, job: Job, other: np.ndarray | None) -> None:
        """Step 3: keep the audio on disk, transcribe after the session. The call audio under a
        microphone job is kept beside it: the ring will have moved on by then."""
        folder = home() / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.session_id}-{len(self._backlog):05d}.npz"
        np.savez(
            path,
            audio=job.audio,
            meta=np.array([job.start, job.speech_end]),
            role=np.array(job.role),
            other=np.zeros(0, dtype=np.float32) if other is None else other,
            has_other=np.array(other is not None),
        )
        self._backlog.append(path)

    def _drain_backlog(self) -> None:
        if self._backlog:
            self._status(
                "info", f"transcribing {len(self._backlog)} utterances recorded while busy"
            )
        for path in self._backlog:
            with np.load(path) as data:
                start, end = (float(x) for x in data["meta"])
                role: Role = str(data["role"])  # type: ignore[assignment]
                job = Job(role, 0, start, data["audio"], True, end)
                other = data["other"] if bool(data["has_other"]) else None
            self._commit_final(job, other)
            path.unlink(missing_ok=True)
        self._backlog.clear()

    def _retry_devices(self) -> None:
        for pump in self._pumps.values():
            if not pump.failed or self.state != "recording":
                continue
            if time.monotonic() - pump.last_retry < RETRY_EVERY_S:
                continue
            pump.last_retry = time.monotonic()
            pump.source.stop()
            try:
                self._open(pump)
            except CopilotError:
                continue
            pump.failed = None
            self._status("info", f"{pump.source.role} audio is back")

    # helpers ----------------------------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=self._guard(target, name), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _guard(self, target: Callable[[], None], name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception as exc:  # a worker that dies tells the therapist
                self._status("error", f"{name} stopped: {exc}")

        return run

    def _set_state(self, state: LiveState) -> None:
        self.state = state
        self.bus.publish(
            StateEvent(state=state, session_id=self.session_id, elapsed_s=round(self.elapsed_s, 1))
        )

    def _status(self, level: StatusLevel, message: str, degrade_step: int | None = None) -> None:
        self.bus.publish(StatusEvent(level=level, message=message, degrade_step=degrade_step))
