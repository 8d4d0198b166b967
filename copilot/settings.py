"""One settings object. COPILOT_HOME moves all user data (the tests point it at a temp dir)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.errors import CopilotError

APP_NAME = "session-copilot"


def home() -> Path:
    """The folder holding the database, settings and kept audio."""
    env = os.environ.get("COPILOT_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def report_file(session_id: str) -> Path:
    """Where a session's HTML report is written."""
    return home() / "reports" / f"{session_id}.html"


def audio_dir() -> Path:
    """Where kept audio lives."""
    return home() / "audio"


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
    chunk_seconds: float = Field(default=300.0, ge=10.0)  # recordings are processed in chunks

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        tmp.replace(self.path)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
