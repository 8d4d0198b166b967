"""A daemon thread that does one thing at a fixed interval until it is stopped."""

from __future__ import annotations

import threading


class Periodic:
    """Calls `tick` every `every_s` seconds (not at once) on a thread named `name`; `stop`
    wakes it from its wait and waits for it, for `join_s` seconds at most (None: as long as
    the tick takes)."""

    def __init__(self, name: str, every_s: float, join_s: float | None = None):
        self._every_s = every_s
        self._join_s = join_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._join_s)

    def _loop(self) -> None:
        while not self._stop.wait(self._every_s):
            self.tick()
