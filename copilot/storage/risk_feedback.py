"""The therapist's marks on the risk detector, stored beside the session they belong to.

Nothing here is sent anywhere: the marks leave the machine only as a file the therapist exports
(`session-copilot risk-feedback export`) and chooses to share.
"""

from __future__ import annotations

from datetime import datetime

from copilot.domain import RiskFeedback, RiskKind, RiskVerdict
from copilot.storage.repository import SessionStore

_COLUMNS = (
    "session_id, utterance_seq, verdict, kind, category, layer, rule, quote, note, created_at"
)


class RiskFeedbackStore:
    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def mark(self, feedback: RiskFeedback) -> None:
        """Store a mark; marking the same sentence the same way again replaces the note."""
        self._store.get(feedback.session_id)  # a mark belongs to a session that exists
        with self._store.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO risk_feedback ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.session_id,
                    feedback.utterance_seq,
                    feedback.verdict,
                    feedback.kind or "",
                    feedback.category,
                    feedback.layer,
                    feedback.rule,
                    feedback.quote,
                    feedback.note,
                    feedback.created_at.isoformat(),
                ),
            )

    def unmark(
        self, session_id: str, utterance_seq: int, verdict: RiskVerdict, kind: RiskKind | None
    ) -> bool:
        with self._store.transaction() as db:
            cur = db.execute(
                "DELETE FROM risk_feedback WHERE session_id = ? AND utterance_seq = ? "
                "AND verdict = ? AND kind = ?",
                (session_id, utterance_seq, verdict, kind or ""),
            )
            return cur.rowcount > 0

    def marks(self, session_id: str | None = None) -> list[RiskFeedback]:
        """Every mark, or one session's, oldest first."""
        where, params = ("WHERE session_id = ?", (session_id,)) if session_id else ("", ())
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM risk_feedback {where} ORDER BY created_at, id", params
        ).fetchall()
        return [
            RiskFeedback(
                session_id=r["session_id"],
                utterance_seq=r["utterance_seq"],
                verdict=r["verdict"],
                kind=r["kind"] or None,
                category=r["category"],
                layer=r["layer"],
                rule=r["rule"],
                quote=r["quote"],
                note=r["note"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]
