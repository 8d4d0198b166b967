"""The window's bridge without a window: every call the page makes, against real storage."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from window_support import stored_session

from copilot.errors import CopilotError
from copilot.events import LevelEvent, StateEvent
from copilot.reflection import api as reflection_api
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.journal import JournalStore
from copilot.window.bridge import Bridge
from copilot.window.host import check_display, prepare_environment
from copilot.window.support import Pusher, coalesce


class RecordingHost:
    """Stands where the pywebview window would: keeps what would have run in the page."""

    def __init__(self) -> None:
        self.scripts: list[str] = []
        self.on_top: bool | None = None
        self.arrived = threading.Event()

    def run_js(self, script: str) -> None:
        self.scripts.append(script)
        self.arrived.set()

    def set_on_top(self, on_top: bool) -> None:
        self.on_top = on_top

    def choose_file(self) -> str | None:
        return "/tmp/chosen.wav"


def consent_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "client_label": "R.K.",
        "replay": str(Path(__file__)),
        "consent_given_by": "client",
        "consent_method": "verbal",
        "consent_confirmed": True,
    }
    form.update(changes)
    return form


def test_no_session_starts_without_consent() -> None:
    bridge = Bridge(SessionStore(), Settings.load())
    for missing in (
        {"consent_confirmed": False},
        {"consent_method": None},
        {"consent_given_by": "  "},
    ):
        answer = bridge.start.start_session(consent_form(**missing))
        assert "consent" in answer["error"]
    assert bridge.start.start_session(consent_form(client_label=""))["error"].startswith(
        "client_label"
    )
    future = consent_form(consent_at="2999-01-01T10:00")
    assert bridge.start.start_session(future) == {"error": "the consent time is in the future"}
    assert SessionStore().list_sessions() == []
    assert bridge.live_state() == "idle"


def test_session_list_search_filter_and_real_delete() -> None:
    first = stored_session("R.K.", "20250101-0900-rk")
    second = stored_session(
        "M.B.", "20250102-0900-mb", [("therapist", "Hello."), ("client", "The garden helps.")]
    )
    bridge = Bridge(SessionStore(), Settings.load())
    listed = bridge.review.sessions()
    assert [s["id"] for s in listed["sessions"]] == [second, first]
    assert listed["clients"] == ["M.B.", "R.K."]
    assert [s["id"] for s in bridge.review.sessions("garden")["sessions"]] == [second]
    assert [s["id"] for s in bridge.review.sessions(None, "R.K.")["sessions"]] == [first]
    assert bridge.review.delete_session(second) == {"deleted": second}
    assert [s.id for s in SessionStore().list_sessions()] == [first]
    assert "error" in bridge.review.session(second)


def test_review_answer_carries_the_whole_analysed_session() -> None:
    session_id = stored_session()
    answer = Bridge(SessionStore(), Settings.load()).review.session(session_id[:8])
    export = answer["export"]
    assert export["session"]["id"] == session_id
    assert len(export["utterances"]) == 8
    assert export["summary"]["arc"], "the arc chart needs points"
    assert {f["category"] for f in export["risk_flags"]} == {"suicidal_ideation"}
    assert export["notes"][0]["text"] == "Check in about evenings next time"
    assert answer["audio_url"] is None and answer["live"] is False
    json.dumps(answer)  # crosses to the page as JSON


def test_correction_keeps_the_original_and_refuses_empty_text() -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    first = bridge.review.correct_text(session_id, 1, "I feel flat most of the time.")
    assert first["utterance"]["original_text"].startswith("Honestly I feel flat")
    second = bridge.review.correct_text(session_id, 1, "I feel flat, most of the time.")
    assert second["utterance"]["original_text"] == first["utterance"]["original_text"]
    assert "cannot be empty" in bridge.review.correct_text(session_id, 1, "   ")["error"]
    stored = SessionStore().transcript.utterances(session_id)[1]
    assert stored.text == "I feel flat, most of the time."
    assert stored.original_text is not None and stored.original_text.startswith("Honestly")
    assert "no utterance 99" in bridge.review.correct_text(session_id, 99, "x")["error"]


def test_swap_keeps_each_name_with_its_role_and_rename_sets_names() -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    renamed = bridge.review.rename_speakers(
        session_id, {"therapist": "Dr A", "client": "R.K.", "x": "y"}
    )
    first = renamed["export"]["utterances"][0]
    assert (first["role"], first["speaker"]) == ("therapist", "Dr A")
    swapped = bridge.review.swap_roles(session_id)["export"]["utterances"]
    assert (swapped[0]["role"], swapped[0]["speaker"]) == ("client", "R.K.")
    assert (swapped[1]["role"], swapped[1]["speaker"]) == ("therapist", "Dr A")


def test_risk_acknowledgement_is_stored() -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    flag = bridge.review.session(session_id)["export"]["risk_flags"][0]
    assert flag["acknowledged_at"] is None
    bridge.live.acknowledge_risk(flag["utterance_seq"], flag["category"], session_id)
    again = bridge.review.session(session_id)["export"]["risk_flags"][0]
    assert again["acknowledged_at"] is not None
    assert "no session is recording" in bridge.live.acknowledge_risk(3, "self_harm")["error"]


def test_prefs_persist_and_on_top_reaches_the_window() -> None:
    host = RecordingHost()
    bridge = Bridge(SessionStore(), Settings.load())
    bridge.attach(host)
    try:
        assert bridge.preferences.set_prefs({"font_scale": 1.3})["prefs"]["font_scale"] == 1.3
        assert bridge.preferences.set_on_top(True)["prefs"] == {"font_scale": 1.3, "on_top": True}
        assert host.on_top is True
        assert "font_scale" in bridge.preferences.set_prefs({"font_scale": 9})["error"]
        assert Bridge(SessionStore(), Settings.load()).app_info()["prefs"] == {
            "font_scale": 1.3,
            "on_top": True,
        }
    finally:
        bridge.shutdown()


def test_app_info_offers_the_bundled_model_and_the_review_to_open() -> None:
    info = Bridge(SessionStore(), Settings.load(), review_session_id="abc").app_info()
    assert info["models"][0]["name"] == "tiny.en"
    assert info["review_session_id"] == "abc"
    assert info["live"] is None
    assert info["colours"]["sadness"].startswith("#")


def page_api(obj: object, base: str = "") -> set[str]:
    """The names pywebview gives the page: public methods not marked python-side, and those of
    public objects, walked the way pywebview walks its js_api."""
    found: set[str] = set()
    for name in dir(obj):
        attr = getattr(obj, name)
        if name.startswith("_") or not getattr(attr, "_serializable", True):
            continue
        full = f"{base}.{name}" if base else name
        if inspect.ismethod(attr):
            found.add(full)
        elif not callable(attr) and hasattr(attr, "__module__"):
            found |= page_api(attr, full)
    return found


def test_the_page_sees_each_views_calls_and_nothing_of_the_python_side() -> None:
    bridge = Bridge(SessionStore(), Settings.load())
    exposed = page_api(bridge)
    assert {"app_info", "page_ready", "start.start_session", "live.stop", "review.session"} <= (
        exposed
    )
    assert {"reflection.prompts_for", "reflection.reminders", "preferences.set_prefs"} <= exposed
    assert {"risk_feedback.mark", "risk_feedback.export"} <= exposed
    assert {"supervision.share_preview", "supervision.open_bundle", "supervision.sign_off"} <= (
        exposed
    )
    assert not exposed & {"attach", "publish", "shutdown", "wait_ready", "live_state", "prefs"}
    assert {"practice.plan", "practice.answer", "practice.progress"} <= exposed
    assert {"models.speeds", "models.measure"} <= exposed and "models.wait" not in exposed
    assert {name.split(".")[0] for name in exposed} == {
        "app_info", "page_ready", "start", "live", "review", "reflection", "preferences",
        "practice", "supervision", "risk_feedback", "applock", "models",
    }  # fmt: skip
    bridge.shutdown()


def test_a_reflection_error_is_one_line_for_the_page() -> None:
    answer = Bridge(SessionStore(), Settings.load()).reflection.prompts_for(
        {"session_id": "nosuchsession"}
    )
    assert answer["error"].startswith("no session 'nosuchsession'")


def test_reflection_prompts_cite_the_session_and_answers_go_to_the_private_journal() -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    shown = bridge.reflection.prompts_for({"session_id": session_id[:8]})
    assert shown["session_id"] == session_id and shown["client_label"] == "R.K."
    assert "never exported or shared" in shown["private"]
    prompts = shown["prompts"]
    assert 3 <= len(prompts) <= 5
    said = {
        u["start"]: u["text"] for u in bridge.review.session(session_id)["export"]["utterances"]
    }
    for p in prompts:
        assert p["quote"] in said[p["start"]], "a prompt quotes its moment verbatim"
        minutes, seconds = divmod(round(p["start"]), 60)
        assert p["time"] == f"{minutes}:{seconds:02d}" and p["answer"] == ""

    first, second = prompts[0]["id"], prompts[1]["id"]
    rows = [
        {"prompt_id": first, "answer": "A knot in my stomach when she said it."},
        {"prompt_id": second, "answer": "  ", "question": "skipped: empty"},
    ]
    saved = bridge.reflection.save_answers({"session_id": session_id, "answers": rows})
    assert saved["saved"] == 1 and saved["entries"][0]["prompt_id"] == first
    again = bridge.reflection.prompts_for({"session_id": session_id})["prompts"]
    assert [p["answer"] for p in again][:2] == ["A knot in my stomach when she said it.", ""]
    (entry,) = bridge.reflection.journal_entries({"session_id": session_id})["value"]
    assert entry["moment_start"] == prompts[0]["start"]

    assert "knot in my stomach" not in json.dumps(bridge.review.session(session_id))
    store = SessionStore()
    tables = [r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        rows_there = store.db.execute(f'SELECT * FROM "{table}"').fetchall()
        assert "knot in my stomach" not in repr([tuple(r) for r in rows_there]), table

    refused = bridge.reflection.save_answers(
        {"session_id": session_id, "answers": {"not-a-prompt": "x"}}
    )
    assert "is not one of session" in refused["error"] and "\n" not in refused["error"]
    assert "no session" in bridge.reflection.prompts_for({"session_id": "nope"})["error"]


def test_checkin_and_trend_through_the_bridge() -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    form = bridge.reflection.checkin_form({"kind": "post"})
    assert len(form["items"]) == 4 and form["response"]["min"] == 1 and not form["validated"]
    assert (form["load"]["sessions"], form["load"]["sessions_with_risk"]) == (1, 1)
    assert "1 with risk language" in form["load_text"]
    answers = dict(zip([i["id"] for i in form["items"]], [4, 2, 5, 1], strict=True))
    args = {"answers": answers, "kind": "post", "session_id": session_id}
    result = bridge.reflection.submit_checkin(args)
    (weight,) = result["scores"]  # (4 + (6-2) + 5 + (6-1)) / 4 = 4.5
    assert (weight["score"], weight["band"], weight["attention"]) == (4.5, "heavy", True)
    assert any("supervisor" in line for line in result["suggestions"])
    trend = bridge.reflection.trend_series({"weeks": 8})
    assert [p["mean"] for p in trend["series"][0]["points"]] == [4.5]
    assert trend["svg"].startswith("<svg")
    short = bridge.reflection.submit_checkin({"answers": [1, 2]})
    assert short["error"] == "After-session check-in has 4 items; got 2 answers"
    assert "not 'weekly'" in bridge.reflection.checkin_form({"kind": "weekly"})["error"]


def test_reminders_are_optional_snoozable_and_end_when_answered() -> None:
    first = stored_session()
    second = stored_session("M.B.", "20250102-0900-mb")
    gone = stored_session("A.Z.", "20250103-0900-az")
    bridge = Bridge(SessionStore(), Settings.load())
    assert bridge.reflection.reminders() == {"enabled": False, "reminders": []}
    assert bridge.preferences.set_reminders(True) == {"enabled": True}
    with JournalStore() as journal:  # the end of a session, in another process
        assert reflection_api.session_ended(journal, Settings.load(), gone)["reminder"] is not None
    bridge.review.delete_session(gone)  # its reminder stays in the journal but has nothing to show
    due = bridge.reflection.reminders()["reminders"]
    assert {(r["session_id"], r["client_label"]) for r in due} == {
        (first, "R.K."), (second, "M.B."),
    }  # fmt: skip
    later = bridge.reflection.snooze_reminder({"session_id": first, "minutes": 20})
    assert later["snoozes"] == 1
    prompt = bridge.reflection.prompts_for({"session_id": second})["prompts"][0]
    bridge.reflection.save_answers({"session_id": second, "answers": {prompt["id"]: "ok"}})
    assert bridge.reflection.reminders()["reminders"] == []
    assert bridge.reflection.dismiss_reminder({"session_id": first})["closed"] is True
    assert (
        "1 minute to 24 hours"
        in bridge.reflection.snooze_reminder({"session_id": first, "minutes": 0})["error"]
    )
    assert bridge.preferences.set_reminders(False) == {"enabled": False}


def test_events_reach_the_page_in_order_with_stale_meters_dropped() -> None:
    batch = [
        LevelEvent(role="client", rms_db=-30, peak_db=-20).model_dump(mode="json"),
        {"type": "utterance", "n": 1},
        LevelEvent(role="client", rms_db=-10, peak_db=-5).model_dump(mode="json"),
        LevelEvent(role="therapist", rms_db=-40, peak_db=-35).model_dump(mode="json"),
        StateEvent(state="recording", session_id="s", elapsed_s=1).model_dump(mode="json"),
        StateEvent(state="paused", session_id="s", elapsed_s=2).model_dump(mode="json"),
    ]
    kept = coalesce(batch)
    assert [e.get("rms_db", e.get("state", e.get("n"))) for e in kept] == [1, -10, -40, "paused"]

    host = RecordingHost()
    pusher = Pusher(host.run_js)
    pusher.send({"type": "utterance", "n": 2})
    assert host.arrived.wait(2)
    pusher.close()
    assert host.scripts == ['window.copilot&&window.copilot.receive([{"type":"utterance","n":2}])']


def test_a_stuck_page_never_blocks_the_sender_and_gets_the_rest_as_one_batch() -> None:
    scripts: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def stuck(script: str) -> None:
        scripts.append(script)
        inside.set()
        release.wait()

    pusher = Pusher(stuck)
    pusher.send({"type": "utterance", "n": 0})
    assert inside.wait(5), "the first event never reached the page"
    sender = threading.Thread(
        target=lambda: [pusher.send({"type": "utterance", "n": n}) for n in range(1, 50)]
    )
    sender.start()
    sender.join(timeout=5)
    assert not sender.is_alive(), "the sender waited for a stuck page"
    release.set()
    pusher.close()
    prefix = "window.copilot&&window.copilot.receive("
    batches = [json.loads(s.removeprefix(prefix).removesuffix(")")) for s in scripts]
    assert [len(b) for b in batches] == [1, 49]
    assert [e["n"] for b in batches for e in b] == list(range(50))


def test_a_page_that_cannot_take_events_is_counted_not_raised() -> None:
    def broken(script: str) -> None:
        raise RuntimeError("window closing")

    pusher = Pusher(broken)
    pusher.send({"type": "utterance", "n": 1})
    pusher.close()  # joins the pusher's thread: the failed batch has been tried
    assert pusher.failures == 1


def test_no_display_is_one_clear_line() -> None:
    with pytest.raises(CopilotError, match="no display to open the window on"):
        check_display({}, "linux")
    check_display({}, "darwin")  # the native web view needs no X server
    env: dict[str, str] = {"QTWEBENGINE_CHROMIUM_FLAGS": "--foo"}
    prepare_environment(env)
    assert env["QTWEBENGINE_CHROMIUM_FLAGS"].startswith("--foo --disable-background-networking")


@pytest.mark.parametrize("argv", [[], ["open", "20250101"]])
def test_cli_without_a_display_exits_2_with_one_line(argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["COPILOT_PASSPHRASE"] = "a test passphrase"  # the child has no keyring
    done = subprocess.run(
        [sys.executable, "-m", "copilot.cli", *argv],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "session-copilot analyze" in lines[0]
