"""What the window's views share: the store, and the live session running, if any."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.window.support import Result

if TYPE_CHECKING:
    from copilot.live import LiveSession

RUNNING = ("recording", "paused", "stopping")
T = TypeVar("T")
Args = dict[str, Any] | None  # a page call's one dict of keyword arguments


class LockedStore:
    """The window's one store, shared by the views; page calls arrive each on its own thread,
    so `with locked as store:` holds it for a read and the write that follows it."""

    def __init__(self, store: SessionStore):
        self._store = store
        self._lock = threading.RLock()

    def __enter__(self) -> SessionStore:
        self._lock.acquire()
        return self._store

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class StoreView:
    """A view whose page calls work on the window's store and read its settings."""

    def __init__(self, db: LockedStore, settings: Settings):
        self._db = db
        self._settings = settings

    def _held(self, call: Callable[..., T], args: Args, *before: object) -> T:
        """`call(store, *before, **args)` with the store held for the call."""
        with self._db as store:
            return call(store, *before, **dict(args or {}))


class CurrentSession:
    def __init__(self) -> None:
        self.live: LiveSession | None = None
        self.unsubscribe: Callable[[], None] | None = None
        self.lock = threading.RLock()  # start and stop, one at a time

    @property
    def state(self) -> str:
        return self.live.state if self.live is not None else "idle"

    def require(self) -> LiveSession:
        if self.live is None or self.live.state in ("idle", "stopped"):
            raise CopilotError("no session is recording")
        return self.live

    def snapshot(self) -> Result | None:
        live = self.live
        if live is None or live.state in ("idle", "stopped"):
            return None
        return {"state": live.state, "session_id": live.session_id, "elapsed_s": live.elapsed_s}

    def is_running(self, session_id: str) -> bool:
        live = self.live
        return live is not None and live.session_id == session_id and live.state in RUNNING

    def refuse_if_live(self, session_id: str, doing: str) -> None:
        live = self.live
        if live is not None and live.session_id == session_id and live.state != "stopped":
            raise CopilotError(f"this session is still recording: stop it before {doing} it")

    def detach(self) -> None:
        if self.unsubscribe:
            self.unsubscribe()
            self.unsubscribe = None
