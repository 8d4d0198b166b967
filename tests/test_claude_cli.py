"""`session-copilot summarise` and `session-copilot egress` through the real command line, with
the SDK pointed at the fake Messages API on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from claude_support import ORIGINALS, serve, store_session
from fake_messages_api import FakeMessagesAPI, Reply

from copilot import egress
from copilot.cli import main
from copilot.settings import Settings
from copilot.storage import SessionStore


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    yield from serve(monkeypatch)


@pytest.fixture
def session_id() -> str:
    Settings(claude_timeout_s=2.0, claude_max_retries=0).save()
    store = SessionStore()
    try:
        return store_session(store, personal=True)
    finally:
        store.close()


def _egress() -> list[egress.EgressEntry]:
    store = SessionStore()
    try:
        return egress.list_entries(store)
    finally:
        store.close()


def test_summarise_is_local_unless_asked(
    api: FakeMessagesAPI, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summarise", session_id]) == 0
    out = capsys.readouterr().out
    assert "summary by: local" in out
    assert api.received == [] and _egress() == []
    assert main(["egress"]) == 0
    assert "nothing has been sent" in capsys.readouterr().out


def test_settings_can_turn_claude_on(
    api: FakeMessagesAPI, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Settings(session_analyser="claude", claude_timeout_s=2.0, claude_max_retries=0).save()
    assert main(["summarise", session_id, "--names", "Anna,Tom Price"]) == 0
    out = capsys.readouterr().out
    assert "summary by: claude · claude-sonnet-5-5 · prompt session_summary" in out
    assert len(api.received) == 1


def test_preview_prints_the_request_and_sends_nothing(
    api: FakeMessagesAPI, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["summarise", session_id, "--analyser", "claude", "--names", "Anna, Tom Price"]
    assert main([*args, "--preview"]) == 0
    shown = capsys.readouterr()
    assert api.received == [] and _egress() == []
    header, body = shown.out.split("\n", 1)
    assert header.startswith(f"# request 1 of 1 to {api.url}/v1/messages · payload sha256 ")
    previewed = json.loads(body)
    for original in ORIGINALS:
        assert original not in shown.out
    assert "[NAME_1]" in shown.out and "[EMAIL_1]" in shown.out
    assert "preview only, nothing was sent" in shown.err
    # The same command without --preview sends exactly that body, and logs its digest.
    assert main(args) == 0
    assert [r.body for r in api.received] == [previewed]
    [entry] = _egress()
    assert header.endswith(entry.payload_sha256)


def test_claude_failure_prints_the_local_summary_and_one_line(
    api: FakeMessagesAPI, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api.script(Reply.recorded("error_529.json", 529))
    assert main(["summarise", session_id, "--analyser", "claude"]) == 1
    shown = capsys.readouterr()
    assert "summary by: local" in shown.out
    assert shown.err.strip().splitlines() == [
        "session-copilot: claude summary did not arrive: the Claude API is overloaded (529); "
        "try again later"
    ]


def test_egress_lists_what_was_sent(
    api: FakeMessagesAPI, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api.script(Reply.recorded("error_429.json", 429), Reply.recorded("demo_answer.json"))
    main(["summarise", session_id, "--analyser", "claude"])
    main(["summarise", session_id, "--analyser", "claude"])
    capsys.readouterr()
    assert main(["egress", "--session", session_id[:6]]) == 0
    out = capsys.readouterr().out
    assert "429 rate_limit_error" in out and " ok " in out
    assert "2 request(s); tokens in 2417, out 1096, cache read 0, cache write 1391" in out
    assert main(["egress", "--json", "--limit", "1"]) == 0
    [newest] = json.loads(capsys.readouterr().out)
    assert newest["status"] == "ok" and newest["session_id"] == session_id
    assert set(newest) >= {"at", "model", "prompt_name", "prompt_digest", "payload_sha256"}


def test_bad_input_is_one_line(session_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarise", "nosuchsession"]) == 2
    assert main(["summarise", session_id, "--preview"]) == 2
    assert main(["egress", "--limit", "0"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "session-copilot: error: no session 'nosuchsession' (see `session-copilot sessions`)",
        "session-copilot: error: --preview shows what Claude would be sent: use --analyser claude",
        "session-copilot: error: --limit must be at least 1",
    ]
