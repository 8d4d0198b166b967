"""Shared fixtures. Every test gets its own COPILOT_HOME; the suite never touches the network.

Tiers: unit tests run anywhere; `model` tests run the real bundled tiny.en on clips generated
with espeak-ng; `rig` tests need the PulseAudio rig; `window` tests need Xvfb and Qt WebEngine.
A missing tool skips its tier locally with the reason, and fails under CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from copilot.storage import keys

ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = ROOT.parent / "shared" / "data" / "audio"
REAL_SPEECH = ROOT.parent / "shared" / "data" / "real_speech"
sys.path.insert(0, str(ROOT / "scripts"))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip locally when a test's tool is missing; under CI that is a failure, never a skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    assert path is not None
    return path


class MemoryKeyring(KeyringBackend):
    """The OS keyring's boundary, faked: a dict for the test's process."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def copilot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("COPILOT_HOME", str(home))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("COPILOT_PASSPHRASE", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # a desktop's keyring: the data key needs no typing
    keys.forget_cached()
    yield home
    keys.forget_cached()
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def espeak() -> str:
    return require_tool("espeak-ng")


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    require(SHARED_AUDIO.is_dir(), f"{SHARED_AUDIO} is not present")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def real_speech() -> Path:
    require(REAL_SPEECH.is_dir(), f"{REAL_SPEECH} is not present")
    return REAL_SPEECH
