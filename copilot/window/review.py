"""The review view: the session list, one session's review, corrections, re-analysis, deletion."""

from __future__ import annotations

import base64
from pathlib import Path

from copilot.domain import ProsodyReading, Utterance
from copilot.errors import CopilotError, SessionNotFound
from copilot.protection.retention import delete_session
from copilot.settings import Settings, report_file
from copilot.storage import access_log
from copilot.storage.keys import home_key
from copilot.storage.repository import SessionStore
from copilot.storage.sealed import read_sealed
from copilot.window.current import CurrentSession, LockedStore, StoreView
from copilot.window.support import Result, answers

NAMED_ROLES = ("therapist", "client")


class ReviewApi(StoreView):
    def __init__(self, db: LockedStore, settings: Settings, current: CurrentSession):
        super().__init__(db, settings)
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
    def session(self, session_id: str, opening: bool = True) -> Result:
        """A session's review; the page opening it is noted in the access log (a refresh of
        the review already open is not)."""
        if opening:
            with self._db as store:
                access_log.record(store, "opened", store.get(session_id).id, "window")
        return self._view(session_id)

    @answers
    def access_log(self, session_id: str | None = None) -> Result:
        with self._db as store:
            found = access_log.entries(store, session_id or None, limit=500)
        return {"entries": [a.model_dump(mode="json") for a in found]}

    def _view(self, session_id: str) -> Result:
        from copilot.analysis.run import build_export

        with self._db as store:
            export = build_export(store, session_id)
            kept = store.audio_path(export.session.id)
        audio = Path(kept) if kept else None
        report = report_file(export.session.id)
        return {
            "export": export.model_dump(mode="json"),
            "audio_url": _audio_url(audio) if audio and audio.exists() else None,
            "report_path": str(report) if report.exists() else None,
            "live": self._current.is_running(export.session.id),
        }

    @answers
    def correct_text(self, session_id: str, seq: int, text: str) -> Result:
        text = str(text or "").strip()
        if not text:
            raise CopilotError("a correction cannot be empty; the original stays as it was")
        with self._db as store:
            store.transcript.correct_text(session_id, int(seq), text)
            utterance = _find(store.transcript.utterances(session_id), int(seq))
        return {"utterance": utterance.model_dump(mode="json")}

    @answers
    def swap_roles(self, session_id: str) -> Result:
        """Swap who said what; each name stays with its role."""
        with self._db as store:
            names = _speaker_names(store.transcript.utterances(session_id))
            store.transcript.swap_roles(session_id)
            self._rename(store, session_id, names)
        return self._view(session_id)

    @answers
    def rename_speakers(self, session_id: str, names: dict[str, str]) -> Result:
        clean = {
            role: str(name).strip()[:60] for role, name in names.items() if role in NAMED_ROLES
        }
        with self._db as store:
            self._rename(store, session_id, clean)
        return self._view(session_id)

    def _rename(self, store: SessionStore, session_id: str, names: dict[str, str]) -> None:
        if not names:
            return
        utterances = store.transcript.utterances(session_id)
        renamed = [
            u.model_copy(update={"speaker": names.get(u.role) or None}) if u.role in names else u
            for u in utterances
        ]
        store.transcript.replace_utterances(session_id, renamed)

    @answers
    def reanalyse(self, session_id: str) -> Result:
        """Analyse the corrected transcript again; the session keeps its own end time."""
        from copilot.analysis.run import analyse_session

        self._current.refuse_if_live(session_id, "re-analysing")
        with self._db as store:
            session = store.get(session_id)
            voice = store.analyses.latest_list(session.id, "prosody", ProsodyReading)
            result = analyse_session(
                store, session.id, audio_path=None, settings=self._settings,
                prosody_readings=voice,
            )  # fmt: skip
            store.update(session.id, ended_at=session.ended_at, status=session.status)
        answer = self._view(session.id)
        answer["notices"] = result.notices
        return answer

    @answers
    def delete_session(self, session_id: str) -> Result:
        self._current.refuse_if_live(session_id, "deleting")
        with self._db as store:
            deleted = delete_session(store, session_id, "window")
        return {"deleted": deleted}


def _audio_url(path: Path) -> str:
    """Kept audio is sealed on disk: the page gets it decrypted, in memory, as a data URL."""
    if path.suffix != ".sealed":
        return path.as_uri()
    kind = _AUDIO_TYPES.get(Path(path.stem).suffix, "audio/ogg")
    data = base64.b64encode(read_sealed(path, home_key())).decode()
    return f"data:{kind};base64,{data}"


_AUDIO_TYPES = {".ogg": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav"}


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
