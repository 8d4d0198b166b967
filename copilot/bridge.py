"""The window's API: the one object the page calls, and the pusher of live events to the page.

pywebview exposes every public method to the page as `window.pywebview.api.<name>(...)`; each
returns a JSON-able dict, and an error comes back as {"error": "one readable line"}. Live events
reach the page as `window.copilot.receive([...])` batches through the window itself. No HTTP
port carries session data.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Protocol

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from copilot import __version__
from copilot.domain import Consent, ConsentMethod, Utterance
from copilot.errors import CopilotError, DeviceError
from copilot.events import LevelEvent
from copilot.settings import Settings, home
from copilot.storage.repository import SessionStore

if TYPE_CHECKING:
    from copilot.audio.sources import AudioSource
    from copilot.session import LiveOptions, LiveSession

log = logging.getLogger(__name__)
P = ParamSpec("P")
Result = dict[str, Any]
SessionFactory = Callable[["LiveOptions", "list[AudioSource] | None"], "LiveSession"]
RECORDING_TYPES = ("wav", "flac", "mp3", "m4a", "ogg", "opus", "webm", "mp4")
CONSENT_FUTURE_SLACK = timedelta(minutes=5)


class Host(Protocol):
    """What the bridge needs from the window that shows the page."""

    def run_js(self, script: str) -> None: ...

    def set_on_top(self, on_top: bool) -> None: ...

    def choose_file(self) -> str | None: ...


class WindowPrefs(BaseModel):
    font_scale: float = Field(default=1.0, ge=0.75, le=2.0)
    on_top: bool = False


def python_side(function: Callable[P, Any]) -> Callable[P, Any]:
    """Keep a method out of the page's API (pywebview skips non-serializable attributes)."""
    function._serializable = False  # type: ignore[attr-defined]
    return function


def answers(function: Callable[P, Result]) -> Callable[P, Result]:
    """A page call never raises: a user error, or any other failure, becomes one line."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> Result:
        try:
            return function(*args, **kwargs)
        except CopilotError as exc:
            return {"error": str(exc)}
        except ValidationError as exc:
            first = exc.errors()[0]
            return {"error": f"{'.'.join(map(str, first['loc']))}: {first['msg']}"}
        except Exception as exc:  # the page shows it; the log keeps the trace
            log.exception("window call %s failed", function.__name__)
            return {"error": f"unexpected error: {type(exc).__name__}: {exc}".splitlines()[0]}

    return call


class Pusher:
    """Sends events to the page from one thread, so no session worker waits for the page.

    Whatever queued while the page was busy goes as one batch; of the level meters and the
    state only the newest of each counts."""

    def __init__(self, run_js: Callable[[str], object]):
        self._run_js = run_js
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.failures = 0
        self._thread = threading.Thread(target=self._loop, name="window-pusher", daemon=True)
        self._thread.start()

    def send(self, event: BaseModel | dict[str, Any]) -> None:
        self._queue.put(event.model_dump(mode="json") if isinstance(event, BaseModel) else event)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=2)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    self._push(batch)
                    return
                batch.append(item)
            self._push(batch)

    def _push(self, batch: list[dict[str, Any]]) -> None:
        payload = json.dumps(coalesce(batch), ensure_ascii=True, separators=(",", ":"))
        try:
            self._run_js(f"window.copilot&&window.copilot.receive({payload})")
        except Exception:  # a page reloading or a window closing: the next batch will do
            self.failures += 1


def coalesce(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop level and state events that a newer one of the same kind replaces."""
    newest: dict[tuple[str, str], int] = {}
    for i, event in enumerate(batch):
        if event.get("type") in ("level", "state"):
            newest[(event["type"], str(event.get("role", "")))] = i
    keep = set(newest.values())
    return [e for i, e in enumerate(batch) if e.get("type") not in ("level", "state") or i in keep]


class Meters:
    """Level meters for the start view: devices opened only to measure, nothing is kept."""

    def __init__(self, send: Callable[[BaseModel], None]):
        self._send = send
        self._sources: list[Any] = []
        self._last: dict[str, float] = {}

    def start(self, devices: dict[str, str]) -> None:
        from copilot.audio.capture import DeviceSource

        self.stop()
        for role, name in devices.items():
            source = DeviceSource(name, role)  # type: ignore[arg-type]
            source.start(functools.partial(self._level, source), lambda _message: None)
            self._sources.append(source)

    def _level(self, source: Any, block: np.ndarray) -> None:
        now = time.monotonic()
        if now - self._last.get(source.role, 0.0) < 0.1:
            return
        self._last[source.role] = now
        audio = np.asarray(block, dtype=np.float32).reshape(-1)
        rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        self._send(LevelEvent(role=source.role, rms_db=_db(rms), peak_db=_db(peak)))

    def stop(self) -> None:
        sources, self._sources = self._sources, []
        for source in sources:
            source.stop()


def _db(value: float) -> float:
    return round(20 * float(np.log10(max(value, 1e-6))), 1)


class Bridge:
    """The page's API. Public methods are called from the page, each on its own thread."""

    def __init__(
        self,
        review_session_id: str | None = None,
        store: SessionStore | None = None,
        session_factory: SessionFactory | None = None,
        settings: Settings | None = None,
    ):
        self._review_id = review_session_id
        self._store_given = store
        self._store_made: SessionStore | None = None
        self._factory = session_factory or _new_live_session
        self._settings = settings
        self._host: Host | None = None
        self._pusher: Pusher | None = None
        self._meters = Meters(self._send)
        self._live: LiveSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._store_lock = threading.RLock()
        self._live_lock = threading.RLock()
        self._ready = threading.Event()

    # wiring (Python side only) ----------------------------------------------------------------

    @python_side
    def attach(self, host: Host) -> None:
        self._host = host
        self._pusher = Pusher(host.run_js)

    @python_side
    def publish(self, event: BaseModel) -> None:
        """What a live session's subscriber calls, from its worker threads."""
        self._send(event)

    @python_side
    def shutdown(self) -> None:
        """The window closed: a recording still running is stopped and analysed, not lost."""
        self._meters.stop()
        with self._live_lock:
            live = self._live
            if live is not None and live.state in ("recording", "paused"):
                live.stop()
            if self._unsubscribe:
                self._unsubscribe()
        if self._pusher:
            self._pusher.close()
        if self._store_made is not None:
            self._store_made.close()

    @python_side
    def wait_ready(self, timeout: float | None = None) -> bool:
        """Until the page has rendered its first view and can be used."""
        return self._ready.wait(timeout)

    @python_side
    def live_state(self) -> str:
        return self._live.state if self._live is not None else "idle"

    @python_side
    def prefs(self) -> WindowPrefs:
        return self._load_prefs()

    def _send(self, event: BaseModel) -> None:
        if self._pusher is not None:
            self._pusher.send(event)

    @property
    def _store(self) -> SessionStore:
        if self._store_given is not None:
            return self._store_given
        if self._store_made is None:
            self._store_made = SessionStore()
        return self._store_made

    def _prefs_path(self) -> Path:
        return home() / "window.json"

    def _load_prefs(self) -> WindowPrefs:
        try:
            return WindowPrefs.model_validate_json(self._prefs_path().read_text("utf-8"))
        except (OSError, ValueError):
            return WindowPrefs()

    # start view -------------------------------------------------------------------------------

    @answers
    def app_info(self) -> Result:
        from copilot.report import FALLBACK_COLOURS, STATE_COLOURS

        settings = self._settings or Settings.load()
        return {
            "version": __version__,
            "review_session_id": self._review_id,
            "prefs": self._load_prefs().model_dump(),
            "colours": STATE_COLOURS,
            "fallback_colours": list(FALLBACK_COLOURS),
            "models": _models(settings.asr_model),
            "defaults": {
                "mic": settings.mic_device,
                "call": settings.call_device,
                "model": settings.asr_model,
                "keep_audio": settings.keep_audio,
            },
            "live": self._live_snapshot(),
        }

    @answers
    def page_ready(self) -> Result:
        self._ready.set()
        return {"ok": True}

    @answers
    def devices(self) -> Result:
        from copilot.audio.capture import list_devices

        found = list_devices()
        return {
            "devices": [
                {"name": d.name, "hostapi": d.hostapi, "channels": d.max_input_channels}
                for d in found
            ]
        }

    @answers
    def start_meters(self, mic: str | None, call: str | None) -> Result:
        chosen = {role: name for role, name in (("therapist", mic), ("client", call)) if name}
        if self.live_state() in ("recording", "paused"):
            return {"ok": False}
        self._meters.start(chosen)
        return {"ok": True}

    @answers
    def stop_meters(self) -> Result:
        self._meters.stop()
        return {"ok": True}

    @answers
    def choose_recording(self) -> Result:
        if self._host is None:
            raise CopilotError("no window to choose a file in")
        return {"path": self._host.choose_file()}

    @answers
    def start_session(self, form: dict[str, Any]) -> Result:
        request = StartRequest.model_validate(form)
        consent = request.consent()
        with self._live_lock:
            if self.live_state() in ("recording", "paused", "stopping"):
                raise CopilotError("a session is already running: stop it first")
            self._meters.stop()
            live = self._factory(request.options(), request.sources())
            live.record_consent(consent)
            unsubscribe = live.subscribe(self._send)
            try:
                session_id = live.start()
            except BaseException:
                unsubscribe()
                raise
            self._live, self._unsubscribe = live, unsubscribe
            if request.remember_devices and not request.replay:
                _remember_devices(request.mic, request.call)
        return {"session_id": session_id, "state": live.state}

    # live view --------------------------------------------------------------------------------

    def _require_live(self) -> LiveSession:
        if self._live is None or self._live.state in ("idle", "stopped"):
            raise CopilotError("no session is recording")
        return self._live

    def _live_snapshot(self) -> Result | None:
        live = self._live
        if live is None or live.state in ("idle", "stopped"):
            return None
        return {"state": live.state, "session_id": live.session_id, "elapsed_s": live.elapsed_s}

    @answers
    def pause(self) -> Result:
        live = self._require_live()
        live.pause()
        return {"state": live.state}

    @answers
    def resume(self) -> Result:
        live = self._require_live()
        live.resume()
        return {"state": live.state}

    @answers
    def stop_session(self) -> Result:
        with self._live_lock:
            live = self._require_live()
            result = live.stop()
            if self._unsubscribe:
                self._unsubscribe()
                self._unsubscribe = None
        return {
            "session_id": live.session_id,
            "notices": result.notices,
            "report_path": str(live.report_path) if live.report_path else None,
        }

    @answers
    def add_note(self, text: str) -> Result:
        if not str(text or "").strip():
            raise CopilotError("the note is empty")
        note = self._require_live().add_note(str(text))
        return {"note": note.model_dump(mode="json")}

    @answers
    def acknowledge_risk(
        self, utterance_seq: int, category: str, session_id: str | None = None
    ) -> Result:
        live = self._live
        if session_id is None or (live is not None and live.session_id == session_id):
            self._require_live().acknowledge_risk(int(utterance_seq), str(category))
        else:
            with self._store_lock:
                self._store.get(session_id)
                self._store.acknowledge_risk(session_id, int(utterance_seq), str(category))
        return {"acknowledged_at": datetime.now(UTC).isoformat()}

    @answers
    def set_on_top(self, on_top: bool) -> Result:
        if self._host is not None:
            self._host.set_on_top(bool(on_top))
        return self.set_prefs({"on_top": bool(on_top)})

    @answers
    def set_prefs(self, changes: dict[str, Any]) -> Result:
        prefs = self._load_prefs().model_copy(update=dict(changes))
        prefs = WindowPrefs.model_validate(prefs.model_dump())
        path = self._prefs_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(prefs.model_dump_json(), encoding="utf-8")
        return {"prefs": prefs.model_dump()}

    # review and the session list --------------------------------------------------------------

    @answers
    def sessions(self, query: str | None = None, client: str | None = None) -> Result:
        with self._store_lock:
            everyone = self._store.list_sessions()
            found = self._store.list_sessions(client=client or None, query=query or None)
        return {
            "sessions": [
                {
                    "id": s.id,
                    "client_label": s.client_label,
                    "created_at": s.created_at.isoformat(),
                    "duration_s": s.duration_s,
                    "status": s.status,
                    "source": s.source,
                }
                for s in found
            ],
            "clients": sorted({s.client_label for s in everyone}, key=str.lower),
        }

    @answers
    def session(self, session_id: str) -> Result:
        from copilot.analysis.run import build_export

        with self._store_lock:
            export = build_export(self._store, session_id)
            audio = self._audio_path(export.session.id)
        report = home() / "reports" / f"{export.session.id}.html"
        return {
            "export": export.model_dump(mode="json"),
            "audio_url": audio.as_uri() if audio else None,
            "report_path": str(report) if report.exists() else None,
            "live": self._live is not None
            and self._live.session_id == export.session.id
            and self._live.state in ("recording", "paused", "stopping"),
        }

    def _audio_path(self, session_id: str) -> Path | None:
        row = self._store.db.execute(
            "SELECT audio_path FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None or not row[0]:
            return None
        path = Path(row[0])
        return path if path.exists() else None

    @answers
    def correct_text(self, session_id: str, seq: int, text: str) -> Result:
        text = str(text or "").strip()
        if not text:
            raise CopilotError("a correction cannot be empty; the original stays as it was")
        with self._store_lock:
            self._store.correct_text(session_id, int(seq), text)
            utterance = _find(self._store.utterances(session_id), int(seq))
        return {"utterance": utterance.model_dump(mode="json")}

    @answers
    def swap_roles(self, session_id: str) -> Result:
        """Swap who said what; each name stays with its role."""
        with self._store_lock:
            names = _speaker_names(self._store.utterances(session_id))
            self._store.swap_roles(session_id)
            self._rename(session_id, names)
        return self.session(session_id)

    @answers
    def rename_speakers(self, session_id: str, names: dict[str, str]) -> Result:
        clean = {
            role: str(name).strip()[:60] for role, name in names.items() if role in _NAMED_ROLES
        }
        with self._store_lock:
            self._rename(session_id, clean)
        return self.session(session_id)

    def _rename(self, session_id: str, names: dict[str, str]) -> None:
        if not names:
            return
        utterances = self._store.utterances(session_id)
        renamed = [
            u.model_copy(update={"speaker": names.get(u.role) or None}) if u.role in names else u
            for u in utterances
        ]
        self._store.replace_utterances(session_id, renamed)

    @answers
    def reanalyse(self, session_id: str) -> Result:
        """Analyse the corrected transcript again; the session keeps its own end time."""
        from copilot.analysis.run import analyse_session
        from copilot.domain import ProsodyReading

        self._refuse_if_live(session_id, "re-analysing")
        with self._store_lock:
            session = self._store.get(session_id)
            voice = self._store.latest_list(session.id, "prosody", ProsodyReading)
            result = analyse_session(
                self._store, session.id, audio_path=None, settings=self._settings,
                prosody_readings=voice,
            )  # fmt: skip
            self._store.update(session.id, ended_at=session.ended_at, status=session.status)
        answer = self.session(session.id)
        answer["notices"] = result.notices
        return answer

    def _refuse_if_live(self, session_id: str, doing: str) -> None:
        live = self._live
        if live is not None and live.session_id == session_id and live.state != "stopped":
            raise CopilotError(f"this session is still recording: stop it before {doing} it")

    @answers
    def delete_session(self, session_id: str) -> Result:
        self._refuse_if_live(session_id, "deleting")
        with self._store_lock:
            session = self._store.get(session_id)
            self._store.delete(session.id)
        report = home() / "reports" / f"{session.id}.html"
        report.unlink(missing_ok=True)
        return {"deleted": session.id}

    # the therapist's own side ------------------------------------------------------------------

    @answers
    def reflection(self, action: str, args: dict[str, Any] | None = None) -> Result:
        """Prompts, answers, check-ins and trends from copilot.reflection.api, loaded lazily."""
        if action not in REFLECTION_ACTIONS:
            raise CopilotError(f"unknown reflection action {action!r}")
        try:
            api = importlib.import_module("copilot.reflection.api")
        except ImportError as exc:
            raise CopilotError(REFLECTION_MISSING) from exc
        function = getattr(api, action, None)
        if not callable(function):
            raise CopilotError(f"{REFLECTION_MISSING} ({action} is missing)")
        answer = function(**dict(args or {}))
        return answer if isinstance(answer, dict) else {"value": answer}

    @answers
    def practice(self, action: str, args: dict[str, Any] | None = None) -> Result:
        """Trainee practice (copilot.practice.view): private, never part of an export."""
        from copilot.practice.view import PracticeView

        if action not in PracticeView.ACTIONS:
            raise CopilotError(f"unknown practice action {action!r}")
        with self._store_lock:
            answer: Result = getattr(PracticeView(self._store), action)(**dict(args or {}))
        return answer

    @answers
    def reminders(self) -> Result:
        """Reminders due now, each with its session's pseudonym and date for the page."""
        settings = Settings.load()
        due = self.reflection("reminders_due") if settings.reminders else {"value": []}
        if "error" in due:
            return due
        found = []
        for reminder in due["value"]:
            with self._store_lock:
                try:
                    session = self._store.get(reminder["session_id"])
                except CopilotError:
                    continue  # its session was deleted: nothing left to reflect on
            found.append(
                {
                    **reminder,
                    "client_label": session.client_label,
                    "created_at": session.created_at.isoformat(),
                }
            )
        return {"enabled": settings.reminders, "reminders": found}

    @answers
    def set_reminders(self, on: bool) -> Result:
        settings = Settings.load()
        settings.reminders = bool(on)
        settings.save()
        return {"enabled": settings.reminders}


_NAMED_ROLES = ("therapist", "client")
REFLECTION_ACTIONS = (
    "prompts_for",
    "save_answers",
    "journal_entries",
    "checkin_form",
    "submit_checkin",
    "load_today",
    "trend_series",
    "reminders_due",
    "snooze_reminder",
    "dismiss_reminder",
)
REFLECTION_MISSING = (
    "reflection is not available in this installation; `session-copilot reflect` and "
    "`checkin` work on the command line"
)


class StartRequest(BaseModel):
    """The start form, as the page sends it."""

    client_label: str = Field(min_length=1, max_length=60)
    mic: str | None = None
    call: str | None = None
    replay: str | None = None
    model: str = "tiny.en"
    keep_audio: bool = False
    keep_audio_as: Literal["ogg", "flac"] = "ogg"
    partials: bool = True
    remember_devices: bool = True
    consent_given_by: str = ""
    consent_method: ConsentMethod | None = None
    consent_at: str | None = None  # local date and time as the page's clock showed it
    consent_note: str = ""
    consent_confirmed: bool = False

    def consent(self) -> Consent:
        from copilot.errors import ConsentError

        if not (self.consent_confirmed and self.consent_given_by.strip() and self.consent_method):
            raise ConsentError("record the consent first: who gave it, verbal or written, and when")
        when = _consent_time(self.consent_at)
        return Consent(
            given_by=self.consent_given_by.strip(),
            method=self.consent_method,
            recorded_at=when,
            note=self.consent_note.strip(),
        )

    def options(self) -> LiveOptions:
        from copilot.session import LiveOptions

        label = self.client_label.strip()
        if not label:
            raise CopilotError("give the client a pseudonym")
        settings = Settings.load()
        return LiveOptions(
            mic=None if self.replay else self.mic or None,
            call=None if self.replay else self.call or None,
            client_label=label,
            model=self.model or settings.asr_model,
            threads=settings.live_threads,
            keep_audio=self.keep_audio,
            keep_audio_as=self.keep_audio_as,
            partials=self.partials,
        )

    def sources(self) -> list[AudioSource] | None:
        if not self.replay:
            if not (self.mic or self.call):
                raise DeviceError("choose your microphone and/or the call audio")
            return None
        return replay_sources(Path(self.replay))


def replay_sources(path: Path) -> list[AudioSource]:
    """A recording played in real time: stereo is therapist left, client right."""
    from copilot.audio.files import check_path, probe
    from copilot.audio.sources import FileSource

    check_path(path)
    if probe(path).channels == 1:
        return [FileSource(path, 0, "client")]
    return [FileSource(path, 0, "therapist"), FileSource(path, 1, "client")]


def _consent_time(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CopilotError(f"the consent time {value!r} is not a date and time") from exc
    when = when.astimezone(UTC)  # a time without a zone is this computer's local time
    if when > datetime.now(UTC) + CONSENT_FUTURE_SLACK:
        raise CopilotError("the consent time is in the future")
    return when


def _new_live_session(options: LiveOptions, sources: list[AudioSource] | None) -> LiveSession:
    from copilot.session import LiveSession

    return LiveSession(options, sources=sources)


def _models(preferred: str) -> list[Result]:
    """The bundled model, and the other Whisper sizes already on this computer."""
    from copilot.errors import ModelError
    from copilot.transcription.models import BUNDLED_NAME, KNOWN_NAMES, resolve

    found = [{"name": BUNDLED_NAME, "label": f"{BUNDLED_NAME} (bundled)"}]
    for name in KNOWN_NAMES:
        if name == BUNDLED_NAME:
            continue
        try:
            resolve(name)
        except ModelError:
            continue
        found.append({"name": name, "label": name})
    if preferred not in {m["name"] for m in found}:
        found.append({"name": preferred, "label": f"{preferred} (from settings)"})
    return found


def _remember_devices(mic: str | None, call: str | None) -> None:
    settings = Settings.load()
    settings.mic_device, settings.call_device = mic or None, call or None
    settings.save()


def _speaker_names(utterances: list[Utterance]) -> dict[str, str]:
    names: dict[str, str] = {}
    for u in utterances:
        if u.speaker and u.role in _NAMED_ROLES:
            names.setdefault(u.role, u.speaker)
    return names


def _find(utterances: list[Utterance], seq: int) -> Utterance:
    from copilot.errors import SessionNotFound

    for u in utterances:
        if u.seq == seq:
            return u
    raise SessionNotFound(f"no utterance {seq}")
