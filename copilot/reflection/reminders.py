"""An optional reminder at session end to reflect and check in; snoozable; it never blocks.

Off unless the therapist turns on `Settings.reminders`. Scheduling is one small write to the
journal database and nothing waits on it: a reminder that cannot be written is simply not made,
so the end of a session can never fail or stall because of it. The window and the CLI ask
`due()` when they are next shown and display a one-line notice; the therapist can act on it,
snooze it, or dismiss it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from copilot.domain import utcnow
from copilot.errors import StorageError
from copilot.reflection.journal import open_journal, transaction
from copilot.settings import Settings

SNOOZE_MIN = 20


class Reminder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str
    due_at: datetime
    snoozes: int = 0

    def notice(self) -> str:
        return (
            f"session {self.session_id} is waiting for your reflection: "
            f"`session-copilot reflect {self.session_id}` "
            f"(later: `session-copilot reflect {self.session_id} --snooze`; "
            f"no: `--dismiss`)"
        )


def _open(path: Path | None) -> sqlite3.Connection:
    return open_journal(path)


def schedule(
    session_id: str,
    settings: Settings | None = None,
    now: datetime | None = None,
    path: Path | None = None,
) -> Reminder | None:
    """At session end: make the reminder if the therapist wants reminders; never raises."""
    try:
        settings = settings or Settings.load()
        if not settings.reminders:
            return None
        reminder = Reminder(session_id=session_id, due_at=now or utcnow())
        db = _open(path)
        try:
            with transaction(db):
                db.execute(
                    "INSERT OR IGNORE INTO reminders (session_id, due_at) VALUES (?, ?)",
                    (session_id, _ts(reminder.due_at)),
                )
        finally:
            db.close()
    except (StorageError, sqlite3.Error, OSError, ValueError):
        return None  # a reminder is a courtesy; losing one must not disturb the session's end
    return reminder


def due(now: datetime | None = None, path: Path | None = None) -> list[Reminder]:
    db = _open(path)
    try:
        rows = db.execute(
            "SELECT session_id, due_at, snoozes FROM reminders "
            "WHERE closed_at IS NULL AND due_at <= ? ORDER BY due_at",
            (_ts(now or utcnow()),),
        ).fetchall()
    finally:
        db.close()
    return [Reminder.model_validate(dict(r)) for r in rows]


def snooze(
    session_id: str,
    minutes: float = SNOOZE_MIN,
    now: datetime | None = None,
    path: Path | None = None,
) -> Reminder:
    later = (now or utcnow()) + timedelta(minutes=minutes)
    db = _open(path)
    try:
        with transaction(db):
            db.execute(
                "INSERT INTO reminders (session_id, due_at, snoozes) VALUES (?, ?, 1) "
                "ON CONFLICT (session_id) DO UPDATE SET due_at = excluded.due_at, "
                "snoozes = snoozes + 1, closed_at = NULL",
                (session_id, _ts(later)),
            )
        row = db.execute(
            "SELECT session_id, due_at, snoozes FROM reminders WHERE session_id = ?", (session_id,)
        ).fetchone()
    finally:
        db.close()
    return Reminder.model_validate(dict(row))


def close(session_id: str, path: Path | None = None, now: datetime | None = None) -> bool:
    """Done or dismissed: the reminder stops. Returns whether there was an open one."""
    db = _open(path)
    try:
        with transaction(db):
            cur = db.execute(
                "UPDATE reminders SET closed_at = ? WHERE session_id = ? AND closed_at IS NULL",
                (_ts(now or utcnow()), session_id),
            )
    finally:
        db.close()
    return cur.rowcount > 0


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
