"""The access log's rows: who (the OS account) opened, exported, shared or deleted which
session, when, and from where (the window or the command line). It stays in the database,
beside what it describes, and is never sent anywhere."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from copilot.domain import utcnow
from copilot.storage.repository import SessionStore

Action = Literal["opened", "exported", "shared", "deleted"]
Origin = Literal["window", "cli"]


class Access(BaseModel):
    at: datetime
    account: str
    action: Action
    session_id: str | None
    origin: Origin
    detail: str = ""

    def line(self) -> str:
        local = self.at.astimezone()
        return (
            f"{local:%Y-%m-%d %H:%M:%S}  {self.account:<12} {self.action:<9} "
            f"{self.session_id or '-':<24} {self.origin:<6} {self.detail}"
        ).rstrip()


def account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return "unknown"


def record(
    store: SessionStore, action: Action, session_id: str | None, origin: Origin, detail: str = ""
) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO access_log (at, account, action, session_id, origin, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (utcnow().isoformat(), account(), action, session_id, origin, detail),
        )


def entries(
    store: SessionStore, session_id: str | None = None, limit: int | None = None
) -> list[Access]:
    """Newest first."""
    sql, args = "SELECT at, account, action, session_id, origin, detail FROM access_log", []
    if session_id:
        sql, args = sql + " WHERE session_id = ?", [session_id]
    sql += " ORDER BY id DESC"
    if limit:
        sql, args = sql + " LIMIT ?", [*args, str(limit)]
    return [Access.model_validate(dict(r)) for r in store.db.execute(sql, args).fetchall()]
