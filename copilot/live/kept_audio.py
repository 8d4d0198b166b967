"""Audio kept on purpose: one FLAC per source while recording, one stereo file at the end."""

from __future__ import annotations

from pathlib import Path

from copilot.audio.recorder import RoleRecorder, join_stereo
from copilot.domain import Role
from copilot.protection.erase import erase
from copilot.storage.repository import SessionStore
from copilot.storage.sealed import write_sealed


def recorder_path(audio_dir: Path, session_id: str, role: Role) -> Path:
    return audio_dir / f"{session_id}-{role}.flac.sealing"


def keep_audio(
    recorders: dict[Role, RoleRecorder],
    out: Path,
    store: SessionStore,
    session_id: str,
    key: bytes,
) -> None:
    """Join the sources (therapist left, client right) in memory, seal the recording under the
    data key as `out.sealed`, and store where it is. While the session records, the per-source
    streams are sealed chunk by chunk as they are written (RoleRecorder)."""
    if not recorders:
        return
    for recorder in recorders.values():
        recorder.close()
    left, right = recorders.get("therapist"), recorders.get("client")
    joined = join_stereo(left.path if left else None, right.path if right else None,
                         out.suffix, key)  # fmt: skip
    sealed = out.with_name(out.name + ".sealed")
    write_sealed(sealed, key, joined)
    for recorder in recorders.values():
        erase(recorder.path)  # the per-source streams held the same voices
    store.update(session_id, audio_path=str(sealed))
