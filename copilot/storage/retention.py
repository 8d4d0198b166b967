"""The rows retention and delete-all work on: what each session still holds, and dropping one
kind of it. Freed pages are overwritten (`secure_delete`) and squeezed out by `scrub`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from copilot.storage.repository import SessionStore


class Holding(BaseModel):
    """What a stored session still holds."""

    session_id: str
    client_label: str
    created_at: datetime
    status: str
    utterances: int
    notes: int
    analyses: int
    audio_path: str | None


def holdings(store: SessionStore) -> list[Holding]:
    rows = store.db.execute(
        "SELECT s.id, s.client_label, s.created_at, s.status, s.audio_path, "
        "(SELECT COUNT(*) FROM utterances u WHERE u.session_id = s.id) AS n_utt, "
        "(SELECT COUNT(*) FROM notes n WHERE n.session_id = s.id) AS n_notes, "
        "(SELECT COUNT(*) FROM analyses a WHERE a.session_id = s.id) AS n_an "
        "FROM sessions s ORDER BY s.created_at, s.id"
    ).fetchall()
    return [
        Holding(
            session_id=r["id"],
            client_label=r["client_label"],
            created_at=datetime.fromisoformat(r["created_at"]),
            status=r["status"],
            utterances=r["n_utt"],
            notes=r["n_notes"],
            analyses=r["n_an"],
            audio_path=r["audio_path"] or None,
        )
        for r in rows
    ]


def drop_transcript(store: SessionStore, session_id: str) -> None:
    """The client's and therapist's words, the notes and the acknowledgements pointing at them."""
    with store.transaction() as db:
        for table in ("utterances", "notes", "risk_acknowledgements"):
            db.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))


def drop_analyses(store: SessionStore, session_id: str) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM analyses WHERE session_id = ?", (session_id,))


def forget_audio(store: SessionStore, session_id: str) -> None:
    with store.transaction() as db:
        db.execute("UPDATE sessions SET audio_path = NULL WHERE id = ?", (session_id,))


def session_ids(store: SessionStore) -> list[str]:
    rows = store.db.execute("SELECT id FROM sessions ORDER BY created_at, id").fetchall()
    return [str(r[0]) for r in rows]
