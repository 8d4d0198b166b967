"""COPILOT_HOME is private: the folder 0700, every file in it 0600.

Modes are set when things are created (the process umask, and `os.open` modes for the files
the program writes itself); `loosened` finds what was opened up later (a copy, a restore from a
backup, a `chmod`) so the start can warn, and `tighten` puts it back. SQLite creates a
database's WAL and shared-memory files with the database file's own mode, so creating the
database 0600 covers them.

On Windows POSIX modes mean nothing: the home sits under the account's own AppData folder,
whose access list already shuts out other accounts, and these checks are skipped there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from copilot.settings import home

DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077
POSIX = os.name == "posix"


def private_umask() -> None:
    """Everything this process creates from now on is readable by its own account only."""
    if POSIX:
        os.umask(UMASK)


def ensure_home(folder: Path | None = None) -> Path:
    """Create the home (and its parents if need be) private."""
    folder = folder or home()
    if not folder.exists():
        folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if POSIX:
            os.chmod(folder, DIR_MODE)  # mkdir's mode passes through the umask
    return folder


def ensure_dir(folder: Path) -> Path:
    """A private folder inside the home."""
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return folder


def create_private(path: Path) -> Path:
    """Create `path` empty with mode 0600 (truncating it if there), so that a writer opening it
    afterwards (libav, numpy, SQLite) keeps that mode."""
    ensure_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(fd)
    return path


def touch_private(path: Path) -> Path:
    """Create `path` 0600 if it is not there yet; an existing file is left as it is."""
    ensure_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a new file, mode 0600 from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def loosened(folder: Path | None = None) -> list[Path]:
    """The home and what is in it that another account could read, write or enter."""
    folder = folder or home()
    if not POSIX or not folder.exists():
        return []
    found = [folder] if _open_to_others(folder) else []
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            if _open_to_others(path):
                found.append(path)
    return found


def tighten(folder: Path | None = None) -> list[Path]:
    """Put every loosened path back to 0700 (folders) or 0600 (files); returns what changed."""
    changed = loosened(folder)
    for path in changed:
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE, follow_symlinks=False)
    return changed


def warning(folder: Path | None = None) -> str | None:
    """One line for the start, or None when the home is private."""
    folder = folder or home()
    found = loosened(folder)
    if not found:
        return None
    first = found[0]
    mode = stat.S_IMODE(first.lstat().st_mode)
    return (
        f"{len(found)} item(s) under {folder} can be read by other accounts on this computer "
        f"(e.g. {first.name} is {mode:04o}); run `session-copilot protect` to fix"
    )


def _open_to_others(path: Path) -> bool:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return False
    return bool(stat.S_IMODE(info.st_mode) & 0o077)
