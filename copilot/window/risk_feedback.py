"""The review's risk feedback: mark a flag "not risk" or a sentence "missed", list the marks,
export them to a file the therapist may choose to share. Nothing here sends anything anywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import get_args

from copilot.analysis.risk.feedback import make_mark, write_export
from copilot.domain import RiskKind, RiskVerdict
from copilot.errors import CopilotError
from copilot.settings import home
from copilot.storage.risk_feedback import RiskFeedbackStore
from copilot.window.current import LockedStore
from copilot.window.support import Result, answers

VERDICTS: tuple[RiskVerdict, ...] = ("not_risk", "missed")


class RiskFeedbackApi:
    def __init__(self, db: LockedStore, out_dir: Path | None = None):
        self._db = db
        self._out_dir = out_dir  # exports go under COPILOT_HOME/exports unless told

    @answers
    def mark(
        self,
        session_id: str,
        utterance_seq: int,
        verdict: str,
        kind: str | None = None,
        note: str = "",
    ) -> Result:
        with self._db as store:
            mark = make_mark(
                store, session_id, int(utterance_seq), _verdict(verdict), _kind(kind), str(note)
            )
            RiskFeedbackStore(store).mark(mark)
        return {"mark": mark.model_dump(mode="json")}

    @answers
    def unmark(
        self, session_id: str, utterance_seq: int, verdict: str, kind: str | None = None
    ) -> Result:
        with self._db as store:
            found = RiskFeedbackStore(store).unmark(
                session_id, int(utterance_seq), _verdict(verdict), _kind(kind)
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


def _verdict(value: str) -> RiskVerdict:
    if value not in VERDICTS:
        raise CopilotError(f"unknown verdict {value!r}: use not_risk or missed")
    return value


def _kind(value: str | None) -> RiskKind | None:
    if value in (None, ""):
        return None
    if value not in get_args(RiskKind):
        raise CopilotError(f"unknown risk kind {value!r}")
    return value  # type: ignore[return-value]
