"""What every view of the window's API shares: the answer shape, the pusher, the level meters."""

from __future__ import annotations

import functools
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol

import numpy as np
from pydantic import BaseModel, ValidationError

from copilot.audio.levels import dbfs, peak_dbfs
from copilot.errors import CopilotError
from copilot.events import LevelEvent
from copilot.protection import lock as app_lock
from copilot.settings import home

log = logging.getLogger("copilot.window")
P = ParamSpec("P")
Result = dict[str, Any]
Send = Callable[[BaseModel], None]
LEVEL_EVERY_S = 0.1


class Host(Protocol):
    """What the bridge needs from the window that shows the page."""

    def run_js(self, script: str) -> None: ...

    def set_on_top(self, on_top: bool) -> None: ...

    def choose_file(self) -> str | None: ...


def python_side(function: Callable[P, Any]) -> Callable[P, Any]:
    """Keep a method out of the page's API (pywebview skips non-serializable attributes)."""
    function._serializable = False  # type: ignore[attr-defined]
    return function


def while_locked(function: Callable[P, Result]) -> Callable[P, Result]:
    """Let a page call through while the app is locked (it shows no session: the lock itself,
    the page's start-up, the text size). Goes below `@answers`."""
    function._while_locked = True  # type: ignore[attr-defined]
    return function


def answers(function: Callable[P, Result]) -> Callable[P, Result]:
    """A page call never raises: a user error, or any other failure, becomes one line. While
    the app is locked every call but those marked `while_locked` is refused, so no view can
    hand session data to the page, whatever the page asks."""
    open_while_locked = getattr(function, "_while_locked", False)

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> Result:
        try:
            if not open_while_locked:
                app_lock.refuse_if_locked(home())
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

    def __init__(self, send: Send):
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
        if now - self._last.get(source.role, 0.0) < LEVEL_EVERY_S:
            return
        self._last[source.role] = now
        audio = np.asarray(block, dtype=np.float32).reshape(-1)
        rms_db, peak_db = round(dbfs(audio), 1), round(peak_dbfs(audio), 1)
        self._send(LevelEvent(role=source.role, rms_db=rms_db, peak_db=peak_db))

    def stop(self) -> None:
        sources, self._sources = self._sources, []
        for source in sources:
            source.stop()
