"""A database from before encryption, encrypted in place the first time it is opened.

The plaintext file is first copied into a sealed (AES-GCM) backup beside it; the encrypted
copy is made with `sqlcipher_export`; every table's rows are counted before and after; only
when they match is the plaintext overwritten and removed, the encrypted copy moved into its
place, and the backup erased. If anything fails, the plaintext stays as it was.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import sqlcipher3

from copilot.errors import StorageError
from copilot.protection.erase import erase
from copilot.protection.permissions import touch_private
from copilot.storage.sealed import write_sealed

BACKUP_SUFFIX = ".plaintext-backup.sealed"


def counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: int(db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in names}


def encrypt_in_place(path: Path, key: bytes) -> dict[str, int]:
    """Returns the rows per table (the same before and after)."""
    from copilot.storage.db import open_encrypted

    plain = sqlite3.connect(path, isolation_level=None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = counts(plain)
        version = int(plain.execute("PRAGMA user_version").fetchone()[0])
    finally:
        plain.close()
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    write_sealed(backup, key, path.read_bytes())
    target = touch_private(path.with_name(path.name + ".encrypting"))
    _export(path, target, key, version)
    encrypted = open_encrypted(target, key)
    try:
        after = counts(encrypted)
    finally:
        encrypted.close()
    if after != before:
        erase(target)
        erase(backup)
        raise StorageError(f"encrypting {path} changed its rows ({before} -> {after}); left as is")
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        erase(leftover)
    target.replace(path)
    erase(backup)
    sessions = after.get("sessions", after.get("entries", 0))
    print(
        f"session-copilot: encrypted {path.name} ({sessions} sessions/entries before and after)",
        file=sys.stderr,
    )
    return after


def _export(source: Path, target: Path, key: bytes, version: int) -> None:
    db = sqlcipher3.connect(str(source), isolation_level=None)
    try:
        quoted = str(target).replace("'", "''")
        db.execute(f"ATTACH DATABASE '{quoted}' AS enc KEY \"x'{key.hex()}'\"")
        db.execute("SELECT sqlcipher_export('enc')")
        db.execute(f"PRAGMA enc.user_version = {version}")
        db.execute("DETACH DATABASE enc")
    finally:
        db.close()
