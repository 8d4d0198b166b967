"""The app lock: one state for every process, the CLI's refusal, the bridge's refusal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_bridge import RecordingHost, page_api
from window_support import stored_session

from copilot.cli import main
from copilot.domain import Session, Utterance
from copilot.events import UtteranceEvent
from copilot.live.console import printer
from copilot.protection import lock as app_lock
from copilot.settings import Settings
from copilot.storage import SessionStore, keys
from copilot.window.bridge import Bridge

PASSPHRASE = "correct horse battery"
SECRET = "the river behind my grandmother's house"
# The page calls that answer while locked: none of them returns anything of a session.
OPEN_WHILE_LOCKED = {"app_info", "page_ready", "applock.state", "applock.lock", "applock.unlock"}


def secret_session(session_id: str = "s-lock") -> str:
    with SessionStore() as store:
        store.create(Session(id=session_id, client_label="A.", status="complete"))
        said = [Utterance(seq=0, role="client", start=0, end=3, text=SECRET)]
        store.transcript.append(session_id, said)
    return session_id


def with_passphrase(home: Path) -> None:
    keys.set_passphrase(home, PASSPHRASE)


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_the_lock_needs_a_passphrase_first(
    copilot_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_session()  # the key is in the keyring only: nothing a person at the desk must type
    assert main(["lock"]) == 2
    assert "set one first with `session-copilot passphrase`" in one_line(capsys)
    assert main(["lock", "--after", "10"]) == 2
    assert "session-copilot passphrase" in one_line(capsys)
    assert not app_lock.is_locked(copilot_home)
    assert Settings.load().lock_after_minutes == 0


def test_locked_the_cli_refuses_to_read_and_only_the_passphrase_unlocks(
    copilot_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    session_id = secret_session()
    with_passphrase(copilot_home)
    assert main(["lock"]) == 0
    capsys.readouterr()
    lock_file = copilot_home / app_lock.LOCK_FILE
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    reads = [
        ["show", session_id],
        ["sessions"],
        ["export-all", str(tmp_path / "out")],
        ["access-log"],
        ["trends"],
        ["live", "--replay", __file__, "--consent", "verbal"],
    ]
    for argv in reads:
        assert main(argv) == 2, argv
        assert "locked: `session-copilot unlock`" in one_line(capsys)
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["unlock"]) == 2  # no terminal, no COPILOT_PASSPHRASE: nothing to ask with
    assert "terminal" in one_line(capsys)
    monkeypatch.setenv("COPILOT_PASSPHRASE", "not the passphrase")
    assert main(["unlock"]) == 2
    assert "wrong passphrase" in one_line(capsys)
    assert app_lock.is_locked(copilot_home)
    monkeypatch.setenv("COPILOT_PASSPHRASE", PASSPHRASE)
    assert main(["unlock"]) == 0
    assert not lock_file.exists()
    assert main(["show", session_id]) == 0
    assert SECRET in capsys.readouterr().out


def test_a_lock_from_another_process_holds_here_and_the_reverse(copilot_home: Path) -> None:
    session_id = secret_session()
    with_passphrase(copilot_home)

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "COPILOT_HOME": str(copilot_home)}
        return subprocess.run([sys.executable, "-m", "copilot.cli", *argv], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    assert cli("lock").returncode == 0
    assert app_lock.is_locked(copilot_home)
    assert "locked" in Bridge(SessionStore(), Settings.load()).review.session(session_id)["error"]
    app_lock.unlock(copilot_home, PASSPHRASE)
    app_lock.lock(copilot_home, "window")
    done = cli("show", session_id)
    assert done.returncode == 2 and SECRET not in done.stdout
    assert done.stderr.strip().splitlines() == [
        "session-copilot: error: Session Copilot is locked: "
        "`session-copilot unlock` asks for the passphrase"
    ]


def test_locked_the_bridge_refuses_every_view_and_pushes_nothing_of_a_session(
    copilot_home: Path,
) -> None:
    session_id = stored_session()
    with_passphrase(copilot_home)
    bridge, host = (
        Bridge(SessionStore(), Settings.load(), review_session_id=session_id),
        RecordingHost(),
    )
    bridge.attach(host)
    assert "error" not in bridge.review.session(session_id)
    assert bridge.applock.lock()["locked"] is True
    exposed = page_api(bridge)
    assert exposed >= OPEN_WHILE_LOCKED
    for name in sorted(exposed - OPEN_WHILE_LOCKED):
        view, _, method = name.rpartition(".")
        answer = getattr(getattr(bridge, view) if view else bridge, method)()
        assert "Session Copilot is locked" in answer.get("error", ""), name
    info = bridge.app_info()
    assert info["lock"]["locked"] is True
    assert info["live"] is None and info["review_session_id"] is None
    utterance = Utterance(seq=9, role="client", start=1, end=2, text=SECRET)
    bridge.publish(UtteranceEvent(utterance=utterance, speech_end_s=2))
    assert "wrong passphrase" in bridge.applock.unlock("not it")["error"]
    host.arrived.clear()
    assert bridge.applock.unlock(PASSPHRASE)["locked"] is False
    assert host.arrived.wait(5)
    assert bridge.review.session(session_id)["export"]["session"]["id"] == session_id
    bridge.shutdown()  # the pusher's queue drained: every script that was going to run ran
    pushed = "".join(host.scripts)
    assert SECRET not in pushed and '"type":"utterance"' not in pushed
    assert '{"type":"lock","locked":true}' in pushed and '"locked":false' in pushed


def test_the_idle_minutes_are_a_preference_the_window_reads(copilot_home: Path) -> None:
    secret_session()
    with_passphrase(copilot_home)
    assert main(["lock", "--after", "10"]) == 0
    assert Settings.load().lock_after_minutes == 10
    bridge = Bridge(SessionStore(), Settings.load())
    assert bridge.applock.state()["idle_minutes"] == 10
    assert bridge.applock.set_idle_minutes(0)["idle_minutes"] == 0
    assert Settings.load().lock_after_minutes == 0
    assert "error" in bridge.applock.set_idle_minutes(-5)
    bridge.shutdown()


def test_a_live_session_in_the_terminal_prints_nothing_while_locked(
    copilot_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_session()
    with_passphrase(copilot_home)
    event = UtteranceEvent(
        utterance=Utterance(seq=0, role="client", start=1, end=2, text=SECRET), speech_end_s=2
    )
    app_lock.lock(copilot_home, "cli")
    printer(event)
    assert capsys.readouterr().out == ""
    app_lock.unlock(copilot_home, PASSPHRASE)
    printer(event)
    assert SECRET in capsys.readouterr().out
