"""Opening the database: WAL mode, foreign keys, migrations applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from copilot.errors import StorageError
from copilot.settings import home
from copilot.storage.migrations import Migration, migrate


def database_path() -> Path:
    return home() / "copilot.sqlite3"


def connect(
    path: Path | None = None, migrations: list[Migration] | None = None
) -> sqlite3.Connection:
    """Open a database (the session database by default) in WAL mode, migrated to its latest."""
    path = path or database_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        migrate(db, migrations=migrations)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StorageError(f"cannot open the database at {path}: {exc}") from exc
    return db
