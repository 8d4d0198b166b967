"""The start form's speech models: which are installed, and which runs live here, as measured.

At first start (no measurement kept for an installed model) the models are timed on a thread
of their own (copilot.transcription.speed) and the result is pushed to the page as a
`model_speed` event; the therapist can measure again. Never while a session records: it would
slow the session and read the machine as busier than it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.transcription.engine import Transcriber
from copilot.transcription.speed import (
    Clock,
    ModelSpeed,
    load_table,
    measure,
    probe_clip,
    save_table,
)
from copilot.window.current import CurrentSession
from copilot.window.support import Result, Send, answers, python_side

Loader = Callable[[str], Transcriber]


class ModelSpeedEvent(BaseModel):
    type: Literal["model_speed"] = "model_speed"
    measuring: bool
    models: list[Result]
    best_live: str | None


class ModelsApi:
    def __init__(
        self,
        settings: Settings,
        current: CurrentSession,
        send: Send,
        table: Path,
        installed: Callable[[], list[Result]],
        load: Loader | None = None,
        clock: Clock = time.perf_counter,
    ):
        self._settings = settings
        self._current = current
        self._send = send
        self._path = table
        self._installed = installed
        self._load = load or self._load_engine
        self._clock = clock
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    @answers
    def speeds(self) -> Result:
        """The installed models with their measured speed; measuring starts if one has none."""
        began = False
        if load_table(self._path).missing(self._names()) and self._current.state == "idle":
            began = self._begin()
        # A fast measurement may already have ended; the answer still says one was started.
        return self._event(measuring=True if began else None).model_dump(mode="json")

    @answers
    def measure(self) -> Result:
        """Measure every installed model again."""
        if self._current.state != "idle":
            raise CopilotError("measure the models when no session is recording")
        began = self._begin(everything=True)
        return self._event(measuring=True if began else None).model_dump(mode="json")

    @python_side
    def wait(self, timeout: float | None = None) -> bool:
        """Until a measurement that is running ends (for tests and a closing window)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    @python_side
    def close(self) -> None:
        """The window closed: a measurement ends after the model it is timing, and is waited
        for. A thread left inside the engine's native load as the interpreter exits aborts the
        process."""
        with self._lock:
            self._closing.set()
        self.wait()

    def _names(self) -> list[str]:
        return [str(m["name"]) for m in self._installed()]

    def _measuring(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _begin(self, everything: bool = False) -> bool:
        """Start measuring unless a measurement runs or the window closes; True if started."""
        with self._lock:
            if self._measuring() or self._closing.is_set():
                return False
            self._thread = threading.Thread(
                target=self._run, args=(everything,), name="model-speed", daemon=True
            )
            self._thread.start()
            return True

    def _run(self, everything: bool) -> None:
        table = load_table(self._path)
        names = self._names() if everything else table.missing(self._names())
        clip = probe_clip()
        for name in names:
            if self._closing.is_set():
                return  # the models measured so far are kept; the rest wait for the next start
            speed = measure(name, self._load, clip, self._settings.live_threads, self._clock)
            table.speeds[name] = speed
            save_table(self._path, table)
        self._send(self._event(measuring=False))

    def _event(self, measuring: bool | None = None) -> ModelSpeedEvent:
        table = load_table(self._path)
        names = self._names()
        rows = []
        for model in self._installed():
            speed: ModelSpeed | None = table.speeds.get(str(model["name"]))
            rows.append(
                {
                    **model,
                    "verdict": speed.verdict() if speed else None,
                    "live_ok": speed.live_ok if speed else None,
                    "speed": speed.model_dump(mode="json") if speed else None,
                }
            )
        return ModelSpeedEvent(
            measuring=self._measuring() if measuring is None else measuring,
            models=rows,
            best_live=table.best_live(names),
        )

    def _load_engine(self, name: str) -> Transcriber:
        from copilot.plugins import registry

        # Not the shared engines of copilot.pipeline.load_engine: a model measured is let go
        # after its measurement rather than kept loaded beside the session's.
        return registry().asr("faster-whisper", model=name, threads=self._settings.live_threads)
