"""Opening the database: WAL mode, foreign keys, migrations applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from copilot.errors import StorageError
from copilot.protection.permissions import touch_private
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
        touch_private(path)  # 0600 from the start; SQLite gives the WAL and SHM the same mode
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are overwritten
        migrate(db, migrations=migrations)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StorageError(f"cannot open the database at {path}: {exc}") from exc
    return db


def scrub(db: sqlite3.Connection) -> None:
    """After a deletion: copy the overwritten pages home, rebuild the file without its free
    pages, and truncate the WAL, so no deleted words stay in the database's files."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
