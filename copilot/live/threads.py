"""The threads of a live session: each named, guarded, and joined in the order stopping needs."""

from __future__ import annotations

import threading
from collections.abc import Callable

from copilot.live.options import Status


class Threads:
    def __init__(self, status: Status):
        self._status = status
        self._threads: list[threading.Thread] = []

    def spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=self._guard(target, name), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def join(self, which: Callable[[str], bool]) -> None:
        """Wait for each thread whose name `which` accepts."""
        for thread in self._threads:
            if which(thread.name):
                thread.join()

    def _guard(self, target: Callable[[], None], name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception as exc:  # a worker that dies tells the therapist
                self._status("error", f"{name} stopped: {exc}")

        return run
