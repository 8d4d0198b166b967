"""Supervision's rows: names to redact per session, shares made, and reviews merged back."""

from __future__ import annotations

from collections.abc import Iterable

from copilot.errors import CopilotError
from copilot.storage.repository import SessionStore
from copilot.supervision.models import ReviewRecord, ShareRecord, SupervisionReply


class SupervisionStore:
    """Reads and writes supervision data through the session store's connection and lock."""

    def __init__(self, store: SessionStore):
        self.store = store

    def add_redaction_names(self, session_id: str, names: Iterable[str]) -> None:
        rows = [(session_id, n.strip()) for n in names if n.strip()]
        with self.store.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO redaction_names VALUES (?, ?)", rows)

    def redaction_names(self, session_id: str) -> list[str]:
        rows = self.store.db.execute(
            "SELECT name FROM redaction_names WHERE session_id = ? ORDER BY name", (session_id,)
        ).fetchall()
        return [r[0] for r in rows]

    def add_share(self, share: ShareRecord) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO shares (id, session_id, made_at, recipient, path, with_audio, "
                "payload_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    share.id, share.session_id, share.made_at.isoformat(), share.recipient,
                    share.path, int(share.with_audio), share.payload_sha256,
                ),
            )  # fmt: skip

    def share(self, share_id: str) -> ShareRecord | None:
        row = self.store.db.execute("SELECT * FROM shares WHERE id = ?", (share_id,)).fetchone()
        return None if row is None else ShareRecord(**{**dict(row), "with_audio": bool(row[5])})

    def shares(self, session_id: str) -> list[ShareRecord]:
        rows = self.store.db.execute(
            "SELECT * FROM shares WHERE session_id = ? ORDER BY made_at", (session_id,)
        ).fetchall()
        return [ShareRecord(**{**dict(r), "with_audio": bool(r["with_audio"])}) for r in rows]

    def add_review(self, record: ReviewRecord) -> None:
        reply = record.reply
        with self.store.transaction() as db:
            known = db.execute("SELECT merged_at FROM reviews WHERE id = ?", (reply.reply_id,))
            found = known.fetchone()
            if found is not None:
                raise CopilotError(f"this review was merged already, on {found[0][:16]}")
            db.execute(
                "INSERT INTO reviews (id, share_id, session_id, reviewer, verdict, signed_at, "
                "merged_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    reply.reply_id, reply.share_id, record.session_id, reply.reviewer,
                    reply.verdict, reply.signed_at.isoformat(), record.merged_at.isoformat(),
                    reply.model_dump_json(),
                ),
            )  # fmt: skip

    def reviews(self, session_id: str) -> list[ReviewRecord]:
        """Oldest first: the session's history of reviews."""
        rows = self.store.db.execute(
            "SELECT session_id, merged_at, payload FROM reviews WHERE session_id = ? "
            "ORDER BY signed_at",
            (session_id,),
        ).fetchall()
        return [
            ReviewRecord(
                reply=SupervisionReply.model_validate_json(r["payload"]),
                session_id=r["session_id"],
                merged_at=r["merged_at"],
            )
            for r in rows
        ]

    def audio_path(self, session_id: str) -> str | None:
        row = self.store.db.execute(
            "SELECT audio_path FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        return None if row is None or not row[0] else str(row[0])
