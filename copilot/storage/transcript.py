"""A session's utterances: appended as they are made, revised, corrected, read back in order.

`store.transcript`, over the session store's connection and its transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from copilot.domain import Utterance
from copilot.errors import SessionNotFound
from copilot.storage.rows import INSERT_UTTERANCE, utt_from_row, utt_row, words_json

if TYPE_CHECKING:
    from copilot.storage.repository import SessionStore


class Transcript:
    def __init__(self, store: SessionStore):
        self._store = store

    def next_seq(self, session_id: str) -> int:
        row = self._store.db.execute(
            "SELECT COALESCE(MAX(seq), -1) + 1 FROM utterances WHERE session_id = ?", (session_id,)
        ).fetchone()
        return int(row[0])

    def append(
        self, session_id: str, utterances: Sequence[Utterance], progress_s: float | None = None
    ) -> None:
        """Commit utterances as they are produced; `progress_s` marks audio fully processed."""
        with self._store.transaction() as db:
            db.executemany(INSERT_UTTERANCE, [utt_row(session_id, u) for u in utterances])
            if progress_s is not None:
                db.execute(
                    "UPDATE sessions SET progress_s = ? WHERE id = ?", (progress_s, session_id)
                )

    def replace_utterances(self, session_id: str, utterances: Sequence[Utterance]) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM utterances WHERE session_id = ?", (session_id,))
            db.executemany(INSERT_UTTERANCE, [utt_row(session_id, u) for u in utterances])

    def revise_utterances(self, session_id: str, utterances: Sequence[Utterance]) -> int:
        """New recognised words for stored utterances (same seq); one the therapist has
        corrected keeps their text. Returns how many changed."""
        rows = [
            (u.start, u.end, u.text, words_json(u), u.confidence, session_id, u.seq)
            for u in utterances
        ]
        with self._store.transaction() as db:
            cur = db.executemany(
                'UPDATE utterances SET start = ?, "end" = ?, text = ?, words = ?, confidence = ? '
                "WHERE session_id = ? AND seq = ? AND original_text IS NULL",
                rows,
            )
            return cur.rowcount

    def drop_utterances_after(self, session_id: str, time_s: float) -> int:
        with self._store.transaction() as db:
            cur = db.execute(
                "DELETE FROM utterances WHERE session_id = ? AND start >= ?", (session_id, time_s)
            )
            return cur.rowcount

    def utterances(self, session_id: str) -> list[Utterance]:
        rows = self._store.db.execute(
            "SELECT * FROM utterances WHERE session_id = ? ORDER BY start, seq", (session_id,)
        ).fetchall()
        return [utt_from_row(r) for r in rows]

    def correct_text(self, session_id: str, seq: int, text: str) -> None:
        """A correction keeps the recognised text as the original, once."""
        with self._store.transaction() as db:
            cur = db.execute(
                "UPDATE utterances SET original_text = COALESCE(original_text, text), text = ? "
                "WHERE session_id = ? AND seq = ?",
                (text, session_id, seq),
            )
            if cur.rowcount == 0:
                raise SessionNotFound(f"no utterance {seq} in session {session_id!r}")

    def swap_roles(self, session_id: str) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE utterances SET role = CASE role WHEN 'therapist' THEN 'client' "
                "WHEN 'client' THEN 'therapist' ELSE role END WHERE session_id = ?",
                (session_id,),
            )
