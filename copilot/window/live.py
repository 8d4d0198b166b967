"""The live view: pause, resume, stop, notes and acknowledging a risk flag."""

from __future__ import annotations

from datetime import UTC, datetime

from copilot.errors import CopilotError
from copilot.window.current import CurrentSession, LockedStore
from copilot.window.support import Result, answers


class LiveApi:
    def __init__(self, db: LockedStore, current: CurrentSession):
        self._db = db
        self._current = current

    @answers
    def pause(self) -> Result:
        live = self._current.require()
        live.pause()
        return {"state": live.state}

    @answers
    def resume(self) -> Result:
        live = self._current.require()
        live.resume()
        return {"state": live.state}

    @answers
    def stop(self) -> Result:
        with self._current.lock:
            live = self._current.require()
            result = live.stop()
            self._current.detach()
        return {
            "session_id": live.session_id,
            "notices": result.notices,
            "report_path": str(live.report_path) if live.report_path else None,
        }

    @answers
    def transcript(self) -> Result:
        """The recording session's lines stored so far: for a page that was reloaded while
        it recorded (after the app lock, say), to show them again."""
        live = self._current.require()
        with self._db as store:
            said = store.transcript.utterances(live.session_id or "")
        return {
            "session_id": live.session_id,
            "utterances": [u.model_dump(mode="json") for u in said],
        }

    @answers
    def add_note(self, text: str) -> Result:
        if not str(text or "").strip():
            raise CopilotError("the note is empty")
        note = self._current.require().add_note(str(text))
        return {"note": note.model_dump(mode="json")}

    @answers
    def acknowledge_risk(
        self, utterance_seq: int, category: str, session_id: str | None = None
    ) -> Result:
        """A flag of the session recording now, or (with its id) of a stored one in review."""
        live = self._current.live
        if session_id is None or (live is not None and live.session_id == session_id):
            self._current.require().acknowledge_risk(int(utterance_seq), str(category))
        else:
            with self._db as store:
                store.get(session_id)
                store.marks.acknowledge_risk(session_id, int(utterance_seq), str(category))
        return {"acknowledged_at": datetime.now(UTC).isoformat()}
