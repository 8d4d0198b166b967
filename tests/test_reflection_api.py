"""The window's reflection API (plain JSON-ready data) and Claude's wording with its fallback.

Claude's side is reached through one function of `copilot.analysis.claude`; here that function
is replaced at that boundary (present, failing, missing, unimportable) — the network code itself
is never run.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from reflection_sessions import DAY, GRIEF, PANIC, make_export, store_export

from copilot.cli import main
from copilot.domain import SessionExport
from copilot.errors import AnalyserError, CopilotError
from copilot.reflection import api
from copilot.reflection.prompts import prompts_for_session
from copilot.reflection.wording import CLAUDE_FUNCTION, CLAUDE_MODULE
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.journal import JournalStore


@pytest.fixture
def stored() -> Iterator[tuple[SessionExport, SessionExport]]:
    from datetime import timedelta

    panic = make_export("panic-0001", PANIC)
    grief = make_export("grief-0002", GRIEF, DAY + timedelta(hours=2))
    store = SessionStore()
    store_export(store, panic)
    store_export(store, grief)
    store.close()
    yield panic, grief


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore() as opened:
        yield opened


@pytest.fixture
def journal() -> Iterator[JournalStore]:
    with JournalStore() as opened:
        yield opened


def plain(value: Any) -> Any:
    """The value went through JSON unchanged: only dicts, lists, strings, numbers, None."""
    assert json.loads(json.dumps(value)) == value
    return value


# Claude's wording --------------------------------------------------------------------------------


@pytest.fixture
def claude_module() -> Any:
    import importlib

    return importlib.import_module(CLAUDE_MODULE)


def claude_on() -> Settings:
    return Settings(session_analyser="claude")


def test_claude_wording_is_used_only_when_claude_is_on(
    stored: tuple[SessionExport, SessionExport],
    claude_module: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panic, _ = stored
    calls: list[list[dict[str, Any]]] = []

    def reword(
        prompts: list[dict[str, Any]], settings: Settings, store: Any, session_id: str
    ) -> Any:
        calls.append(prompts)
        assert session_id == panic.session.id and settings.session_analyser == "claude"
        return {p["id"]: f"In your own time: {p['question']}" for p in prompts[:2]}

    monkeypatch.setattr(claude_module, CLAUDE_FUNCTION, reword, raising=False)
    store = SessionStore()
    local, notice = prompts_for_session(store, panic.session.id, Settings())
    assert notice is None and calls == [] and {p.wording for p in local} == {"local"}

    worded, notice = prompts_for_session(store, panic.session.id, claude_on())
    store.close()
    assert notice is None and len(calls) == 1
    sent = calls[0]
    assert [p["id"] for p in sent] == [p.id for p in local]
    assert all(p["quote"] == q.quote and p["time"] for p, q in zip(sent, local, strict=True))
    assert [p.wording for p in worded] == ["claude", "claude"] + ["local"] * (len(local) - 2)
    assert worded[0].question == f"In your own time: {local[0].question}"
    assert [p.quote for p in worded] == [p.quote for p in local]


@pytest.mark.parametrize("how", ["missing", "unimportable", "fails", "wrong type"])
def test_claude_wording_falls_back_to_local_with_one_line(
    how: str,
    stored: tuple[SessionExport, SessionExport],
    claude_module: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panic, _ = stored

    def refused(
        prompts: list[dict[str, Any]], settings: Settings, store: Any, session_id: str
    ) -> Any:
        raise AnalyserError("the API key was refused (401)")

    if how == "missing":
        monkeypatch.delattr(claude_module, CLAUDE_FUNCTION, raising=False)
    elif how == "unimportable":
        monkeypatch.setitem(sys.modules, CLAUDE_MODULE, None)  # import raises ImportError
    elif how == "fails":
        monkeypatch.setattr(claude_module, CLAUDE_FUNCTION, refused, raising=False)
    else:
        monkeypatch.setattr(claude_module, CLAUDE_FUNCTION, lambda *a, **k: ["no"], raising=False)
    store = SessionStore()
    local, _ = prompts_for_session(store, panic.session.id, Settings())
    shown, notice = prompts_for_session(store, panic.session.id, claude_on())
    store.close()
    assert shown == local
    assert notice is not None and "\n" not in notice and "local prompts" in notice
    expected = {
        "missing": f"has no {CLAUDE_FUNCTION}",
        "unimportable": f"{CLAUDE_MODULE} cannot be imported",
        "fails": "the API key was refused (401)",
        "wrong type": "not a dict",
    }[how]
    assert expected in notice


def test_reflect_command_shows_local_prompts_when_claude_wording_is_missing(
    stored: tuple[SessionExport, SessionExport],
    claude_module: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    panic, _ = stored
    monkeypatch.delattr(claude_module, CLAUDE_FUNCTION, raising=False)
    claude_on().save()
    assert main(["reflect", panic.session.id, "--no-input"]) == 0
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "Claude's wording is unavailable" in err
    assert "Have you tried slowing your breathing" in out


# the window's API --------------------------------------------------------------------------------


def test_prompts_and_answers_through_the_api(
    stored: tuple[SessionExport, SessionExport], store: SessionStore, journal: JournalStore
) -> None:
    panic, grief = stored
    shown = plain(api.prompts_for(store, journal, Settings.load(), panic.session.id[:6]))
    assert shown["session_id"] == panic.session.id and shown["notice"] is None
    prompts = shown["prompts"]
    assert 3 <= len(prompts) <= 5
    texts = {u.seq: u.text for u in panic.utterances}
    starts = {u.start for u in panic.utterances}
    for p in prompts:
        assert p["start"] in starts and any(p["quote"] in t for t in texts.values())
        assert p["answer"] == "" and p["time"].count(":") == 1
    other = {
        p["question"]
        for p in api.prompts_for(store, journal, Settings.load(), grief.session.id)["prompts"]
    }
    assert not other & {p["question"] for p in prompts}

    first, second = prompts[0]["id"], prompts[1]["id"]
    saved = plain(
        api.save_answers(
            store, journal, panic.session.id, {first: "a knot in my stomach", second: ""}
        )
    )
    assert saved["saved"] == 1 and saved["entries"][0]["answer"] == "a knot in my stomach"
    rows = [{"prompt_id": second, "answer": "I wanted to fix it", "question": "Worded: what?"}]
    assert api.save_answers(store, journal, panic.session.id, rows)["saved"] == 1
    again = {
        p["id"]: p["answer"]
        for p in api.prompts_for(store, journal, Settings.load(), panic.session.id)["prompts"]
    }
    assert again[first] == "a knot in my stomach" and again[second] == "I wanted to fix it"
    entries = plain(api.journal_entries(journal, panic.session.id))
    assert [e["question"] for e in entries][1] == "Worded: what?"
    assert api.journal_entries(journal, grief.session.id) == []

    with pytest.raises(CopilotError, match="is not one of session grief-0002's prompts"):
        api.save_answers(
            store, journal, grief.session.id, {first: "this belongs to the other session"}
        )
    with pytest.raises(CopilotError, match="no session"):
        api.prompts_for(store, journal, Settings.load(), "nope-nope")


def test_checkin_form_and_submit_through_the_api(
    stored: tuple[SessionExport, SessionExport], store: SessionStore, journal: JournalStore
) -> None:
    panic, _ = stored
    form = plain(api.checkin_form(store, "post"))
    assert form["kind"] == "post" and len(form["items"]) == 4 and not form["validated"]
    assert "Not a validated instrument" in form["note"]
    assert form["response"] == {"min": 1, "max": 5, "labels": {
        "1": "not at all", "2": "a little", "3": "somewhat", "4": "quite a bit", "5": "very much",
    }}  # fmt: skip
    assert "load" in form and form["load_text"]
    assert len(api.checkin_form(store, "periodic")["items"]) == 15

    # (4 + (6-2) + 5 + (6-1)) / 4 = 4.5: "heavy", marked for attention
    result = plain(
        api.submit_checkin(store, journal, [4, 2, 5, 1], "post", session_id=panic.session.id)
    )
    (weight,) = result["scores"]
    assert (weight["score"], weight["band"], weight["attention"]) == (4.5, "heavy", True)
    assert result["suggestions"] and "supervisor" in result["suggestions"][0]
    by_id = dict(zip([i["id"] for i in form["items"]], [1, 5, 1, 5], strict=True))
    light = api.submit_checkin(
        store, journal, by_id, "post"
    )  # all light: (1 + 1 + 1 + 1) / 4 = 1.0
    assert light["scores"][0]["score"] == 1.0 and light["suggestions"] == []

    with pytest.raises(CopilotError, match="has 4 items; got 2 answers"):
        api.submit_checkin(store, journal, [1, 2])
    with pytest.raises(CopilotError, match="not 'weekly'"):
        api.checkin_form(store, "weekly")
    with pytest.raises(CopilotError, match="does not exist"):
        api.checkin_form(store, instrument_path="/nowhere/proqol.toml")


def test_trend_series_through_the_api(store: SessionStore, journal: JournalStore) -> None:
    empty = plain(api.trend_series(journal))
    assert empty == {"series": [], "suggestions": [], "svg": None}
    api.submit_checkin(store, journal, [2, 4, 2, 4])  # (2 + 2 + 2 + 2) / 4 = 2.0
    api.submit_checkin(
        store, journal, [4, 2, 4, 2]
    )  # (4 + 4 + 4 + 4) / 4 = 4.0: the same week, mean 3.0
    found = plain(api.trend_series(journal, 4))
    (series,) = found["series"]
    assert series["scale"] == "weight" and [p["mean"] for p in series["points"]] == [3.0]
    assert [p["n"] for p in series["points"]] == [2]
    assert found["suggestions"] and "colleague" in found["suggestions"][0]  # the latest is 4.0
    assert ET.fromstring(found["svg"]).tag == "{http://www.w3.org/2000/svg}svg"
    assert "colleague" not in found["svg"]
    with pytest.raises(CopilotError, match="at least 1"):
        api.trend_series(journal, 0)


def test_reminders_through_the_api(
    stored: tuple[SessionExport, SessionExport], store: SessionStore, journal: JournalStore
) -> None:
    panic, _ = stored
    assert plain(api.session_ended(journal, Settings.load(), panic.session.id)) == {
        "reminder": None
    }  # off by default
    assert api.reminders_due(store, journal, Settings.load()) == []
    Settings(reminders=True).save()
    made = plain(api.session_ended(journal, Settings.load(), panic.session.id))["reminder"]
    assert made["session_id"] == panic.session.id and "reflect" in made["notice"]
    assert panic.session.id in {
        r["session_id"] for r in plain(api.reminders_due(store, journal, Settings.load()))
    }
    later = plain(api.snooze_reminder(journal, panic.session.id, 30))
    assert later["snoozes"] == 1
    assert panic.session.id not in {
        r["session_id"] for r in api.reminders_due(store, journal, Settings.load())
    }
    assert api.dismiss_reminder(journal, panic.session.id) == {
        "session_id": panic.session.id, "closed": True,
    }  # fmt: skip
    with pytest.raises(CopilotError, match="1 minute to 24 hours"):
        api.snooze_reminder(journal, panic.session.id, 0)


def test_session_end_never_fails_because_of_a_reminder(journal: JournalStore) -> None:
    journal.db.execute("PRAGMA query_only = ON")  # the journal cannot be written
    assert api.session_ended(journal, Settings(reminders=True), "any-session") == {"reminder": None}
