"""One settings object. COPILOT_HOME moves all user data (the tests point it at a temp dir)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.errors import CopilotError

APP_NAME = "session-copilot"
# How kept audio is written: ogg (Opus, small) or flac (lossless, to analyse the same samples).
KeptAudio = Literal["ogg", "flac"]
KEPT_AUDIO: tuple[KeptAudio, ...] = get_args(KeptAudio)
KEPT_AUDIO_DEFAULT: KeptAudio = "ogg"


def home() -> Path:
    """The folder holding the database, settings and kept audio."""
    env = os.environ.get("COPILOT_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def report_file(session_id: str) -> Path:
    """Where a session's HTML report is kept, sealed under the data key (`export --report`
    writes a readable copy where the therapist asks)."""
    return home() / "reports" / f"{session_id}.html.sealed"


def audio_dir() -> Path:
    """Where kept audio lives."""
    return home() / "audio"


# Days to keep an item after its session, or "forever". Unset (None): the default rule's value
# for a client override, and "forever" for the default rule itself.
Keep = Annotated[int, Field(ge=0)] | Literal["forever"] | None
RETAINED_KINDS = ("transcripts", "analyses", "audio", "reports")


class Retention(BaseModel):
    """How long each kind of item is kept (in days after the session)."""

    model_config = ConfigDict(extra="forbid")

    transcripts: Keep = None
    analyses: Keep = None
    audio: Keep = None
    reports: Keep = None

    def days(self, kind: str, override: Retention | None = None) -> int | None:
        """The days `kind` is kept under this rule and an optional client override; None keeps
        it forever."""
        chosen = getattr(override, kind) if override is not None else None
        value = chosen if chosen is not None else getattr(self, kind)
        return None if value is None or value == "forever" else int(value)


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    asr_model: str = "tiny.en"
    asr_threads: int = Field(default=2, ge=1, le=64)
    # A live session decodes on two engines at once (each final, and the second pass beside it)
    # while the call runs: one thread each. On 2 cores a final decoded no slower on one thread
    # than on two (219 against 245 ms, p50 of 60 finals) for 70% of the CPU time; with numpy's
    # BLAS on one thread too, the live session went from half a core to a third
    # (scripts/bench_live.py).
    live_threads: int = Field(default=1, ge=1, le=64)
    emotion_engine: str = "local"
    session_analyser: str = "local"  # "claude" only when the therapist opts in
    claude_model: str = "claude-sonnet-5-5"
    claude_timeout_s: float = Field(default=120.0, gt=0)  # per request attempt
    claude_max_retries: int = Field(default=2, ge=0, le=10)  # the SDK's own retries
    claude_window_tokens: int = Field(default=8000, ge=500)  # transcript per request
    keep_audio: bool = False
    mic_device: str | None = None
    call_device: str | None = None
    channel_roles: tuple[str, str] = ("therapist", "client")
    reminders: bool = False
    # The app lock after this many minutes without a key or mouse in the window (0: never).
    lock_after_minutes: int = Field(default=0, ge=0, le=24 * 60)
    chunk_seconds: float = Field(default=300.0, ge=10.0)  # recordings are processed in chunks
    retention: Retention = Retention()
    retention_by_client: dict[str, Retention] = {}  # per client label, overriding `retention`

    @property
    def path(self) -> Path:
        return home() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        path = home() / "settings.json"
        if not path.exists():
            return cls()
        try:
            return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            raise CopilotError(f"settings file {path} is unreadable: {_first_line(exc)}") from exc

    def save(self) -> None:
        from copilot.protection.permissions import ensure_home, write_private

        ensure_home(self.path.parent)
        tmp = self.path.with_suffix(".tmp")
        write_private(tmp, self.model_dump_json(indent=2).encode("utf-8"))
        tmp.replace(self.path)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
