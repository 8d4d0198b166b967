"""How sessions and utterances become table rows and back (the repository's SQL stays there)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from copilot.domain import Session, Utterance, Word

SESSION_COLUMNS = (
    "id",
    "client_label",
    "created_at",
    "ended_at",
    "source",
    "source_name",
    "status",
    "duration_s",
    "model",
    "channel_roles",
    "diarization",
    "language",
    "imported_from",
    "times_estimated",
)

INSERT_UTTERANCE = (
    'INSERT INTO utterances (session_id, seq, role, start, "end", text, words, confidence, '
    "channel, speaker, original_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def words_json(u: Utterance) -> str:
    return json.dumps([w.model_dump() for w in u.words], separators=(",", ":"))


def utt_row(session_id: str, u: Utterance) -> tuple[Any, ...]:
    return (
        session_id,
        u.seq,
        u.role,
        u.start,
        u.end,
        u.text,
        words_json(u),
        u.confidence,
        u.channel,
        u.speaker,
        u.original_text,
    )


def utt_from_row(row: sqlite3.Row) -> Utterance:
    return Utterance(
        seq=row["seq"],
        role=row["role"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
        words=[Word(**w) for w in json.loads(row["words"])],
        confidence=row["confidence"],
        channel=row["channel"],
        speaker=row["speaker"],
        original_text=row["original_text"],
    )


def session_row(session: Session) -> dict[str, Any]:
    data = session.model_dump(mode="json", exclude={"consent"})
    return {k: encode(data[k]) for k in SESSION_COLUMNS}


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return value


def ts(value: datetime) -> str:
    return value.isoformat()


def dump(payload: BaseModel | list[Any]) -> str:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json()
    return json.dumps(
        [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in payload]
    )
