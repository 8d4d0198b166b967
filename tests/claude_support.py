"""Shared pieces for the Claude tests: stored sessions built through SessionStore (no audio, no
ASR), the fake Messages API on loopback with the SDK pointed at it, and short timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from fake_messages_api import FakeMessagesAPI

from copilot.analysis.run import Analysed, build_export, summarise
from copilot.domain import Session, Utterance
from copilot.settings import Settings
from copilot.storage import SessionStore

KEY = "sk-test-key"

# Personal details the demo session does not have, put in the client's mouth for redaction.
PERSONAL = [
    ("client", "Anna keeps asking what is wrong, she phoned me on 07700 900123 twice."),
    ("therapist", "Rebecca, you said Anna worries about you."),
    ("client", "Write to me at rebecca.hale@example.org, or 42 Mill Lane, Leeds LS6 2AB."),
    ("client", "Tom Price at work has my NHS number 943 476 5919 for the insurance form."),
    ("client", "I was born on 12th of March 1985, and my birthday is always hard."),
]
ORIGINALS = [
    "Rebecca",
    "Hale",
    "Anna",
    "Tom Price",
    "07700 900123",
    "rebecca.hale@example.org",
    "42 Mill Lane",
    "LS6 2AB",
    "943 476 5919",
    "12th of March 1985",
]


def demo_turns() -> list[dict[str, Any]]:
    path = files("copilot") / "demo" / "demo_session.json"
    turns: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["turns"]
    return turns


def store_session(
    store: SessionStore,
    session_id: str = "sess0001",
    label: str = "Rebecca Hale",
    turns: list[dict[str, Any]] | None = None,
    personal: bool = False,
) -> str:
    turns = list(turns if turns is not None else demo_turns())
    end = turns[-1]["end"] if turns else 0.0
    if personal:
        for i, (role, text) in enumerate(PERSONAL):
            start = end + 2 + i * 6
            turns.append({"role": role, "text": text, "start": start, "end": start + 5})
    store.create(Session(id=session_id, client_label=label, source="file"))
    store.transcript.append(
        session_id,
        [
            Utterance(seq=i, role=t["role"], start=t["start"], end=t["end"], text=t["text"])
            for i, t in enumerate(turns)
        ],
    )
    store.finish(session_id, turns[-1]["end"] if turns else 0.0)
    return session_id


def fast_settings(**changes: Any) -> Settings:
    """Short timeouts and no retries unless a test asks: the suite stays fast."""
    values: dict[str, Any] = {"claude_timeout_s": 2.0, "claude_max_retries": 0, **changes}
    return Settings(**values)


def with_local(store: SessionStore, session_id: str, settings: Settings) -> Analysed:
    result = Analysed(build_export(store, session_id))
    summarise(store, result, "local", [], settings)
    return result


def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    """The fake API running, with the SDK pointed at it and a key that it accepts; no keyring."""
    with FakeMessagesAPI(key=KEY) as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        yield server


def sent_text(server: FakeMessagesAPI) -> str:
    """Everything the fake API received, as one string."""
    return "\n".join(json.dumps(r.body, ensure_ascii=False) for r in server.received)
