"""Audio kept on purpose: one FLAC per source while recording, one stereo file at the end."""

from __future__ import annotations

from pathlib import Path

from copilot.audio.recorder import RoleRecorder, join_stereo
from copilot.domain import Role
from copilot.storage.repository import SessionStore


def recorder_path(audio_dir: Path, session_id: str, role: Role) -> Path:
    return audio_dir / f"{session_id}-{role}.flac"


def keep_audio(
    recorders: dict[Role, RoleRecorder], out: Path, store: SessionStore, session_id: str
) -> None:
    """Join the sources into `out` (therapist left, client right) and store where it is."""
    if not recorders:
        return
    for recorder in recorders.values():
        recorder.close()
    left, right = recorders.get("therapist"), recorders.get("client")
    join_stereo(left.path if left else None, right.path if right else None, out)
    for recorder in recorders.values():
        recorder.path.unlink(missing_ok=True)
    store.update(session_id, audio_path=str(out))
