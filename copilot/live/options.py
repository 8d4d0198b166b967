"""What a live session is asked to do, and the fixed figures it runs by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from copilot.events import EventBus, StatusLevel
from copilot.settings import KEPT_AUDIO_DEFAULT, KeptAudio
from copilot.storage.repository import SessionStore

RING_S = 120.0  # audio kept per source for bleed checks, prosody and the second pass
LEVEL_EVERY_S = 0.1
RETRY_EVERY_S = 2.0
# How long a microphone final may wait for the call audio under it. Waiting costs the client's
# finals nothing: the call's pump, which is behind, is the one that makes them.
CALL_WAIT_S = 5.0
EMOTION_CONTEXT = 6


@dataclass
class LiveOptions:
    mic: str | None = None
    call: str | None = None
    client_label: str = "Client"
    model: str = "tiny.en"
    threads: int = 1  # each of the two engines (Settings.live_threads)
    keep_audio: bool = False
    keep_audio_as: KeptAudio = KEPT_AUDIO_DEFAULT
    partials: bool = True
    revise: bool = True  # the second pass (copilot.transcription.revision)


class Status(Protocol):
    """How a part of the session tells the therapist something (a StatusEvent on the bus)."""

    def __call__(
        self, level: StatusLevel, message: str, degrade_step: int | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Outlet:
    """Where a started session's results go: its rows in the store, and events on the bus."""

    store: SessionStore
    session_id: str
    bus: EventBus
    status: Status
