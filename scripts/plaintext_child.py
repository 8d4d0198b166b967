"""`session-copilot` with encryption at rest taken out, for benchmarks only: the same command
line, with the stores opened by the standard library's sqlite3 and sealed files written as
they are. `bench_file.py --encryption both` runs each analysis with and without it."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.storage import db, sealed


def _open_plain(path: Path, key: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def _as_is(key: bytes, data: bytes, name: str) -> bytes:
    return data


db.open_encrypted = _open_plain
db.is_plaintext = lambda path: False
sealed.seal = _as_is

if __name__ == "__main__":
    from copilot.cli import main

    sys.exit(main(sys.argv[1:]))
