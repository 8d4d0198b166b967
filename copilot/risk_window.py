"""The window's risk-feedback calls: mark a flag "not risk" or a sentence "missed", list the
marks, export them to a file. A small API object of its own (the store passed in); the bridge
hands it the page's `risk_feedback(action, args)` calls. Nothing here sends anything anywhere.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any, get_args

from copilot.analysis.risk.feedback import make_mark, write_export
from copilot.domain import RiskKind, RiskVerdict
from copilot.errors import CopilotError
from copilot.settings import home
from copilot.storage import SessionStore
from copilot.storage.risk_feedback import RiskFeedbackStore

ACTIONS = ("mark", "unmark", "marks", "export")
VERDICTS: tuple[RiskVerdict, ...] = ("not_risk", "missed")


class RiskFeedbackApi:
    def __init__(self, store: SessionStore, lock: threading.RLock, out_dir: Path | None = None):
        self._store = store
        self._marks = RiskFeedbackStore(store)
        self._lock = lock  # the bridge's store lock: one connection, many page threads
        self._out_dir = out_dir

    def call(self, action: str, args: dict[str, Any]) -> dict[str, Any]:
        if action not in ACTIONS:
            raise CopilotError(f"unknown risk feedback action {action!r}")
        with self._lock:
            answer: dict[str, Any] = getattr(self, action)(**args)
        return answer

    def mark(
        self,
        session_id: str,
        utterance_seq: int,
        verdict: str,
        kind: str | None = None,
        note: str = "",
    ) -> dict[str, Any]:
        mark = make_mark(
            self._store, session_id, int(utterance_seq), _verdict(verdict), _kind(kind), note
        )
        self._marks.mark(mark)
        return {"mark": mark.model_dump(mode="json")}

    def unmark(
        self, session_id: str, utterance_seq: int, verdict: str, kind: str | None = None
    ) -> dict[str, Any]:
        found = self._marks.unmark(session_id, int(utterance_seq), _verdict(verdict), _kind(kind))
        return {"removed": found}

    def marks(self, session_id: str | None = None) -> dict[str, Any]:
        return {"marks": [m.model_dump(mode="json") for m in self._marks.marks(session_id)]}

    def export(self, session_id: str | None = None) -> dict[str, Any]:
        folder = self._out_dir or home() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"risk-feedback-{date.today().isoformat()}.json"
        document = write_export(path, self._marks.marks(session_id))
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
