"""Retention: each kind of item kept only as long as the therapist chose.

`plan` lists exactly what would go now; `apply` removes exactly that list, so the preview the
therapist saw is what happens. A session whose transcript and analyses are both due goes whole
(its row, report and audio with it). A session still recording is never touched.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from copilot.domain import utcnow
from copilot.errors import CopilotError
from copilot.periodic import Periodic
from copilot.protection.erase import erase
from copilot.settings import RETAINED_KINDS, Settings, report_file
from copilot.storage import access_log
from copilot.storage import retention as rows
from copilot.storage.access_log import Origin
from copilot.storage.repository import SessionStore

DAY_S = 24 * 3600.0
ItemKind = Literal["session", "transcript", "analyses", "audio", "report"]


class Expiry(BaseModel):
    session_id: str
    client_label: str
    created_at: datetime
    kind: ItemKind
    days: int  # the rule that made it due

    def line(self) -> str:
        return (
            f"{self.session_id}  {self.created_at:%Y-%m-%d}  {self.client_label:<16} "
            f"{self.kind:<10} (kept {self.days} days)"
        )


def active(settings: Settings) -> bool:
    """Whether any rule removes anything (if not, the start skips opening the store)."""
    overrides = [None, *settings.retention_by_client.values()]
    return any(settings.retention.days(k, r) is not None for r in overrides for k in RETAINED_KINDS)


def plan(store: SessionStore, settings: Settings, now: datetime | None = None) -> list[Expiry]:
    now = now or utcnow()
    due: list[Expiry] = []
    for held in rows.holdings(store):
        if held.status != "in_progress":
            due += _due(held, settings, now)
    return due


def _due(held: rows.Holding, settings: Settings, now: datetime) -> list[Expiry]:
    override = settings.retention_by_client.get(held.client_label)
    days = {k: settings.retention.days(k, override) for k in RETAINED_KINDS}
    expired = {
        k: d
        for k, d in days.items()
        if d is not None and now - held.created_at >= timedelta(days=d)
    }

    def item(kind: ItemKind, days: int) -> Expiry:
        return Expiry(
            session_id=held.session_id,
            client_label=held.client_label,
            created_at=held.created_at,
            kind=kind,
            days=days,
        )

    if "transcripts" in expired and "analyses" in expired:
        return [item("session", min(expired["transcripts"], expired["analyses"]))]
    present = {
        "transcripts": held.utterances + held.notes > 0,
        "analyses": held.analyses > 0,
        "audio": held.audio_path is not None,
        "reports": report_file(held.session_id).exists(),
    }
    return [item(_ITEM[k], d) for k, d in expired.items() if present[k]]


_ITEM: dict[str, ItemKind] = {
    "transcripts": "transcript",
    "analyses": "analyses",
    "audio": "audio",
    "reports": "report",
}


def apply(store: SessionStore, due: list[Expiry], origin: Origin) -> int:
    """Remove exactly the items listed, each noted in the access log; returns how many went."""
    for expiry in due:
        _remove(store, expiry, origin)
        if expiry.kind != "session":  # (delete_session notes its own)
            access_log.record(store, "deleted", expiry.session_id, origin, _why(expiry))
    if due:
        store.scrub()
    return len(due)


def _why(expiry: Expiry) -> str:
    return f"retention: {expiry.kind} (kept {expiry.days} days)"


def _remove(store: SessionStore, expiry: Expiry, origin: Origin) -> None:
    session_id = expiry.session_id
    if expiry.kind == "session":
        delete_session(store, session_id, origin, _why(expiry), scrub=False)
    elif expiry.kind == "transcript":
        rows.drop_transcript(store, session_id)
    elif expiry.kind == "analyses":
        rows.drop_analyses(store, session_id)
    elif expiry.kind == "audio":
        audio = store.audio_path(session_id)
        rows.forget_audio(store, session_id)
        if audio:
            erase(Path(audio))
    else:
        erase(report_file(session_id))


def delete_session(
    store: SessionStore, session_id: str, origin: Origin, detail: str = "", scrub: bool = True
) -> str:
    """Delete a session for real: its rows, kept audio and report, noted in the access log.
    Returns its full id."""
    session = store.get(session_id)
    store.delete(session.id, scrub=scrub)
    erase(report_file(session.id))
    access_log.record(store, "deleted", session.id, origin, detail)
    return session.id


class Daily(Periodic):
    """Retention while the window stays open: once a day (the start already ran it)."""

    def __init__(self, run: Callable[[], object], every_s: float = DAY_S):
        super().__init__("retention", every_s)
        self._run = run

    def tick(self) -> None:
        try:
            self._run()
        except CopilotError as exc:
            print(f"session-copilot: retention: {exc}", file=sys.stderr)
