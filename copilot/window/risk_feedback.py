"""The review's risk feedback: mark a flag "not risk" or a sentence "missed", list the marks,
export them to a file the therapist may choose to share. Nothing here sends anything anywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from copilot.analysis.risk.feedback import MarkRequest, make_mark, write_export
from copilot.settings import home
from copilot.storage.risk_feedback import RiskFeedbackStore
from copilot.window.current import LockedStore
from copilot.window.support import Result, answers


class RiskFeedbackApi:
    def __init__(self, db: LockedStore, out_dir: Path | None = None):
        self._db = db
        self._out_dir = out_dir  # exports go under COPILOT_HOME/exports unless told

    @answers
    def mark(self, request: dict[str, object]) -> Result:
        """`request` holds a MarkRequest's fields: session_id, utterance_seq, verdict, and
        kind and note where given."""
        with self._db as store:
            mark = make_mark(store, MarkRequest.model_validate(request))
            RiskFeedbackStore(store).mark(mark)
        return {"mark": mark.model_dump(mode="json")}

    @answers
    def unmark(self, request: dict[str, object]) -> Result:
        """`request` names the mark as `mark` did (its note aside)."""
        r = MarkRequest.model_validate(request)
        with self._db as store:
            found = RiskFeedbackStore(store).unmark(
                r.session_id, r.utterance_seq, r.verdict, r.kind
            )
        return {"removed": found}

    @answers
    def marks(self, session_id: str | None = None) -> Result:
        with self._db as store:
            found = RiskFeedbackStore(store).marks(session_id)
        return {"marks": [m.model_dump(mode="json") for m in found]}

    @answers
    def export(self, session_id: str | None = None) -> Result:
        folder = self._out_dir or home() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"risk-feedback-{date.today().isoformat()}.json"
        with self._db as store:
            document = write_export(path, RiskFeedbackStore(store).marks(session_id))
        return {"path": str(path), "marks": len(document.marks)}
