"""`session-copilot` with encryption at rest taken out, for benchmarks only: the same command
line, with the stores opened by the standard library's sqlite3 and sealed files (kept audio
too) written as they are. `bench_file.py --encryption-rounds` and `bench_live.py
--encryption-rounds` run each with and without it."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.audio import recorder
from copilot.storage import db, sealed


def _open_plain(path: Path, key: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def _as_is(key: bytes, data: bytes, name: str) -> bytes:
    return data


class _PlainAppender:
    """Kept audio appended as it is, where SealedAppender seals it chunk by chunk."""

    def __init__(self, path: Path, key: bytes):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")

    def write(self, data: bytes) -> int:
        return self._file.write(data)

    def close(self) -> None:
        self._file.close()


def _read_plain(path: Path, key: bytes) -> tuple[bytes, bool]:
    return path.read_bytes(), True


db.open_encrypted = _open_plain
db.is_plaintext = lambda path: False
sealed.seal = _as_is
recorder.SealedAppender = _PlainAppender  # type: ignore[misc,assignment]
recorder.read_appended = _read_plain

if __name__ == "__main__":
    from copilot.cli import main

    sys.exit(main(sys.argv[1:]))
