"""Session sources: a device with a role, or a recording replayed in real time.

A source delivers native frames to `deliver` (a queue's put) and reports failure to `on_error`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from copilot.audio.capture import Deliver, ErrorSink
from copilot.audio.files import SAMPLE_RATE, iter_chunks
from copilot.domain import Role


class AudioSource(Protocol):
    role: Role
    name: str
    sample_rate: int
    channels: int

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None: ...

    def stop(self) -> None: ...


class FileSource:
    """One channel of a recording, played at real-time pace (or faster, for replays)."""

    def __init__(self, path: Path, channel: int, role: Role, speed: float = 1.0):
        self.path, self.channel, self.role, self.speed = path, channel, role, speed
        self.name = f"{path.name}[{channel}]"
        self.sample_rate = SAMPLE_RATE
        self.channels = 1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._play, args=(deliver, on_error), name=f"replay-{self.role}", daemon=True
        )
        self._thread.start()

    def _play(self, deliver: Deliver, on_error: ErrorSink) -> None:
        block = SAMPLE_RATE // 50  # 20 ms, like a sound card
        began = time.monotonic()
        sent = 0
        try:
            for chunk in iter_chunks(self.path, chunk_s=30.0):
                channel = min(self.channel, chunk.samples.shape[1] - 1)
                audio = chunk.samples[:, channel]
                for i in range(0, len(audio), block):
                    if self._stop.is_set():
                        return
                    due = began + sent / SAMPLE_RATE / self.speed
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    piece = audio[i : i + block]
                    deliver(np.ascontiguousarray(piece))
                    sent += len(piece)
        except Exception as exc:
            on_error(f"replay of {self.path.name} failed: {exc}")
        finally:
            self.finished.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
