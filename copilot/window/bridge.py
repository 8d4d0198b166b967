"""The window's API: one facade object the page calls, with one API object per view.

pywebview exposes the facade's public methods as `window.pywebview.api.<name>(...)` and walks
its public attributes, so each view object's methods arrive as
`window.pywebview.api.<view>.<name>(...)`; the page calls them as `SC.api('<view>.<name>', ...)`.
Nested objects rather than one flat list of delegating methods: a new view is one class and
one line here, and its names cannot clash with another view's. Everything else on the facade
and the views is private (a leading underscore), so nothing but page calls is exposed.

Each call returns a JSON-able dict; an error comes back as {"error": "one readable line"}.
Live events reach the page as `window.copilot.receive([...])` batches through the window
itself. No HTTP port carries session data.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pydantic import BaseModel

from copilot import __version__
from copilot.protection import lock as app_lock
from copilot.settings import Settings, home
from copilot.storage.journal import JournalStore
from copilot.storage.repository import SessionStore
from copilot.transcription.speed import table_path
from copilot.window.current import CurrentSession, LockedStore
from copilot.window.live import LiveApi
from copilot.window.lock import LockApi, LockEvent, LockWatcher
from copilot.window.models import ModelsApi
from copilot.window.practice import PracticeApi
from copilot.window.preferences import PreferencesApi, WindowPrefs, load_prefs
from copilot.window.reflection import ReflectionApi
from copilot.window.review import ReviewApi
from copilot.window.risk_feedback import RiskFeedbackApi
from copilot.window.start import SessionFactory, StartApi, installed_models
from copilot.window.supervision import SupervisionApi
from copilot.window.support import (
    Host,
    Meters,
    Pusher,
    Result,
    answers,
    python_side,
    while_locked,
)

if TYPE_CHECKING:
    from copilot.audio.sources import AudioSource
    from copilot.live import LiveOptions, LiveSession


class Bridge:
    """The page's API. Page calls arrive each on its own thread."""

    def __init__(
        self,
        store: SessionStore,
        settings: Settings,
        review_session_id: str | None = None,
        session_factory: SessionFactory | None = None,
        journal: JournalStore | None = None,
    ):
        """`store`, `settings` and `journal` are the window's, opened once where it starts;
        whoever opened them closes them (a journal the bridge had to open, it closes)."""
        self._review_id = review_session_id
        self._store = store
        self._settings = settings
        self._own_journal = journal is None
        self._journal = journal or JournalStore()
        self._host: Host | None = None
        self._pusher: Pusher | None = None
        self._meters = Meters(self._send)
        self._current = CurrentSession()
        self._ready = threading.Event()
        self._folder = home()
        self._watcher = LockWatcher(self._folder, lambda now: self._send(LockEvent(locked=now)))
        db = LockedStore(self._store)
        factory = session_factory or self._new_live_session
        # The views: one line each.
        self.start = StartApi(
            self._settings, self._current, self._meters, self._send, factory, self._get_host
        )
        self.live = LiveApi(db, self._current)
        self.review = ReviewApi(db, self._settings, self._current)
        self.risk_feedback = RiskFeedbackApi(db)
        self.reflection = ReflectionApi(db, self._journal, self._settings)
        self.practice = PracticeApi(db, self._settings)
        self.preferences = PreferencesApi(self._settings, self._get_host)
        self.supervision = SupervisionApi(db, self._settings)
        self.applock = LockApi(self._folder, self._settings, self._send)
        self.models = ModelsApi(
            self._settings,
            self._current,
            self._send,
            table_path(home()),
            lambda: installed_models(self._settings.asr_model),
        )

    # called by the page ------------------------------------------------------------------------

    @answers
    @while_locked
    def app_info(self) -> Result:
        """What the page boots with; while locked, nothing that names a session."""
        from copilot.report import FALLBACK_COLOURS, STATE_COLOURS

        settings = self._settings
        locked = app_lock.is_locked(self._folder)
        return {
            "version": __version__,
            "lock": self.applock.state(),
            "review_session_id": None if locked else self._review_id,
            "prefs": load_prefs().model_dump(),
            "colours": STATE_COLOURS,
            "fallback_colours": list(FALLBACK_COLOURS),
            "models": installed_models(settings.asr_model),
            "defaults": {
                "mic": settings.mic_device,
                "call": settings.call_device,
                "model": settings.asr_model,
                "keep_audio": settings.keep_audio,
            },
            "live": None if locked else self._current.snapshot(),
        }

    @answers
    @while_locked
    def page_ready(self) -> Result:
        self._ready.set()
        return {"ok": True}

    # wiring (Python side only) ----------------------------------------------------------------

    @python_side
    def attach(self, host: Host) -> None:
        self._host = host
        self._pusher = Pusher(host.run_js)
        self._watcher.start()

    @python_side
    def publish(self, event: BaseModel) -> None:
        """What a live session's subscriber calls, from its worker threads."""
        self._send(event)

    @python_side
    def shutdown(self) -> None:
        """The window closed: a recording still running is stopped and analysed, not lost."""
        self._meters.stop()
        self._watcher.stop()
        self.models.close()
        with self._current.lock:
            live = self._current.live
            if live is not None and live.state in ("recording", "paused"):
                live.stop()
            self._current.detach()
        if self._pusher:
            self._pusher.close()
        if self._own_journal:
            self._journal.close()

    @python_side
    def wait_ready(self, timeout: float | None = None) -> bool:
        """Until the page has rendered its first view and can be used."""
        return self._ready.wait(timeout)

    @python_side
    def live_state(self) -> str:
        return self._current.state

    @python_side
    def prefs(self) -> WindowPrefs:
        return load_prefs()

    def _send(self, event: BaseModel) -> None:
        """To the page; while locked, only the lock's own events (a live session goes on
        recording and storing, the page is shown none of it)."""
        if self._pusher is None:
            return
        if isinstance(event, LockEvent) or not app_lock.is_locked(self._folder):
            self._pusher.send(event)

    def _get_host(self) -> Host | None:
        return self._host

    def _new_live_session(
        self, options: LiveOptions, sources: list[AudioSource] | None
    ) -> LiveSession:
        from copilot.live import LiveSession

        # The recording writes from its worker threads on a connection of its own.
        return LiveSession(options, self._store.another(), self._settings, sources=sources)
