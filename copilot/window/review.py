"""The review view: the session list, one session's review, corrections, re-analysis, deletion."""

from __future__ import annotations

import threading
from pathlib import Path

from copilot.domain import ProsodyReading, Utterance
from copilot.errors import CopilotError, SessionNotFound
from copilot.settings import Settings, report_file
from copilot.storage.repository import SessionStore
from copilot.window.current import CurrentSession
from copilot.window.support import Result, answers

NAMED_ROLES = ("therapist", "client")


class ReviewApi:
    def __init__(
        self,
        store: SessionStore,
        store_lock: threading.RLock,
        settings: Settings,
        current: CurrentSession,
    ):
        self._store = store
        self._store_lock = store_lock  # a read and the write that follows it, together
        self._settings = settings
        self._current = current

    @answers
    def sessions(self, query: str | None = None, client: str | None = None) -> Result:
        with self._store_lock:
            everyone = self._store.list_sessions()
            found = self._store.list_sessions(client=client or None, query=query or None)
        return {
            "sessions": [
                {
                    "id": s.id,
                    "client_label": s.client_label,
                    "created_at": s.created_at.isoformat(),
                    "duration_s": s.duration_s,
                    "status": s.status,
                    "source": s.source,
                }
                for s in found
            ],
            "clients": sorted({s.client_label for s in everyone}, key=str.lower),
        }

    @answers
    def session(self, session_id: str) -> Result:
        from copilot.analysis.run import build_export

        with self._store_lock:
            export = build_export(self._store, session_id)
            kept = self._store.audio_path(export.session.id)
        audio = Path(kept) if kept else None
        report = report_file(export.session.id)
        return {
            "export": export.model_dump(mode="json"),
            "audio_url": audio.as_uri() if audio and audio.exists() else None,
            "report_path": str(report) if report.exists() else None,
            "live": self._current.is_running(export.session.id),
        }

    @answers
    def correct_text(self, session_id: str, seq: int, text: str) -> Result:
        text = str(text or "").strip()
        if not text:
            raise CopilotError("a correction cannot be empty; the original stays as it was")
        with self._store_lock:
            self._store.correct_text(session_id, int(seq), text)
            utterance = _find(self._store.utterances(session_id), int(seq))
        return {"utterance": utterance.model_dump(mode="json")}

    @answers
    def swap_roles(self, session_id: str) -> Result:
        """Swap who said what; each name stays with its role."""
        with self._store_lock:
            names = _speaker_names(self._store.utterances(session_id))
            self._store.swap_roles(session_id)
            self._rename(session_id, names)
        return self.session(session_id)

    @answers
    def rename_speakers(self, session_id: str, names: dict[str, str]) -> Result:
        clean = {
            role: str(name).strip()[:60] for role, name in names.items() if role in NAMED_ROLES
        }
        with self._store_lock:
            self._rename(session_id, clean)
        return self.session(session_id)

    def _rename(self, session_id: str, names: dict[str, str]) -> None:
        if not names:
            return
        utterances = self._store.utterances(session_id)
        renamed = [
            u.model_copy(update={"speaker": names.get(u.role) or None}) if u.role in names else u
            for u in utterances
        ]
        self._store.replace_utterances(session_id, renamed)

    @answers
    def reanalyse(self, session_id: str) -> Result:
        """Analyse the corrected transcript again; the session keeps its own end time."""
        from copilot.analysis.run import analyse_session

        self._current.refuse_if_live(session_id, "re-analysing")
        with self._store_lock:
            session = self._store.get(session_id)
            voice = self._store.latest_list(session.id, "prosody", ProsodyReading)
            result = analyse_session(
                self._store, session.id, audio_path=None, settings=self._settings,
                prosody_readings=voice,
            )  # fmt: skip
            self._store.update(session.id, ended_at=session.ended_at, status=session.status)
        answer = self.session(session.id)
        answer["notices"] = result.notices
        return answer

    @answers
    def delete_session(self, session_id: str) -> Result:
        self._current.refuse_if_live(session_id, "deleting")
        with self._store_lock:
            session = self._store.get(session_id)
            self._store.delete(session.id)
        report_file(session.id).unlink(missing_ok=True)
        return {"deleted": session.id}


def _speaker_names(utterances: list[Utterance]) -> dict[str, str]:
    names: dict[str, str] = {}
    for u in utterances:
        if u.speaker and u.role in NAMED_ROLES:
            names.setdefault(u.role, u.speaker)
    return names


def _find(utterances: list[Utterance], seq: int) -> Utterance:
    for u in utterances:
        if u.seq == seq:
            return u
    raise SessionNotFound(f"no utterance {seq}")
