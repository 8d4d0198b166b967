"""The review view: the session list, one session's review, corrections, re-analysis, deletion."""

from __future__ import annotations

from pathlib import Path

from copilot.domain import ProsodyReading, Utterance
from copilot.errors import CopilotError, SessionNotFound
from copilot.settings import Settings, report_file
from copilot.storage.repository import SessionStore
from copilot.window.current import CurrentSession, LockedStore
from copilot.window.support import Result, answers

NAMED_ROLES = ("therapist", "client")


class ReviewApi:
    def __init__(self, db: LockedStore, settings: Settings, current: CurrentSession):
        self._db = db
        self._settings = settings
        self._current = current

    @answers
    def sessions(self, query: str | None = None, client: str | None = None) -> Result:
        with self._db as store:
            everyone = store.list_sessions()
            found = store.list_sessions(client=client or None, query=query or None)
        return {
            "sessions": [
                {
                    "id": s.id,
                    "client_label": s.client_label,
                    "created_at": s.created_at.isoformat(),
                    "duration_s": s.duration_s,
                    "status": s.status,
                    "source": s.source,
                    "imported_from": s.imported_from,
                }
                for s in found
            ],
            "clients": sorted({s.client_label for s in everyone}, key=str.lower),
        }

    @answers
    def session(self, session_id: str) -> Result:
        from copilot.analysis.run import build_export

        with self._db as store:
            export = build_export(store, session_id)
            kept = store.audio_path(export.session.id)
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
        with self._db as store:
            store.correct_text(session_id, int(seq), text)
            utterance = _find(store.utterances(session_id), int(seq))
        return {"utterance": utterance.model_dump(mode="json")}

    @answers
    def swap_roles(self, session_id: str) -> Result:
        """Swap who said what; each name stays with its role."""
        with self._db as store:
            names = _speaker_names(store.utterances(session_id))
            store.swap_roles(session_id)
            self._rename(store, session_id, names)
        return self.session(session_id)

    @answers
    def rename_speakers(self, session_id: str, names: dict[str, str]) -> Result:
        clean = {
            role: str(name).strip()[:60] for role, name in names.items() if role in NAMED_ROLES
        }
        with self._db as store:
            self._rename(store, session_id, clean)
        return self.session(session_id)

    def _rename(self, store: SessionStore, session_id: str, names: dict[str, str]) -> None:
        if not names:
            return
        utterances = store.utterances(session_id)
        renamed = [
            u.model_copy(update={"speaker": names.get(u.role) or None}) if u.role in names else u
            for u in utterances
        ]
        store.replace_utterances(session_id, renamed)

    @answers
    def reanalyse(self, session_id: str) -> Result:
        """Analyse the corrected transcript again; the session keeps its own end time."""
        from copilot.analysis.run import analyse_session

        self._current.refuse_if_live(session_id, "re-analysing")
        with self._db as store:
            session = store.get(session_id)
            voice = store.latest_list(session.id, "prosody", ProsodyReading)
            result = analyse_session(
                store, session.id, audio_path=None, settings=self._settings,
                prosody_readings=voice,
            )  # fmt: skip
            store.update(session.id, ended_at=session.ended_at, status=session.status)
        answer = self.session(session.id)
        answer["notices"] = result.notices
        return answer

    @answers
    def delete_session(self, session_id: str) -> Result:
        self._current.refuse_if_live(session_id, "deleting")
        with self._db as store:
            session = store.get(session_id)
            store.delete(session.id)
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
