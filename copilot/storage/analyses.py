"""What was made of a session: stored analyses with their provenance (`store.analyses`), and the
therapist's marks on it, notes and risk acknowledgements (`store.marks`).

Both work over the session store's connection and its transactions.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from copilot.domain import Note, Provenance, utcnow
from copilot.storage.rows import dump, ts

if TYPE_CHECKING:
    from copilot.storage.repository import SessionStore

T = TypeVar("T", bound=BaseModel)


class Analyses:
    def __init__(self, store: SessionStore):
        self._store = store

    def save_analysis(
        self, session_id: str, kind: str, provenance: Provenance, payload: BaseModel | list[Any]
    ) -> None:
        """Store a result with what produced it: engine, model, prompt name and digest."""
        body = dump(payload)
        with self._store.transaction() as db:
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
        row = self._store.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return None if row is None else json.loads(row[0])

    def latest_as(self, session_id: str, kind: str, model: type[T]) -> T | None:
        data = self.latest_analysis(session_id, kind)
        return None if data is None else model.model_validate(data)

    def latest_list(self, session_id: str, kind: str, model: type[T]) -> list[T]:
        data = self.latest_analysis(session_id, kind)
        return [] if data is None else [model.model_validate(item) for item in data]


class Marks:
    def __init__(self, store: SessionStore):
        self._store = store

    def acknowledge_risk(self, session_id: str, utterance_seq: int, category: str) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO risk_acknowledgements VALUES (?, ?, ?, ?)",
                (session_id, utterance_seq, category, ts(utcnow())),
            )

    def acknowledgements(self, session_id: str) -> dict[tuple[int, str], datetime]:
        rows = self._store.db.execute(
            "SELECT utterance_seq, category, acknowledged_at FROM risk_acknowledgements "
            "WHERE session_id = ?",
            (session_id,),
        ).fetchall()
        return {(r[0], r[1]): datetime.fromisoformat(r[2]) for r in rows}

    def add_note(self, session_id: str, note: Note) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO notes (session_id, at, text, created_at) VALUES (?, ?, ?, ?)",
                (session_id, note.at, note.text, ts(note.created_at)),
            )

    def notes(self, session_id: str) -> list[Note]:
        rows = self._store.db.execute(
            "SELECT at, text, created_at FROM notes WHERE session_id = ? ORDER BY at",
            (session_id,),
        ).fetchall()
        return [Note(**dict(r)) for r in rows]
