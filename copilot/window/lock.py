"""The app lock in the window: lock now, unlock with the passphrase, the idle minutes, and a
watcher that tells the page when another process (`session-copilot lock`) locked or unlocked.

The page answers a change by reloading itself, so nothing of a session stays in its DOM or
its memory; while locked it boots to the lock screen and asks for nothing else (every other
page call is refused anyway, see `support.answers`), and the bridge pushes it no live event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from copilot.errors import CopilotError
from copilot.periodic import Periodic
from copilot.protection import lock as app_lock
from copilot.settings import Settings
from copilot.window.support import Result, Send, answers, while_locked

WATCH_EVERY_S = 1.0


class LockEvent(BaseModel):
    type: Literal["lock"] = "lock"
    locked: bool


class LockApi:
    def __init__(self, folder: Path, settings: Settings, send: Send):
        self._folder = folder
        self._settings = settings
        self._send = send

    @answers
    @while_locked
    def state(self) -> Result:
        return {
            "locked": app_lock.is_locked(self._folder),
            "can_lock": app_lock.can_lock(self._folder),
            "idle_minutes": self._settings.lock_after_minutes,
        }

    @answers
    @while_locked
    def lock(self, why: str = "window") -> Result:
        app_lock.lock(self._folder, "idle" if why == "idle" else "window")
        self._send(LockEvent(locked=True))
        return self.state()

    @answers
    @while_locked
    def unlock(self, passphrase: str) -> Result:
        app_lock.unlock(self._folder, str(passphrase or ""))
        self._send(LockEvent(locked=False))
        return self.state()

    @answers
    def set_idle_minutes(self, minutes: int) -> Result:
        minutes = int(minutes)
        if minutes < 0 or minutes > 24 * 60:
            raise CopilotError("idle minutes: 0 (never) to 1440")
        if minutes and not app_lock.can_lock(self._folder):
            raise CopilotError(app_lock.NEEDS_PASSPHRASE)
        self._settings.lock_after_minutes = minutes
        self._settings.save()
        return self.state()


class LockWatcher(Periodic):
    """Looks at the lock file once a second and reports each change (a lock from the CLI)."""

    def __init__(self, folder: Path, changed: Callable[[bool], None]):
        super().__init__("lock-watcher", WATCH_EVERY_S, join_s=2)
        self._folder = folder
        self._changed = changed
        self._last: app_lock.LockState | None = None

    def start(self) -> None:
        # The lock itself (its time), not only locked or not: an unlock and a new lock
        # between two looks is still a change the page must follow.
        self._last = app_lock.state(self._folder)
        super().start()

    def tick(self) -> None:
        now = app_lock.state(self._folder)
        if now != self._last:
            self._last = now
            self._changed(now is not None)
