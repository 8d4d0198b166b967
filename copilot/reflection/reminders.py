"""An optional reminder at session end to reflect and check in; snoozable; it never blocks.

Off unless the therapist turns on `Settings.reminders`. Scheduling is one small write to the
journal database and nothing waits on it: a reminder that cannot be written is simply not made,
so the end of a session can never fail or stall because of it. The window and the CLI ask
`due()` when they are next shown and display a one-line notice; the therapist can act on it,
snooze it, or dismiss it. A session that ended recently without a reflection or check-in is due
by itself, so the end of a session needs no hook to be reminded of.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from copilot.domain import utcnow
from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.storage.journal import JournalStore
from copilot.storage.repository import SessionStore

SNOOZE_MIN = 20
RECENT_HOURS = 12  # a session older than this no longer brings a reminder by itself


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


def schedule(
    journal: JournalStore,
    session_id: str,
    settings: Settings,
    now: datetime | None = None,
) -> Reminder | None:
    """At session end: make the reminder if the therapist wants reminders; never raises."""
    try:
        if not settings.reminders:
            return None
        reminder = Reminder(session_id=session_id, due_at=now or utcnow())
        journal.reminders.add(session_id, reminder.due_at)
    except (CopilotError, sqlite3.Error, OSError, ValueError):
        return None  # a reminder is a courtesy; losing one must not disturb the session's end
    return reminder


def due(
    journal: JournalStore,
    now: datetime | None = None,
    store: SessionStore | None = None,
    settings: Settings | None = None,
) -> list[Reminder]:
    """Reminders due now: those scheduled or snoozed, and — with reminders on and a session
    store given — every session that ended in the last RECENT_HOURS without a reflection or a
    check-in and without a reminder already made, dismissed or done. So a session's end needs
    no hook: the next look at `due()` finds it."""
    now = now or utcnow()
    rows = journal.reminders
    found = [Reminder.model_validate(r) for r in rows.due(now)]
    if store is not None and settings is not None and settings.reminders:
        found += _unreflected(rows.sessions_known(), store, now)
    return sorted(found, key=lambda r: r.due_at)


def _unreflected(known: set[str], store: SessionStore, now: datetime) -> list[Reminder]:
    since = now - timedelta(hours=RECENT_HOURS)
    return [
        Reminder(session_id=s.id, due_at=s.ended_at)
        for s in store.list_sessions(status="complete")
        if s.ended_at is not None and since <= s.ended_at <= now and s.id not in known
    ]


def snooze(
    journal: JournalStore,
    session_id: str,
    minutes: float = SNOOZE_MIN,
    now: datetime | None = None,
) -> Reminder:
    later = (now or utcnow()) + timedelta(minutes=minutes)
    return Reminder.model_validate(journal.reminders.snooze(session_id, later))


def close(journal: JournalStore, session_id: str, now: datetime | None = None) -> bool:
    """Done or dismissed: the reminder stops. Returns whether there was an open one."""
    return journal.reminders.close(session_id, now or utcnow())
