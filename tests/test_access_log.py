"""The access log: who (the OS account) opened, exported or deleted which session, when, and
from where, readable with `session-copilot access-log` and in the window."""

from __future__ import annotations

import getpass
from datetime import timedelta
from pathlib import Path

import pytest
from window_support import stored_session

from copilot.cli import main
from copilot.domain import Session, utcnow
from copilot.protection import retention
from copilot.settings import Retention, Settings
from copilot.storage import SessionStore, access_log
from copilot.window.bridge import Bridge


def _log(session_id: str | None = None) -> list[tuple[str, str | None, str, str]]:
    store = SessionStore()
    try:
        found = access_log.entries(store, session_id)
    finally:
        store.close()
    assert {a.account for a in found} <= {getpass.getuser()}
    return [(a.action, a.session_id, a.origin, a.detail) for a in reversed(found)]


def test_the_cli_logs_show_export_and_delete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = stored_session()
    out = tmp_path / "out.json"
    assert main(["show", sid[:8]]) == 0
    assert main(["export", sid, "--json", str(out)]) == 0
    assert main(["delete", sid]) == 0
    assert _log() == [
        ("opened", sid, "cli", "show"),
        ("exported", sid, "cli", f"to {out}"),
        ("deleted", sid, "cli", ""),
    ]
    capsys.readouterr()
    assert main(["access-log", "--session", sid]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].split()[2:5] == [getpass.getuser(), "deleted", sid]


def test_the_window_logs_opening_and_deleting_and_shows_the_log() -> None:
    sid = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    bridge.review.session(sid)
    bridge.review.swap_roles(sid)  # re-renders the review: not a new opening
    bridge.review.delete_session(sid)
    assert _log(sid) == [("opened", sid, "window", ""), ("deleted", sid, "window", "")]
    shown = bridge.review.access_log(sid)["entries"]
    assert [e["action"] for e in shown] == ["deleted", "opened"]
    bridge.shutdown()


def test_retention_notes_each_removal_with_its_rule() -> None:
    store = SessionStore()
    old = utcnow() - timedelta(days=40)
    store.create(Session(id="s-ret", client_label="A.", created_at=old, status="complete"))
    settings = Settings(retention=Retention(transcripts=30, analyses=30))
    retention.apply(store, retention.plan(store, settings), "cli")
    store.close()
    assert _log() == [("deleted", "s-ret", "cli", "retention: session (kept 30 days)")]


def test_an_empty_log_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["access-log"]) == 0
    assert capsys.readouterr().out.strip() == "the access log is empty"
