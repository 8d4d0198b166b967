"""The private journal: the therapist's answers, check-ins and reminders, in their own database.

`journal.sqlite3` sits beside the session database under COPILOT_HOME but shares nothing with
it, so no session export, report or share can carry a journal entry by accident. An entry leaves
only through `journal_for_export`, and only the entries the therapist names.

An entry keeps the therapist's words, the question and the moment's time, not the client's
words: quoted stretches of the question are stored as “…”, so deleting a session leaves no
client words behind in the journal.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from copilot.domain import utcnow
from copilot.errors import CopilotError, StorageError
from copilot.settings import home
from copilot.storage.db import OperationalError, connect
from copilot.storage.migrations import Migration

JOURNAL_FILE = "journal.sqlite3"
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


class JournalError(CopilotError):
    """A journal entry that does not exist or does not belong where it was asked for."""


def journal_path() -> Path:
    return home() / JOURNAL_FILE


def _run(db: sqlite3.Connection, script: str) -> None:
    # Statement by statement, inside the migration's own transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def m001_journal(db: sqlite3.Connection) -> None:
    _run(
        db,
        """
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            prompt_id TEXT NOT NULL,
            aspect TEXT NOT NULL,
            question TEXT NOT NULL,
            moment_start REAL,
            utterance_seq INTEGER,
            answer TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX entries_by_session ON entries (session_id, id);
        CREATE TABLE checkins (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            instrument_id TEXT NOT NULL,
            instrument_version TEXT NOT NULL,
            instrument_digest TEXT NOT NULL,
            instrument_title TEXT NOT NULL,
            session_id TEXT,
            answers TEXT NOT NULL,
            scores TEXT NOT NULL,
            context TEXT
        );
        CREATE INDEX checkins_by_time ON checkins (at);
        CREATE TABLE reminders (
            session_id TEXT PRIMARY KEY,
            due_at TEXT NOT NULL,
            snoozes INTEGER NOT NULL DEFAULT 0,
            closed_at TEXT
        )
        """,
    )


MIGRATIONS: list[Migration] = [m001_journal]


def open_journal(path: Path | None = None) -> sqlite3.Connection:
    """The journal database (WAL, migrated to its latest), never the session database."""
    return connect(path or journal_path(), migrations=MIGRATIONS)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        db.execute("BEGIN IMMEDIATE")
        yield db
        db.execute("COMMIT")
    except OperationalError as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise StorageError(f"could not write to the journal: {exc}") from exc
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def without_quotes(question: str) -> str:
    """A question as the journal keeps it: the client's words quoted in it become “…”."""
    return _QUOTED.sub("“…”", question)


class JournalEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    session_id: str
    prompt_id: str
    aspect: str
    question: str
    moment_start: float | None = None
    utterance_seq: int | None = None
    answer: str
    created_at: datetime = Field(default_factory=utcnow)


class Journal:
    def __init__(self, db: sqlite3.Connection | None = None, path: Path | None = None):
        self.db = db or open_journal(path)

    def close(self) -> None:
        self.db.close()

    def add(self, entry: JournalEntry) -> JournalEntry:
        with transaction(self.db) as db:
            cur = db.execute(
                "INSERT INTO entries (session_id, prompt_id, aspect, question, moment_start, "
                "utterance_seq, answer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.session_id, entry.prompt_id, entry.aspect, without_quotes(entry.question),
                    entry.moment_start, entry.utterance_seq, entry.answer,
                    entry.created_at.isoformat(),
                ),
            )  # fmt: skip
        stored = {"id": cur.lastrowid, "question": without_quotes(entry.question)}
        return entry.model_copy(update=stored)

    def entries(self, session_id: str | None = None) -> list[JournalEntry]:
        sql, args = "SELECT * FROM entries", list[str]()
        if session_id is not None:
            sql, args = sql + " WHERE session_id = ?", [session_id]
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        return [JournalEntry.model_validate(dict(r)) for r in rows]

    def get(self, entry_ids: Sequence[int]) -> list[JournalEntry]:
        marks = ", ".join("?" for _ in entry_ids)
        rows = self.db.execute(
            f"SELECT * FROM entries WHERE id IN ({marks}) ORDER BY id", list(entry_ids)
        ).fetchall()
        return [JournalEntry.model_validate(dict(r)) for r in rows]

    def delete(self, entry_id: int) -> None:
        with transaction(self.db) as db:
            cur = db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        if cur.rowcount == 0:
            raise JournalError(f"no journal entry {entry_id}")

    def forget_session(self, session_id: str) -> int:
        """Delete a session's entries (for when the therapist wants them gone with it)."""
        with transaction(self.db) as db:
            cur = db.execute("DELETE FROM entries WHERE session_id = ?", (session_id,))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount


def journal_for_export(
    session_id: str, entry_ids: Sequence[int] = (), path: Path | None = None
) -> list[JournalEntry]:
    """The entries the therapist chose to include in this session's share: none by default.

    The export code calls this with the ids the therapist ticked; an id that is not this
    session's is refused rather than silently dropped.
    """
    if not entry_ids:
        return []
    journal = Journal(path=path)
    try:
        found = journal.get(list(dict.fromkeys(entry_ids)))
    finally:
        journal.close()
    ours = {e.id: e for e in found if e.session_id == session_id}
    for entry_id in entry_ids:
        if entry_id not in ours:
            raise JournalError(f"journal entry {entry_id} is not one of session {session_id}'s")
    return [ours[i] for i in dict.fromkeys(entry_ids)]
