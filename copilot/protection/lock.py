"""The app lock: while the home is locked, the window shows nothing of any session and the
command line refuses to read, until the passphrase is given again.

The state is one small file, `lock.json`, in the home (0600), so every process of the app sees
the same lock: `session-copilot lock` in a terminal locks an open window, and the window's lock
button or idle timer stops `session-copilot show` in a terminal. A live session keeps
recording through the lock: it writes on its own connection with the key it already holds; it
is only what is *shown* that stops.

What the lock is not: encryption. The data key stays where it was (the keyring, or memory in
the running processes), so the lock guards against someone at the unlocked desk using the
window or the commands, not against a program running as the therapist's account, nor against
someone who knows to delete `lock.json` (see docs/security.md). Unlocking needs the passphrase
(not the keyring, which would open without anyone typing), so the lock needs a passphrase to
be set first.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from copilot.errors import CopilotError
from copilot.protection.permissions import ensure_home, write_private
from copilot.storage import keys

LOCK_FILE = "lock.json"
LockedBy = Literal["cli", "window", "idle"]
NEEDS_PASSPHRASE = (
    "the lock opens only with the passphrase: set one first with `session-copilot passphrase`"
)


class AppLocked(CopilotError):
    """Session data was asked for while the app is locked."""


class LockState(BaseModel):
    since: datetime
    by: LockedBy


def _path(folder: Path) -> Path:
    return folder / LOCK_FILE


def state(folder: Path) -> LockState | None:
    """The lock in force, or None. A lock file that cannot be read still counts as locked."""
    path = _path(folder)
    try:
        return LockState.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return LockState(since=datetime.fromtimestamp(0, UTC), by="cli")


def is_locked(folder: Path) -> bool:
    return _path(folder).exists()


def can_lock(folder: Path) -> bool:
    return keys.has_passphrase(folder)


def lock(folder: Path, by: LockedBy) -> LockState:
    """Lock now (locking twice keeps the first lock's time)."""
    if not can_lock(folder):
        raise CopilotError(NEEDS_PASSPHRASE)
    found = state(folder)
    if found is not None:
        return found
    ensure_home(folder)
    now = LockState(since=datetime.now(UTC), by=by)
    tmp = folder / f".{LOCK_FILE}.{os.getpid()}.tmp"
    write_private(tmp, now.model_dump_json().encode())
    tmp.replace(_path(folder))
    return now


def unlock(folder: Path, passphrase: str) -> None:
    """Unlock with the passphrase; a wrong one raises WrongPassphrase and leaves the lock on."""
    if not is_locked(folder):
        return
    keys.check_passphrase(folder, passphrase)
    _path(folder).unlink(missing_ok=True)


def refuse_if_locked(folder: Path) -> None:
    if is_locked(folder):
        raise AppLocked(
            "Session Copilot is locked: `session-copilot unlock` asks for the passphrase"
        )
