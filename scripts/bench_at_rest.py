"""The live path's storage cost of encryption at rest, measured side by side in one run.

A live session commits each final utterance in its own transaction (text + word timings as
JSON). Three ways are timed on the same rows: plain SQLite (today), SQLCipher 4 (whole pages
encrypted, `sqlcipher3`, raw 256-bit key so no KDF per open), and per-record AES-256-GCM
(`cryptography`) of the text and words columns in plain SQLite. Prints JSON: per-append
median and p95 (ms), CPU seconds for the whole run, and reading the session back.

    nice -n 10 .venv/bin/python scripts/bench_at_rest.py --utterances 400 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEMA = (
    "CREATE TABLE utterances (id INTEGER PRIMARY KEY, session_id TEXT, seq INTEGER, "
    'role TEXT, start REAL, "end" REAL, text BLOB, words BLOB)'
)
SENTENCE = "I keep thinking about what my sister said at the funeral and I could not answer her"


def rows(n: int) -> list[tuple[Any, ...]]:
    words = [{"text": w, "start": i * 0.3, "end": i * 0.3 + 0.25, "probability": 0.9}
             for i, w in enumerate(SENTENCE.split())]  # fmt: skip
    return [
        ("s1", k, "client", k * 4.0, k * 4.0 + 3.5, f"{SENTENCE} ({k})", json.dumps(words))
        for k in range(n)
    ]


def open_plain(path: Path) -> Any:
    return sqlite3.connect(path, isolation_level=None)


def open_sqlcipher(path: Path, key: bytes) -> Any:
    import sqlcipher3

    db = sqlcipher3.connect(str(path), isolation_level=None)
    db.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return db


def prepare(db: Any) -> Any:
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA secure_delete = ON")
    db.execute(SCHEMA)
    return db


def run(db: Any, data: list[tuple[Any, ...]], seal: Callable[[str], Any]) -> list[float]:
    times = []
    for row in data:
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            'INSERT INTO utterances (session_id, seq, role, start, "end", text, words) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*row[:5], seal(row[5]), seal(row[6])),
        )
        db.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    return times


def read_back(db: Any, unseal: Callable[[Any], str]) -> float:
    t0 = time.perf_counter()
    got = [unseal(r[0]) for r in db.execute("SELECT text FROM utterances ORDER BY seq")]
    assert got and SENTENCE in got[0]
    return (time.perf_counter() - t0) * 1000


def variant(name: str, folder: Path, data: list[tuple[Any, ...]]) -> dict[str, float]:
    key = secrets.token_bytes(32)
    aes = AESGCM(key)
    path = folder / f"{name}-{secrets.token_hex(4)}.sqlite3"
    identity: Callable[[str], Any] = lambda text: text  # noqa: E731
    seal, unseal = identity, identity
    if name == "aes_gcm_per_record":

        def seal(text: str) -> bytes:
            nonce = os.urandom(12)
            return nonce + aes.encrypt(nonce, text.encode(), None)

        def unseal(blob: bytes) -> str:
            return aes.decrypt(blob[:12], blob[12:], None).decode()

    db = prepare(open_sqlcipher(path, key) if name == "sqlcipher" else open_plain(path))
    cpu0 = time.process_time()
    times = run(db, data, seal)
    cpu = time.process_time() - cpu0
    read_ms = read_back(db, unseal)
    db.close()
    plain_found = SENTENCE.encode() in b"".join(
        p.read_bytes() for p in folder.glob(f"{path.name}*")
    )
    return {"append_ms": statistics.median(times), "p95_ms": sorted(times)[int(0.95 * len(times))],
            "cpu_s": cpu, "read_ms": read_ms, "plaintext_on_disk": float(plain_found)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--utterances", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = rows(args.utterances)
    names = ("plain", "sqlcipher", "aes_gcm_per_record")
    results: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):  # interleaved, so the shared machine's noise falls on all
            for name in names:
                results[name].append(variant(name, Path(tmp), data))
    out: dict[str, Any] = {"utterances": args.utterances, "rounds": args.rounds}
    for name in names:
        out[name] = {k: round(statistics.median(r[k] for r in results[name]), 4)
                     for k in results[name][0]}  # fmt: skip
    base = out["plain"]
    for name in names[1:]:
        out[name]["append_vs_plain"] = round(out[name]["append_ms"] / base["append_ms"], 3)
        out[name]["cpu_vs_plain"] = round(out[name]["cpu_s"] / base["cpu_s"], 3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
