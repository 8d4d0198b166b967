"""A live session's events as a test hears them, and waits on what they say.

Subscribed before the session starts, it keeps each event with the monotonic time it arrived,
and lets a test block until a condition over the events holds (or fail after a bound), instead
of sleeping for a time that is too short on a busy machine and too long on an idle one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pydantic import BaseModel

from copilot.events import StatusEvent, UtteranceEvent

WAIT_S = 90.0  # a bound for a loaded shared machine; a healthy session meets it in seconds

Timed = list[tuple[float, BaseModel]]


class EventLog:
    def __init__(self) -> None:
        self.events: Timed = []
        self._changed = threading.Condition()

    def __call__(self, event: BaseModel) -> None:
        with self._changed:
            self.events.append((time.monotonic(), event))
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        """Block until `condition()` holds, re-checked as each event arrives."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"waited {timeout:.0f} s for {what}")

    def finals(self) -> list[tuple[float, UtteranceEvent]]:
        return [(t, e) for t, e in list(self.events) if isinstance(e, UtteranceEvent)]

    def text(self, role: str) -> str:
        """Every final of `role`, in the order they came."""
        return " ".join(e.utterance.text for _, e in self.finals() if e.utterance.role == role)

    def statuses(self) -> list[str]:
        return [e.message for _, e in list(self.events) if isinstance(e, StatusEvent)]

    def reached(self, role: str, end_s: float) -> bool:
        """A final of `role` ends at or after session time `end_s` (less a word's slack)."""
        return any(
            e.utterance.role == role and e.utterance.end >= end_s - 1.0 for _, e in self.finals()
        )

    def wait_for_turns(self, last_ends: dict[str, float]) -> None:
        """Until each role's final text reaches the end of its last turn (session time)."""
        for role, end_s in last_ends.items():
            self.wait_for(
                lambda role=role, end_s=end_s: self.reached(role, end_s),
                f"the {role}'s final reaching {end_s:.1f} s",
            )

    def wait_for_status(self, part: str) -> None:
        self.wait_for(lambda: any(part in m for m in self.statuses()), f"a status with {part!r}")
