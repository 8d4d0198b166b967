"""Practice runs and answers: the trainee's private record, in the session database's own tables.

Nothing here is read by the session export (copilot.analysis.run.build_export) or anything shared;
deleting a session deletes the practice done on it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from copilot.errors import CopilotError
from copilot.practice.models import PracticeAnswer, PracticeFeedback, PracticeRun
from copilot.storage.repository import SessionStore


class PracticeNotFound(CopilotError):
    """No practice run has that id."""


class PracticeStore:
    """Reads and writes practice through an open SessionStore (its connection and lock)."""

    def __init__(self, store: SessionStore):
        self._store = store

    def start(self, run: PracticeRun) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO practice_runs (id, session_id, started_at, pauses) "
                "VALUES (?, ?, ?, ?)",
                (run.id, run.session_id, run.started_at.isoformat(), json.dumps(run.pauses)),
            )

    def save_answer(self, answer: PracticeAnswer) -> None:
        """One answer per pause: answering a pause again replaces the earlier answer."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO practice_answers (run_id, utterance_seq, at, states, "
                "confidence, reply, feedback) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.run_id,
                    answer.utterance_seq,
                    answer.at.isoformat(),
                    json.dumps(answer.states),
                    answer.confidence,
                    answer.reply,
                    answer.feedback.model_dump_json(),
                ),
            )

    def finish(self, run_id: str, when: str) -> None:
        with self._store.transaction() as db:
            cur = db.execute(
                "UPDATE practice_runs SET finished_at = ? WHERE id = ?", (when, run_id)
            )
            if cur.rowcount == 0:
                raise PracticeNotFound(f"no practice run {run_id!r}")

    def kept_audio(self, session_id: str) -> Path | None:
        """The session's kept recording, when there is one on disk (practice can play it)."""
        row = self._store.db.execute(
            "SELECT audio_path FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        path = Path(row[0]) if row is not None and row[0] else None
        return path if path is not None and path.is_file() else None

    def get(self, run_id: str) -> PracticeRun:
        row = self._store.db.execute(
            "SELECT * FROM practice_runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise PracticeNotFound(f"no practice run {run_id!r}")
        return self._run_from_row(row)

    def runs(self) -> list[PracticeRun]:
        """Every run, oldest first, with its answers."""
        rows = self._store.db.execute(
            "SELECT * FROM practice_runs ORDER BY started_at, id"
        ).fetchall()
        return [self._run_from_row(r) for r in rows]

    def _run_from_row(self, row: sqlite3.Row) -> PracticeRun:
        answers = self._store.db.execute(
            "SELECT * FROM practice_answers WHERE run_id = ? ORDER BY id", (row["id"],)
        ).fetchall()
        return PracticeRun(
            id=row["id"],
            session_id=row["session_id"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            pauses=json.loads(row["pauses"]),
            answers=[_answer(a) for a in answers],
        )


def _answer(row: sqlite3.Row) -> PracticeAnswer:
    return PracticeAnswer(
        run_id=row["run_id"],
        utterance_seq=row["utterance_seq"],
        at=row["at"],
        states=json.loads(row["states"]),
        confidence=row["confidence"],
        reply=row["reply"],
        feedback=PracticeFeedback.model_validate_json(row["feedback"]),
    )
