"""The session repository: the connection, its transactions, and the sessions themselves.

Every read and write of clinical session data goes through a `SessionStore`: the sessions here,
and, over the same connection, their utterances (`store.transcript`), analyses
(`store.analyses`) and the therapist's notes and acknowledgements (`store.marks`)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from copilot.domain import (
    Consent,
    Session,
    utcnow,
)
from copilot.errors import SessionNotFound
from copilot.protection.erase import erase
from copilot.storage.analyses import Analyses, Marks
from copilot.storage.db import Database, connect, scrub
from copilot.storage.rows import (
    SESSION_COLUMNS,
    encode,
    session_row,
    ts,
)
from copilot.storage.transcript import Transcript

T = TypeVar("T", bound=BaseModel)


class SessionStore(Database):
    """The session database, opened once where a program starts and passed in."""

    def __init__(self, db: sqlite3.Connection | None = None, path: Path | None = None):
        super().__init__(db or connect(path))
        # The repositories over this connection, each with its own concern.
        self.transcript = Transcript(self)
        self.analyses = Analyses(self)
        self.marks = Marks(self)

    def another(self) -> SessionStore:
        """A second connection to the same database, for a worker that writes on threads of
        its own (a live recording beside the window's page calls)."""
        main = self.db.execute("PRAGMA database_list").fetchone()
        return SessionStore(path=Path(main["file"]))

    # sessions ---------------------------------------------------------------------------------

    def create(self, session: Session) -> None:
        row = session_row(session)
        row["owner_pid"], row["owner_host"] = os.getpid(), socket.gethostname()
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        with self.transaction() as db:
            db.execute(f"INSERT INTO sessions ({names}) VALUES ({marks})", list(row.values()))
            if session.consent:
                _write_consent(db, session.id, session.consent)

    def record_consent(self, session_id: str, consent: Consent) -> None:
        self.get(session_id)
        with self.transaction() as db:
            _write_consent(db, session_id, consent)

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
        return _session_from_row(self.db, row)

    def _by_prefix(self, prefix: str) -> sqlite3.Row:
        rows = self.db.execute(
            "SELECT * FROM sessions WHERE id LIKE ? LIMIT 2", (prefix.replace("%", "") + "%",)
        ).fetchall()
        if len(rows) != 1 or len(prefix) < 4:
            raise SessionNotFound(f"no session {prefix!r} (see `session-copilot sessions`)")
        row: sqlite3.Row = rows[0]
        return row

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
        return [_session_from_row(self.db, r) for r in rows]

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


def _write_consent(db: sqlite3.Connection, session_id: str, consent: Consent) -> None:
    db.execute(
        "INSERT OR REPLACE INTO consents VALUES (?, ?, ?, ?, ?)",
        (session_id, consent.given_by, consent.method, ts(consent.recorded_at), consent.note),
    )


def _session_from_row(db: sqlite3.Connection, row: sqlite3.Row) -> Session:
    data = {k: row[k] for k in SESSION_COLUMNS}
    if data["channel_roles"]:
        data["channel_roles"] = json.loads(data["channel_roles"])
    consent = db.execute(
        "SELECT given_by, method, recorded_at, note FROM consents WHERE session_id = ?",
        (row["id"],),
    ).fetchone()
    if consent is not None:
        data["consent"] = Consent(**dict(consent))
    return Session.model_validate(data)


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
