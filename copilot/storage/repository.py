"""The session repository: every read and write of clinical session data goes through here."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from copilot.domain import (
    Consent,
    Note,
    Provenance,
    Session,
    Utterance,
    utcnow,
)
from copilot.errors import SessionNotFound, StorageError
from copilot.protection.erase import erase
from copilot.storage.db import OperationalError, connect, scrub
from copilot.storage.rows import (
    INSERT_UTTERANCE,
    SESSION_COLUMNS,
    dump,
    encode,
    session_row,
    ts,
    utt_from_row,
    utt_row,
    words_json,
)

T = TypeVar("T", bound=BaseModel)


class SessionStore:
    """Opened once where a program starts (a command, the window) and passed in; `with
    SessionStore() as store:` closes it at the end."""

    def __init__(self, db: sqlite3.Connection | None = None, path: Path | None = None):
        self.db = db or connect(path)
        self._lock = threading.RLock()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def another(self) -> SessionStore:
        """A second connection to the same database, for a worker that writes on threads of
        its own (a live recording beside the window's page calls)."""
        main = self.db.execute("PRAGMA database_list").fetchone()
        return SessionStore(path=Path(main["file"]))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                yield self.db
                self.db.execute("COMMIT")
            except OperationalError as exc:
                self._rollback()
                raise StorageError(f"could not write to the database: {exc}") from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # sessions ---------------------------------------------------------------------------------

    def create(self, session: Session) -> None:
        row = session_row(session)
        row["owner_pid"], row["owner_host"] = os.getpid(), socket.gethostname()
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        with self.transaction() as db:
            db.execute(f"INSERT INTO sessions ({names}) VALUES ({marks})", list(row.values()))
            if session.consent:
                self._write_consent(db, session.id, session.consent)

    def record_consent(self, session_id: str, consent: Consent) -> None:
        self.get(session_id)
        with self.transaction() as db:
            self._write_consent(db, session_id, consent)

    @staticmethod
    def _write_consent(db: sqlite3.Connection, session_id: str, consent: Consent) -> None:
        db.execute(
            "INSERT OR REPLACE INTO consents VALUES (?, ?, ?, ?, ?)",
            (session_id, consent.given_by, consent.method, ts(consent.recorded_at), consent.note),
        )

    def update(self, session_id: str, **fields: Any) -> None:
        allowed = set(SESSION_COLUMNS) | {"progress_s", "owner_pid", "owner_host", "audio_path"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not session columns: {sorted(unknown)}")
        values = [encode(v) for v in fields.values()]
        sets = ", ".join(f'"{k}" = ?' for k in fields)
        with self.transaction() as db:
            cur = db.execute(f"UPDATE sessions SET {sets} WHERE id = ?", [*values, session_id])
            if cur.rowcount == 0:
                raise SessionNotFound(f"no session {session_id!r}")

    def finish(self, session_id: str, duration_s: float | None) -> None:
        self.update(
            session_id,
            status="complete",
            ended_at=utcnow(),
            duration_s=duration_s,
            owner_pid=None,
        )

    def get(self, session_id: str) -> Session:
        row = self.db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            row = self._by_prefix(session_id)
        return self._session_from_row(row)

    def _by_prefix(self, prefix: str) -> sqlite3.Row:
        rows = self.db.execute(
            "SELECT * FROM sessions WHERE id LIKE ? LIMIT 2", (prefix.replace("%", "") + "%",)
        ).fetchall()
        if len(rows) != 1 or len(prefix) < 4:
            raise SessionNotFound(f"no session {prefix!r} (see `session-copilot sessions`)")
        row: sqlite3.Row = rows[0]
        return row

    def _session_from_row(self, row: sqlite3.Row) -> Session:
        data = {k: row[k] for k in SESSION_COLUMNS}
        if data["channel_roles"]:
            data["channel_roles"] = json.loads(data["channel_roles"])
        consent = self.db.execute(
            "SELECT given_by, method, recorded_at, note FROM consents WHERE session_id = ?",
            (row["id"],),
        ).fetchone()
        if consent is not None:
            data["consent"] = Consent(**dict(consent))
        return Session.model_validate(data)

    def list_sessions(
        self, client: str | None = None, query: str | None = None, status: str | None = None
    ) -> list[Session]:
        sql, args = "SELECT * FROM sessions WHERE status != 'discarded'", list[str]()
        if client:
            sql, args = sql + " AND client_label = ?", [*args, client]
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        if query:
            like = f"%{query}%"
            sql += (
                " AND (client_label LIKE ? OR source_name LIKE ? OR id IN "
                "(SELECT session_id FROM utterances WHERE text LIKE ?))"
            )
            args += [like, like, like]
        rows = self.db.execute(sql + " ORDER BY created_at DESC", args).fetchall()
        return [self._session_from_row(r) for r in rows]

    def audio_path(self, session_id: str) -> str | None:
        """Where the session's kept audio is, if the therapist chose to keep it."""
        row = self.db.execute("SELECT audio_path FROM sessions WHERE id = ?", (session_id,))
        found = row.fetchone()
        return found[0] if found is not None and found[0] else None

    def delete(self, session_id: str, scrub: bool = True) -> None:
        """Really delete: rows go, their pages are overwritten and vacuumed out, and kept
        audio is overwritten before it is removed."""
        session = self.get(session_id)
        audio = self.audio_path(session.id)
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
        if scrub:  # (several deletions in a row scrub once, after the last)
            self.scrub()
        if audio:
            erase(Path(audio))

    def scrub(self) -> None:
        with self._lock:
            scrub(self.db)

    def progress(self, session_id: str) -> float:
        row = self.db.execute("SELECT progress_s FROM sessions WHERE id = ?", (session_id,))
        found = row.fetchone()
        if found is None:
            raise SessionNotFound(f"no session {session_id!r}")
        return float(found[0])

    def source_path(self, session_id: str) -> str | None:
        row = self.db.execute("SELECT source_name FROM sessions WHERE id = ?", (session_id,))
        found = row.fetchone()
        return None if found is None else found[0]

    def mark_orphans_incomplete(self) -> list[Session]:
        """Sessions left in progress by a process that is gone become 'incomplete', visibly."""
        rows = self.db.execute(
            "SELECT id, owner_pid, owner_host FROM sessions WHERE status = 'in_progress'"
        ).fetchall()
        here = socket.gethostname()
        orphans = [r["id"] for r in rows if r["owner_host"] != here or not _alive(r["owner_pid"])]
        for session_id in orphans:
            self.update(session_id, status="incomplete", owner_pid=None)
        return [self.get(s) for s in orphans]

    # utterances -------------------------------------------------------------------------------

    def next_seq(self, session_id: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(MAX(seq), -1) + 1 FROM utterances WHERE session_id = ?", (session_id,)
        ).fetchone()
        return int(row[0])

    def append(
        self, session_id: str, utterances: Sequence[Utterance], progress_s: float | None = None
    ) -> None:
        """Commit utterances as they are produced; `progress_s` marks audio fully processed."""
        with self.transaction() as db:
            db.executemany(INSERT_UTTERANCE, [utt_row(session_id, u) for u in utterances])
            if progress_s is not None:
                db.execute(
                    "UPDATE sessions SET progress_s = ? WHERE id = ?", (progress_s, session_id)
                )

    def replace_utterances(self, session_id: str, utterances: Sequence[Utterance]) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM utterances WHERE session_id = ?", (session_id,))
            db.executemany(INSERT_UTTERANCE, [utt_row(session_id, u) for u in utterances])

    def revise_utterances(self, session_id: str, utterances: Sequence[Utterance]) -> int:
        """New recognised words for stored utterances (same seq); one the therapist has
        corrected keeps their text. Returns how many changed."""
        rows = [
            (u.start, u.end, u.text, words_json(u), u.confidence, session_id, u.seq)
            for u in utterances
        ]
        with self.transaction() as db:
            cur = db.executemany(
                'UPDATE utterances SET start = ?, "end" = ?, text = ?, words = ?, confidence = ? '
                "WHERE session_id = ? AND seq = ? AND original_text IS NULL",
                rows,
            )
            return cur.rowcount

    def drop_utterances_after(self, session_id: str, time_s: float) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM utterances WHERE session_id = ? AND start >= ?", (session_id, time_s)
            )
            return cur.rowcount

    def utterances(self, session_id: str) -> list[Utterance]:
        rows = self.db.execute(
            "SELECT * FROM utterances WHERE session_id = ? ORDER BY start, seq", (session_id,)
        ).fetchall()
        return [utt_from_row(r) for r in rows]

    def correct_text(self, session_id: str, seq: int, text: str) -> None:
        """A correction keeps the recognised text as the original, once."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE utterances SET original_text = COALESCE(original_text, text), text = ? "
                "WHERE session_id = ? AND seq = ?",
                (text, session_id, seq),
            )
            if cur.rowcount == 0:
                raise SessionNotFound(f"no utterance {seq} in session {session_id!r}")

    def swap_roles(self, session_id: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE utterances SET role = CASE role WHEN 'therapist' THEN 'client' "
                "WHEN 'client' THEN 'therapist' ELSE role END WHERE session_id = ?",
                (session_id,),
            )

    def acknowledge_risk(self, session_id: str, utterance_seq: int, category: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO risk_acknowledgements VALUES (?, ?, ?, ?)",
                (session_id, utterance_seq, category, ts(utcnow())),
            )

    def acknowledgements(self, session_id: str) -> dict[tuple[int, str], datetime]:
        rows = self.db.execute(
            "SELECT utterance_seq, category, acknowledged_at FROM risk_acknowledgements "
            "WHERE session_id = ?",
            (session_id,),
        ).fetchall()
        return {(r[0], r[1]): datetime.fromisoformat(r[2]) for r in rows}

    # notes and analyses -----------------------------------------------------------------------

    def add_note(self, session_id: str, note: Note) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO notes (session_id, at, text, created_at) VALUES (?, ?, ?, ?)",
                (session_id, note.at, note.text, ts(note.created_at)),
            )

    def notes(self, session_id: str) -> list[Note]:
        rows = self.db.execute(
            "SELECT at, text, created_at FROM notes WHERE session_id = ? ORDER BY at",
            (session_id,),
        ).fetchall()
        return [Note(**dict(r)) for r in rows]

    def save_analysis(
        self, session_id: str, kind: str, provenance: Provenance, payload: BaseModel | list[Any]
    ) -> None:
        """Store a result with what produced it: engine, model, prompt name and digest."""
        body = dump(payload)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO analyses (session_id, kind, engine, model, prompt_name, "
                "prompt_digest, created_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    kind,
                    provenance.engine,
                    provenance.model,
                    provenance.prompt_name,
                    provenance.prompt_digest,
                    ts(provenance.created_at),
                    body,
                ),
            )

    def latest_analysis(self, session_id: str, kind: str, engine: str | None = None) -> Any:
        sql = "SELECT payload FROM analyses WHERE session_id = ? AND kind = ?"
        args: list[Any] = [session_id, kind]
        if engine:
            sql, args = sql + " AND engine = ?", [*args, engine]
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return None if row is None else json.loads(row[0])

    def latest_as(self, session_id: str, kind: str, model: type[T]) -> T | None:
        data = self.latest_analysis(session_id, kind)
        return None if data is None else model.model_validate(data)

    def latest_list(self, session_id: str, kind: str, model: type[T]) -> list[T]:
        data = self.latest_analysis(session_id, kind)
        return [] if data is None else [model.model_validate(item) for item in data]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
