"""A session interrupted part-way is marked incomplete, then resumed or discarded — never lost
silently and never left half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from dialogues import SHORT, render, role_text

from copilot import pipeline
from copilot.cli import main
from copilot.evaluation import wer
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.transcription.engine import AsrSegment

pytestmark = pytest.mark.model


def _start_and_kill(path: Path, home: Path) -> str:
    Settings(chunk_seconds=10.0).save()
    env = {**os.environ, "COPILOT_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "copilot.cli", "analyze", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if (home / "copilot.sqlite3").exists():
                store = SessionStore()
                row = store.db.execute("SELECT id, progress_s FROM sessions").fetchone()
                store.close()
                if row is not None and row[1] > 0:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return str(row[0])
        pytest.fail("the analysis never committed a chunk")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    raise AssertionError("unreachable")


def test_killed_analysis_is_flagged_then_resumed_to_a_full_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], copilot_home: Path, espeak: str
) -> None:
    path, reference = render(tmp_path, SHORT * 3, "long")
    session_id = _start_and_kill(path, copilot_home)

    assert main(["sessions"]) == 0
    _out, err = capsys.readouterr()
    assert f"session {session_id} was interrupted" in err
    store = SessionStore()
    assert store.get(session_id).status == "incomplete"
    partial = store.progress(session_id)
    assert 0 < partial < 60

    assert main(["resume", session_id]) == 0
    store = SessionStore()
    assert store.get(session_id).status == "complete"
    utterances = store.transcript.utterances(session_id)
    starts = [round(u.start, 1) for u in utterances]
    assert len(starts) == len(set(starts)), "an utterance was stored twice"
    heard = " ".join(u.text for u in utterances if u.role == "client")
    assert wer(role_text(reference, "client"), heard) <= 0.2


def test_discard_deletes_the_interrupted_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], copilot_home: Path, espeak: str
) -> None:
    path, _ = render(tmp_path, SHORT * 3, "long2")
    session_id = _start_and_kill(path, copilot_home)
    assert main(["discard", session_id]) == 0
    assert SessionStore().list_sessions() == []


class _FailingEngine:
    """A scripted engine standing at the ASR boundary: two segments, then a crash."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, short_context: bool = False, **options: object
    ) -> Iterator[AsrSegment]:
        self.calls += 1
        if self.calls > 2:
            raise RuntimeError("engine crashed")
        yield AsrSegment(
            start=offset + 1,
            end=offset + 2,
            text="first words",
            words=[],
            avg_logprob=-0.2,
            no_speech_prob=0.01,
            compression_ratio=1.0,
        )


def test_an_unexpected_error_leaves_the_session_incomplete_not_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, espeak: str
) -> None:
    path, _ = render(tmp_path, SHORT * 3, "long3")
    monkeypatch.setattr(pipeline, "load_engine", lambda model, threads: _FailingEngine())
    store = SessionStore()
    options = pipeline.AnalyzeOptions(chunk_s=10.0)
    with pytest.raises(RuntimeError, match="engine crashed"):
        pipeline.analyze_file(path, options, store)
    (session,) = store.list_sessions()
    assert session.status == "incomplete"
    assert [u.text for u in store.transcript.utterances(session.id)] == [
        "first words",
        "first words",
    ]
