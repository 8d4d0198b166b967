"""The egress log's rows: what left the machine, when, to which model, and at what cost."""

from __future__ import annotations

from typing import Any

from copilot.storage.repository import SessionStore

COLUMNS = (
    "at", "session_id", "destination", "model", "prompt_name", "prompt_digest",
    "payload_sha256", "input_tokens", "output_tokens", "cache_read_tokens",
    "cache_write_tokens", "cost_usd", "status", "error",
)  # fmt: skip


def insert(store: SessionStore, row: dict[str, Any]) -> int:
    """Write a row of COLUMNS; returns its id."""
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    with store.transaction() as db:
        cur = db.execute(
            f"INSERT INTO egress ({names}) VALUES ({marks})", [row[c] for c in COLUMNS]
        )
        return int(cur.lastrowid or 0)


def update(store: SessionStore, entry_id: int, **fields: Any) -> None:
    """Change some of a row's COLUMNS."""
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not egress columns: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with store.transaction() as db:
        db.execute(f"UPDATE egress SET {assignments} WHERE id = ?", [*fields.values(), entry_id])


def rows(
    store: SessionStore, session_id: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Newest first."""
    sql, args = "SELECT * FROM egress", list[Any]()
    if session_id:
        sql, args = sql + " WHERE session_id = ?", [session_id]
    sql += " ORDER BY id DESC"
    if limit:
        sql, args = sql + " LIMIT ?", [*args, limit]
    return [dict(r) for r in store.db.execute(sql, args).fetchall()]
