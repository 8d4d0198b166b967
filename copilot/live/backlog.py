"""Step 3 of back-pressure: finals kept on disk while busy, transcribed after the session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from copilot.domain import Role
from copilot.live.options import Status
from copilot.transcription.streaming import Job

Commit = Callable[[Job, np.ndarray | None], None]


class Backlog:
    def __init__(self, folder: Path, session_id: str):
        self._folder = folder
        self._session_id = session_id
        self._paths: list[Path] = []

    def defer(self, job: Job, other: np.ndarray | None) -> None:
        """Keep the job's audio on disk. The call audio under a microphone job is kept beside
        it: the ring will have moved on by then."""
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{self._session_id}-{len(self._paths):05d}.npz"
        np.savez(
            path,
            audio=job.audio,
            meta=np.array([job.start, job.speech_end]),
            role=np.array(job.role),
            other=np.zeros(0, dtype=np.float32) if other is None else other,
            has_other=np.array(other is not None),
        )
        self._paths.append(path)

    def drain(self, commit: Commit, status: Status) -> None:
        if self._paths:
            status("info", f"transcribing {len(self._paths)} utterances recorded while busy")
        for path in self._paths:
            with np.load(path) as data:
                start, end = (float(x) for x in data["meta"])
                role: Role = str(data["role"])  # type: ignore[assignment]
                job = Job(role, 0, start, data["audio"], True, end)
                other = data["other"] if bool(data["has_other"]) else None
            commit(job, other)
            path.unlink(missing_ok=True)
        self._paths.clear()
