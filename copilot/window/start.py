"""The start view: devices and level meters, the start form with its consent, the recording."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from copilot.domain import Consent, ConsentMethod
from copilot.errors import ConsentError, CopilotError, DeviceError
from copilot.settings import KEPT_AUDIO_DEFAULT, KeptAudio, Settings
from copilot.window.current import CurrentSession
from copilot.window.support import Host, Meters, Result, Send, answers

if TYPE_CHECKING:
    from copilot.audio.sources import AudioSource
    from copilot.live import LiveOptions, LiveSession

SessionFactory = Callable[["LiveOptions", "list[AudioSource] | None"], "LiveSession"]
RECORDING_TYPES = ("wav", "flac", "mp3", "m4a", "ogg", "opus", "webm", "mp4")
CONSENT_FUTURE_SLACK = timedelta(minutes=5)


class StartApi:
    def __init__(
        self,
        settings: Settings,
        current: CurrentSession,
        meters: Meters,
        send: Send,
        factory: SessionFactory,
        host: Callable[[], Host | None],
    ):
        self._settings = settings
        self._current = current
        self._meters = meters
        self._send = send
        self._factory = factory
        self._host = host

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
        if self._current.state in ("recording", "paused"):
            return {"ok": False}
        self._meters.start(chosen)
        return {"ok": True}

    @answers
    def stop_meters(self) -> Result:
        self._meters.stop()
        return {"ok": True}

    @answers
    def choose_recording(self) -> Result:
        host = self._host()
        if host is None:
            raise CopilotError("no window to choose a file in")
        return {"path": host.choose_file()}

    @answers
    def start_session(self, form: dict[str, Any]) -> Result:
        request = StartRequest.model_validate(form)
        consent = request.consent()
        with self._current.lock:
            if self._current.state in ("recording", "paused", "stopping"):
                raise CopilotError("a session is already running: stop it first")
            self._meters.stop()
            live = self._factory(request.options(self._settings), request.sources())
            live.record_consent(consent)
            unsubscribe = live.subscribe(self._send)
            try:
                session_id = live.start()
            except BaseException:
                unsubscribe()
                raise
            self._current.live, self._current.unsubscribe = live, unsubscribe
            if request.remember_devices and not request.replay:
                self._settings.mic_device = request.mic or None
                self._settings.call_device = request.call or None
                self._settings.save()
        return {"session_id": session_id, "state": live.state}


class StartRequest(BaseModel):
    """The start form, as the page sends it."""

    client_label: str = Field(min_length=1, max_length=60)
    mic: str | None = None
    call: str | None = None
    replay: str | None = None
    model: str = "tiny.en"
    keep_audio: bool = False
    keep_audio_as: KeptAudio = KEPT_AUDIO_DEFAULT
    partials: bool = True
    remember_devices: bool = True
    consent_given_by: str = ""
    consent_method: ConsentMethod | None = None
    consent_at: str | None = None  # local date and time as the page's clock showed it
    consent_note: str = ""
    consent_confirmed: bool = False

    def consent(self) -> Consent:
        if not (self.consent_confirmed and self.consent_given_by.strip() and self.consent_method):
            raise ConsentError("record the consent first: who gave it, verbal or written, and when")
        when = _consent_time(self.consent_at)
        return Consent(
            given_by=self.consent_given_by.strip(),
            method=self.consent_method,
            recorded_at=when,
            note=self.consent_note.strip(),
        )

    def options(self, settings: Settings) -> LiveOptions:
        from copilot.live import LiveOptions

        label = self.client_label.strip()
        if not label:
            raise CopilotError("give the client a pseudonym")
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


def installed_models(preferred: str) -> list[Result]:
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
