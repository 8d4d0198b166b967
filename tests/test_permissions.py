"""COPILOT_HOME is 0700 and every file in it 0600, from creation; a loosened home is reported
in one line at the start and `session-copilot protect` fixes it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from copilot.audio.recorder import RoleRecorder, join_stereo
from copilot.cli import main
from copilot.domain import Session
from copilot.live.backlog import Backlog
from copilot.protection import permissions
from copilot.report import write_atomic
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.transcription.streaming import Job

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask, as on most desktops, so only the program's own modes can pass."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_fresh_home_is_private_with_wal_and_shm(copilot_home: Path, open_umask: None) -> None:
    assert main(["sessions"]) == 0
    os.umask(0o022)  # main() tightened the umask; the store below must not rely on it
    store = SessionStore()
    store.create(Session(id="s-perm", client_label="A."))
    assert mode(copilot_home) == 0o700
    files = sorted(p.name for p in copilot_home.iterdir())
    assert {"copilot.sqlite3", "copilot.sqlite3-wal", "copilot.sqlite3-shm"} <= set(files)
    assert {name: mode(copilot_home / name) for name in files} == dict.fromkeys(files, 0o600)
    store.close()


def test_files_written_by_the_program_are_0600_whatever_the_umask(
    copilot_home: Path, open_umask: None
) -> None:
    report = copilot_home / "reports" / "s.html"
    write_atomic(report, "<p>words</p>")
    Settings().save()
    backlog = Backlog(copilot_home / "tmp", "s", bytes(32))
    backlog.defer(Job("client", 0, 0.0, np.zeros(1600, np.float32), True, 0.1), None)
    recorder = RoleRecorder(copilot_home / "audio" / "s-client.flac.sealing", bytes(32))
    recorder.write(np.zeros(1600, np.float32), 0.0)
    recorder.close()
    assert join_stereo(None, recorder.path, ".ogg", bytes(32))  # joined in memory, no file
    written = [report, copilot_home / "settings.json", recorder.path]
    written += list((copilot_home / "tmp").iterdir())
    assert [mode(p) for p in written] == [0o600] * len(written)
    assert mode(copilot_home / "reports") == 0o700
    assert mode(copilot_home / "audio") == 0o700


def test_a_loosened_home_warns_in_one_line_and_protect_fixes_it(
    copilot_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sessions"])
    capsys.readouterr()
    os.chmod(copilot_home, 0o755)
    os.chmod(copilot_home / "copilot.sqlite3", 0o644)
    assert main(["sessions"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "other accounts" in err[0] and "session-copilot protect" in err[0]
    assert main(["protect"]) == 0
    assert "2 item(s) made private" in capsys.readouterr().out
    assert permissions.loosened(copilot_home) == []
    assert mode(copilot_home) == 0o700
    assert mode(copilot_home / "copilot.sqlite3") == 0o600
    main(["sessions"])
    assert capsys.readouterr().err == ""
