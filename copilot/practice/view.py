"""Practice as calls over a store: JSON-able dicts in and out, shared by the window's practice
view (copilot/window/practice.py) and the terminal (copilot/cli/practice.py)."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copilot.analysis.emotion import THERAPIST_STATES
from copilot.analysis.run import build_export
from copilot.domain import SessionExport, utcnow
from copilot.practice import flow, progress
from copilot.practice.models import PracticeRun
from copilot.settings import Settings
from copilot.storage.practice import PracticeStore
from copilot.storage.repository import SessionStore

Result = dict[str, Any]
PRIVATE = (
    "Practice is yours alone: answers are kept on this computer, apart from the session's "
    "export, and never shared."
)


def _default_coder() -> flow.Coder:
    from copilot.analysis.behaviour import default_coder

    return default_coder()


class PracticeView:
    def __init__(
        self, store: SessionStore, coder: Callable[[], flow.Coder] = _default_coder
    ) -> None:
        self._store = store
        self._practice = PracticeStore(store)
        self._coder = coder

    def _export(self, session_id: str) -> SessionExport:
        return build_export(self._store, session_id)

    def sessions(self) -> Result:
        """Finished sessions with client turns, newest first: any of them can be practised on."""
        found = self._store.list_sessions(status="complete")
        return {
            "sessions": [
                {"id": s.id, "client_label": s.client_label, "created_at": s.created_at.isoformat(),
                 "source": s.source, "duration_s": s.duration_s}
                for s in found
            ],
            "private": PRIVATE,
        }  # fmt: skip

    def make_sessions(self, settings: Settings) -> Result:
        """Store (and analyse) the project's practice sessions not stored yet."""
        from copilot.practice.material import store_practice_sessions

        return {"made": store_practice_sessions(self._store, settings), **self.sessions()}

    def plan(self, session_id: str) -> Result:
        """The session's transcript, its key moments and client turns, and the state list."""
        export = self._export(session_id)
        audio = self._practice.kept_audio(export.session.id)
        return {
            "session_id": export.session.id,
            "client_label": export.session.client_label,
            "utterances": [
                {"seq": u.seq, "role": u.role, "text": u.text, "start": u.start, "end": u.end}
                for u in export.utterances
            ],
            "audio_url": audio.as_uri() if audio else None,
            "suggested": flow.pause_points(export),
            "client_seqs": [u.seq for u in flow.client_turns(export)],
            "states": list(THERAPIST_STATES),
            "private": PRIVATE,
        }

    def start(self, session_id: str, chosen: list[int] | None = None) -> Result:
        export = self._export(session_id)
        pauses = flow.pause_points(export, [int(s) for s in chosen or []])
        run = PracticeRun(session_id=export.session.id, pauses=pauses)
        self._practice.start(run)
        return {"run_id": run.id, "pauses": pauses}

    def answer(
        self,
        run_id: str,
        utterance_seq: int,
        states: list[str],
        confidence: float,
        reply: str = "",
    ) -> Result:
        run = self._practice.get(run_id)
        export = self._export(run.session_id)
        found = flow.answer(
            run, export, int(utterance_seq), list(states), float(confidence), str(reply),
            self._coder(),
        )  # fmt: skip
        self._practice.save_answer(found)
        return {"feedback": found.feedback.model_dump(mode="json")}

    def finish(self, run_id: str) -> Result:
        self._practice.finish(run_id, utcnow().isoformat())
        summary = flow.summarise(self._practice.get(run_id))
        return {"summary": summary.model_dump(mode="json")}

    def progress(self) -> Result:
        """Progress over runs, as numbers and as a PNG (a data URL the page can show)."""
        found = progress.points(self._practice.runs())
        image = None
        if found:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "progress.png"
                progress.write(found, path)
                image = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
        return {
            "points": [p.model_dump() for p in found],
            "measures": progress.MEASURES,
            "png": image,
        }
