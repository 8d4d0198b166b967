"""Events a live session publishes: the window, the CLI and the analysers subscribe to them.

Every event is a pydantic model with a `type` tag, so it crosses to the page as JSON as is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from copilot.domain import (
    EmotionReading,
    Note,
    ProsodyReading,
    RiskFlag,
    Role,
    StateReading,
    Utterance,
)

LiveState = Literal["idle", "recording", "paused", "stopping", "stopped"]
StatusLevel = Literal["info", "warning", "error"]


class PartialEvent(BaseModel):
    """Text while someone is still speaking; `stable` is the part two passes agreed on."""

    type: Literal["partial"] = "partial"
    role: Role
    start: float
    stable: str
    unstable: str


class UtteranceEvent(BaseModel):
    type: Literal["utterance"] = "utterance"
    utterance: Utterance
    speech_end_s: float  # session time the speech ended (for latency)


class RevisionEvent(BaseModel):
    """The second pass's words for an utterance already sent (the same seq)."""

    type: Literal["revision"] = "revision"
    utterance: Utterance
    previous_text: str


class EmotionEvent(BaseModel):
    type: Literal["emotion"] = "emotion"
    reading: EmotionReading
    prosody: ProsodyReading | None = None
    now: StateReading | None = None  # the client's last few turns together (analysis/states.py)


class RiskEvent(BaseModel):
    type: Literal["risk"] = "risk"
    flag: RiskFlag


class LevelEvent(BaseModel):
    type: Literal["level"] = "level"
    role: Role
    rms_db: float
    peak_db: float


class StatusEvent(BaseModel):
    """Something the therapist should know: a device lost or back, a slower mode, an error."""

    type: Literal["status"] = "status"
    level: StatusLevel
    message: str
    degrade_step: int | None = None


class StateEvent(BaseModel):
    type: Literal["state"] = "state"
    state: LiveState
    session_id: str | None
    elapsed_s: float


class NoteEvent(BaseModel):
    type: Literal["note"] = "note"
    note: Note


Event = Annotated[
    PartialEvent
    | UtteranceEvent
    | RevisionEvent
    | EmotionEvent
    | RiskEvent
    | LevelEvent
    | StatusEvent
    | StateEvent
    | NoteEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
Subscriber = Callable[[BaseModel], None]


class EventBus:
    """Fan-out to subscribers. A subscriber that raises is reported, never kills the session."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self.errors: list[str] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: BaseModel) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception as exc:  # a broken view must not stop the recording
                self.errors.append(f"{type(exc).__name__}: {exc}")
