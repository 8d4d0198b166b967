"""Opening a database: SQLCipher under the data key, WAL mode, foreign keys, migrations applied.

SQLCipher 4 encrypts every page of the database and of its WAL (AES-256-CBC with an HMAC-SHA512
per page); temporary tables and sorts stay in memory, so nothing readable reaches the disk.
A plaintext database from an earlier version is encrypted the first time it is opened
(`plaintext.encrypt_in_place`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Self, cast

import sqlcipher3

from copilot.errors import CopilotError, StorageError
from copilot.protection.permissions import touch_private
from copilot.settings import home
from copilot.storage.keys import data_key
from copilot.storage.migrations import Migration, migrate

# A database error from either binding (the plaintext of an old home is read with the stdlib).
OperationalError = (sqlite3.OperationalError, sqlcipher3.dbapi2.OperationalError)
DatabaseError = (sqlite3.DatabaseError, sqlcipher3.dbapi2.DatabaseError)
PLAINTEXT_HEADER = b"SQLite format 3\x00"


class WrongKey(CopilotError):
    """The database does not open with this data key."""


def database_path() -> Path:
    return home() / "copilot.sqlite3"


def open_encrypted(path: Path, key: bytes) -> sqlite3.Connection:
    """A SQLCipher connection with the raw 256-bit key (no KDF per open: the data key is
    already random)."""
    db: Any = sqlcipher3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=10
    )
    db.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.dbapi2.DatabaseError:
        db.close()
        raise WrongKey(f"{path} does not open with this data key") from None
    db.execute("PRAGMA temp_store = MEMORY")
    db.row_factory = sqlcipher3.dbapi2.Row
    return cast(sqlite3.Connection, db)


def is_plaintext(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(16) == PLAINTEXT_HEADER
    except FileNotFoundError:
        return False


def connect(
    path: Path | None = None, migrations: list[Migration] | None = None, key: bytes | None = None
) -> sqlite3.Connection:
    """Open a database (the session database by default), migrated to its latest. The data
    key of the database's folder is used unless one is given."""
    from copilot.storage.plaintext import encrypt_in_place

    path = path or database_path()
    try:
        key = key or data_key(path.parent)
        touch_private(path)  # 0600 from the start; SQLite gives the WAL and SHM the same mode
        if is_plaintext(path):
            encrypt_in_place(path, key)
        db = open_encrypted(path, key)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are overwritten
        migrate(db, migrations=migrations)
    except (*DatabaseError, OSError) as exc:
        raise StorageError(f"cannot open the database at {path}: {exc}") from exc
    return db


def scrub(db: sqlite3.Connection) -> None:
    """After a deletion: copy the overwritten pages home, rebuild the file without its free
    pages, and truncate the WAL, so no deleted words stay in the database's files."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def write_transaction(
    db: sqlite3.Connection, lock: threading.RLock, what: str
) -> Iterator[sqlite3.Connection]:
    """One writer at a time on a connection shared by threads; a failed write rolls back and
    says which database (`what`) could not be written."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except OperationalError as exc:
            _rollback(db)
            raise StorageError(f"could not write to {what}: {exc}") from exc
        except BaseException:
            _rollback(db)
            raise


class Database:
    """A connection opened once where a program starts (a command, the window) and passed in;
    `with Store() as store:` closes it at the end. Its writes go one at a time through
    `transaction()`, since the window's page calls arrive on threads of their own."""

    what = "the database"  # how a failed write names it

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._lock = threading.RLock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.db, self._lock, self.what)


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")
