"""The private journal's database: the therapist's answers, check-ins and reminders.

`journal.sqlite3` sits beside the session database under COPILOT_HOME but shares nothing with
it, so no session export, report or share can carry a journal entry by accident. Every SQL
statement on it lives here; copilot.reflection holds what the rows mean (scoring, reminders'
timing) and the models the other layers see.

An entry keeps the therapist's words, the question and the moment's time, not the client's
words: quoted stretches of the question are stored as “…”, so deleting a session leaves no
client words behind in the journal.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from copilot.domain import utcnow
from copilot.errors import CopilotError
from copilot.settings import home
from copilot.storage.db import Database, connect
from copilot.storage.migrations import Migration, Script

JOURNAL_FILE = "journal.sqlite3"
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


class JournalError(CopilotError):
    """A journal entry that does not exist or does not belong where it was asked for."""


def journal_path() -> Path:
    return home() / JOURNAL_FILE


m001_journal = Script(
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
        """
)


MIGRATIONS: list[Migration] = [m001_journal]


def open_journal(path: Path | None = None) -> sqlite3.Connection:
    """The journal database (WAL, migrated to its latest), never the session database."""
    return connect(path or journal_path(), migrations=MIGRATIONS)


class JournalStore(Database):
    """The journal, opened once where a program starts and passed in, as the session store is.
    Its rows by concern: `entries`, `checkins`, `reminders`."""

    what = "the journal"

    def __init__(self, db: sqlite3.Connection | None = None, path: Path | None = None):
        super().__init__(db or open_journal(path))
        self.entries = EntryRows(self)
        self.checkins = CheckInRows(self)
        self.reminders = ReminderRows(self)


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


class EntryRows:
    """The therapist's answers to reflection prompts."""

    def __init__(self, journal: JournalStore):
        self.journal = journal

    def add(self, entry: JournalEntry) -> JournalEntry:
        with self.journal.transaction() as db:
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

    def select(self, session_id: str | None = None) -> list[JournalEntry]:
        sql, args = "SELECT * FROM entries", list[str]()
        if session_id is not None:
            sql, args = sql + " WHERE session_id = ?", [session_id]
        rows = self.journal.db.execute(sql + " ORDER BY id", args).fetchall()
        return [JournalEntry.model_validate(dict(r)) for r in rows]

    def get(self, entry_ids: Sequence[int]) -> list[JournalEntry]:
        marks = ", ".join("?" for _ in entry_ids)
        rows = self.journal.db.execute(
            f"SELECT * FROM entries WHERE id IN ({marks}) ORDER BY id", list(entry_ids)
        ).fetchall()
        return [JournalEntry.model_validate(dict(r)) for r in rows]

    def delete(self, entry_id: int) -> None:
        with self.journal.transaction() as db:
            cur = db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        if cur.rowcount == 0:
            raise JournalError(f"no journal entry {entry_id}")

    def forget_session(self, session_id: str) -> int:
        """Delete a session's entries (for when the therapist wants them gone with it)."""
        with self.journal.transaction() as db:
            cur = db.execute("DELETE FROM entries WHERE session_id = ?", (session_id,))
        self.journal.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount


class CheckInRows:
    """Check-in rows: the answers, scores and context as JSON text (copilot.reflection.checkins
    turns them into a `CheckIn`)."""

    def __init__(self, journal: JournalStore):
        self.journal = journal

    def insert(self, row: dict[str, Any]) -> None:
        row = {**row, "at": _ts(row["at"])}
        for key in ("answers", "scores", "context"):
            row[key] = None if row[key] is None else json.dumps(row[key])
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.journal.transaction() as db:
            db.execute(f"INSERT INTO checkins ({names}) VALUES ({marks})", list(row.values()))

    def select(
        self, since: datetime | None = None, kinds: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM checkins WHERE 1 = 1", list[str]()
        if since is not None:
            sql, args = sql + " AND at >= ?", [*args, _ts(since)]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            args += list(kinds)
        found = []
        for r in self.journal.db.execute(sql + " ORDER BY at", args).fetchall():
            data = dict(r)
            for key in ("answers", "scores", "context"):
                data[key] = json.loads(data[key]) if data[key] else None
            found.append(data)
        return found


class ReminderRows:
    """Reminder rows: one per session, open until closed (copilot.reflection.reminders says
    when one is due)."""

    def __init__(self, journal: JournalStore):
        self.journal = journal

    def add(self, session_id: str, due_at: datetime) -> None:
        with self.journal.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO reminders (session_id, due_at) VALUES (?, ?)",
                (session_id, _ts(due_at)),
            )

    def due(self, now: datetime) -> list[dict[str, Any]]:
        rows = self.journal.db.execute(
            "SELECT session_id, due_at, snoozes FROM reminders "
            "WHERE closed_at IS NULL AND due_at <= ? ORDER BY due_at",
            (_ts(now),),
        ).fetchall()
        return [dict(r) for r in rows]

    def sessions_known(self) -> set[str]:
        """Sessions with a reminder (open or not), a journal entry or a check-in."""
        known = {r[0] for r in self.journal.db.execute("SELECT session_id FROM reminders")}
        known |= {r[0] for r in self.journal.db.execute("SELECT DISTINCT session_id FROM entries")}
        known |= {
            r[0]
            for r in self.journal.db.execute(
                "SELECT session_id FROM checkins WHERE session_id IS NOT NULL"
            )
        }
        return known

    def snooze(self, session_id: str, until: datetime) -> dict[str, Any]:
        with self.journal.transaction() as db:
            db.execute(
                "INSERT INTO reminders (session_id, due_at, snoozes) VALUES (?, ?, 1) "
                "ON CONFLICT (session_id) DO UPDATE SET due_at = excluded.due_at, "
                "snoozes = snoozes + 1, closed_at = NULL",
                (session_id, _ts(until)),
            )
        row = self.journal.db.execute(
            "SELECT session_id, due_at, snoozes FROM reminders WHERE session_id = ?", (session_id,)
        ).fetchone()
        return dict(row)

    def close(self, session_id: str, at: datetime) -> bool:
        """Returns whether there was an open one."""
        with self.journal.transaction() as db:
            cur = db.execute(
                "UPDATE reminders SET closed_at = ? WHERE session_id = ? AND closed_at IS NULL",
                (_ts(at), session_id),
            )
        return cur.rowcount > 0


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
