"""The real window: pywebview on Qt WebEngine under Xvfb, driven through evaluate_js.

Each scenario runs in a process of its own, as the app does: Qt WebEngine does not survive a
second window being torn down in one process. There the window opens on the main thread and the
page is driven from pywebview's worker thread; a failure is raised again once the window closed,
and the child's exit code and output come back to the test here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require, require_tool
from dialogues import render_dialogue
from encode import encode
from window_support import stored_session, use_scripted_emotion

from copilot.audio.files import SAMPLE_RATE
from copilot.settings import Settings, home
from copilot.storage import SessionStore
from copilot.storage.keys import home_key
from copilot.storage.sealed import write_sealed
from copilot.window.bridge import Bridge

pytestmark = pytest.mark.window

LIVE_TURNS = [
    ("therapist", "How has this week been for you?"),
    ("client", "Hard. Sometimes I think everyone would be better off without me."),
    ("therapist", "Thank you for telling me. Can we talk about that feeling?"),
    ("client", "Yes. I feel lonely and flat, like a burden to them."),
]


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    require_tool("Xvfb")
    try:
        import webview  # noqa: F401
        from PyQt6 import QtWebEngineWidgets  # noqa: F401
    except ImportError as exc:
        require(False, f"the window extra is not installed: {exc}")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with open(read, "rb") as pipe:
        number = pipe.readline().decode().strip()
    require(number.isdigit(), "Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


@pytest.fixture
def display(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DISPLAY", xvfb)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    return xvfb


class Page:
    """The page inside the window, seen from the driving thread."""

    def __init__(self, window: Any):
        self.window = window

    def js(self, script: str) -> Any:
        return self.window.evaluate_js(script)

    def wait(self, script: str, timeout: float = 20.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(script)
            if value:
                return value
            time.sleep(0.1)
        seen = self.js("document.body ? document.body.innerText.slice(0, 600) : '(no body)'")
        raise AssertionError(f"timed out waiting for {what or script}; the page showed: {seen!r}")

    def click(self, selector: str) -> None:
        found = f"document.querySelector({json.dumps(selector)})"
        event = "new MouseEvent('click', {bubbles: true, cancelable: true})"
        assert self.js(f"(n => !!n && (n.dispatchEvent({event}), true))({found})"), selector

    def text(self, selector: str) -> str:
        return str(self.js(f"document.querySelector({json.dumps(selector)}).textContent"))

    def key(self, key: str) -> None:
        self.js(f"document.dispatchEvent(new KeyboardEvent('keydown', {{key: {json.dumps(key)}}}))")


def in_window(
    bridge: Bridge, drive: Callable[[Page], None], size: tuple[int, int] = (1180, 800)
) -> None:
    from copilot.window.host import create_window, run

    window = create_window(bridge, size=size, x=0, y=0)
    failures: list[BaseException] = []

    def driver(window: Any) -> None:
        try:
            assert bridge.wait_ready(30), "the page never became ready"
            drive(Page(window))
        except BaseException as exc:
            failures.append(exc)
            if bridge.live_state() in ("recording", "paused"):
                bridge.live.stop()  # else closing asks "stop recording?" and waits for a click
        finally:
            window.destroy()

    run(bridge, window, driver)
    if failures:
        raise failures[0]


def in_child(scenario: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, __file__, scenario, str(tmp_path)],
        capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, f"{scenario} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def test_start_needs_consent_then_live_utterances_arrive_then_the_review(
    display: str, tmp_path: Path, espeak: str
) -> None:
    in_child("live_flow", tmp_path)


def test_review_of_a_stored_session(display: str, tmp_path: Path) -> None:
    in_child("review_flow", tmp_path)


def test_practice_on_a_stored_session(display: str, tmp_path: Path) -> None:
    in_child("practice_flow", tmp_path)


def test_the_lock_empties_the_page_and_the_passphrase_brings_it_back(
    display: str, tmp_path: Path
) -> None:
    in_child("lock_flow", tmp_path)


def live_flow(tmp_path: Path) -> None:
    from copilot.storage.keys import set_passphrase

    use_scripted_emotion()
    set_passphrase(home(), LOCK_PASSPHRASE)
    stereo, _placed = render_dialogue(LIVE_TURNS, seed=3)
    recording = encode(tmp_path / "session.wav", stereo, SAMPLE_RATE)
    bridge = Bridge(SessionStore(), Settings.load())
    seen: dict[str, Any] = {}

    def drive(page: Page) -> None:
        assert page.js("document.body.dataset.view") == "start"
        page.js(f"""(() => {{
            document.querySelector('#f-client').value = 'R.K.';
            const replay = document.querySelector('input[name="source"][value="replay"]');
            replay.checked = true; replay.dispatchEvent(new Event('change'));
            document.querySelector('#f-replay').value = {json.dumps(str(recording))};
        }})()""")
        page.click("#btn-start")  # consent not yet recorded
        missing = page.wait("document.querySelector('#start-missing').textContent")
        assert "how consent was given" in missing and "consent confirmation" in missing
        assert SessionStore().list_sessions() == []
        page.click('input[name="consent_method"][value="verbal"]')
        page.click("#f-consent")
        page.click("#btn-start")
        page.wait("document.body.dataset.view === 'live'", 60, "the live view")
        assert page.js("document.querySelector('#rec').dataset.state") == "recording"
        assert page.js("document.querySelector('#live-transcript').open") is False
        page.wait("document.querySelector('#alerts .alert')", 60, "a risk alert")
        page.click("#alerts .alert button")
        page.wait("document.querySelector('#alerts .alert.done')", 10, "the acknowledgement")
        page.js("document.querySelector('#note-text').value = 'ask about the family'")
        page.click("#btn-note")
        page.wait("document.querySelector('#note-list li')", 10, "the note")
        page.wait("SC.live.utterances.size >= 4", 60, "four utterances")
        last_client = page.js(
            "[...SC.live.utterances.values()].filter(u => u.role === 'client').pop().text"
        )
        assert "lonely" in last_client, last_client  # the last turn, whatever else tiny.en heard
        page.wait(  # the last turns read together, the state shown with its strongest words
            "document.querySelector('#now-state').textContent.includes('sadness')",
            20,
            "the state of the last client turns",
        )
        client = page.js(
            "[...SC.live.utterances.values()].filter(u => u.role === 'client').map(u => u.text)"
        )
        assert page.text("#now-words") in [f"“{t}”" for t in client]  # verbatim
        seen["state"] = page.text("#now-state")
        seen["timer"] = page.text("#timer")
        seen["arc_bars"] = page.js("document.querySelectorAll('#sparkline line').length")
        page.key("F8")
        seen["hidden"] = page.js(
            "[document.body.classList.contains('hidden-content'),"
            " getComputedStyle(document.querySelector('main')).visibility,"
            " !document.querySelector('#cover').hidden]"
        )
        page.key("F8")
        assert page.js("getComputedStyle(document.querySelector('main')).visibility") == "visible"
        page.key("F9")  # the lock: the page empties itself, the session goes on recording
        page.wait("document.body && document.body.classList.contains('locked')", 30, "the lock")
        seen["locked_shows"] = page.js(
            "document.querySelectorAll('#live-lines li').length"
            " + document.body.innerText.indexOf('lonely') + 1"
        )
        page.js(f"document.querySelector('#unlock-pass').value = {json.dumps(LOCK_PASSPHRASE)}")
        page.click("#btn-unlock")
        page.wait("!document.body.classList.contains('locked') &&"
                  " document.body.dataset.view === 'live'", 30, "the live view again")  # fmt: skip
        assert page.js("document.querySelector('#rec').dataset.state") == "recording"
        page.wait("SC.live.utterances.size >= 4", 30, "the lines stored while locked")
        seen["after_unlock"] = page.js("document.querySelectorAll('#live-lines li').length")
        page.window.resize(380, 760)
        page.wait("window.innerWidth <= 400", 10, "the narrow window")
        seen["overflow"] = page.js("document.documentElement.scrollWidth - window.innerWidth")
        page.click("#btn-stop")
        page.click("#confirm-ok")
        page.wait("document.body.dataset.view === 'review'", 90, "the review after stop")
        page.wait("document.querySelectorAll('#rv-lines li[data-seq]').length > 0", 10)
        seen["summary"] = page.text("#rv-summary .body")
        seen["lines"] = page.js("document.querySelectorAll('#rv-lines li[data-seq]').length")
        seen["risk"] = page.text("#rv-risk .body")
        seen["session_id"] = page.js("SC.review.id")

    in_window(bridge, drive)
    store = SessionStore()
    session_id = seen["session_id"]
    session = store.get(session_id)
    assert session.consent is not None and session.consent.method == "verbal"
    assert session.status == "complete"
    assert seen["lines"] == len(store.transcript.utterances(session_id)) >= 4
    assert "sadness" in seen["state"]
    assert seen["timer"] != "0:00" and seen["arc_bars"] >= 2
    assert seen["hidden"] == [True, "hidden", True]
    assert seen["locked_shows"] == 0 and seen["after_unlock"] >= 4
    assert seen["overflow"] <= 0, "the live view scrolls sideways at 380 px"
    assert "No summary yet" not in seen["summary"] and seen["summary"].strip()
    assert "Acknowledged" in seen["risk"]
    assert store.marks.acknowledgements(session_id), "the acknowledgement was not stored"
    assert [n.text for n in store.marks.notes(session_id)] == ["ask about the family"]


def review_flow(tmp_path: Path) -> None:
    session_id = stored_session()
    store = SessionStore()
    audio = tmp_path / "kept.wav"

    tone = (0.1 * np.sin(np.arange(SAMPLE_RATE * 40) * 0.05)).astype(np.float32)
    encode(audio, np.stack([tone, tone], axis=1), SAMPLE_RATE)
    sealed = home() / "audio" / "kept.wav.sealed"  # kept audio is sealed on disk
    write_sealed(sealed, home_key(), audio.read_bytes())
    store.update(session_id, audio_path=str(sealed))
    export = Bridge(SessionStore(), Settings.load()).review.session(session_id)["export"]
    point = export["summary"]["arc"][-1]
    starts = [(u["start"], u["seq"]) for u in export["utterances"]]
    expected_seq = [seq for start, seq in starts if start <= point["start"] + 0.05][-1]
    seen: dict[str, Any] = {}

    def drive(page: Page) -> None:
        page.wait("document.body.dataset.view === 'review'", 20, "the review")
        assert "R.K." in page.text("#rv-title")
        rects = page.js("document.querySelectorAll('#arc-chart .col-hit').length")
        assert rects == len(export["summary"]["arc"])
        page.click(f"#arc-chart .col-hit:nth-of-type({rects})")
        seen["jumped_to"] = page.js("document.activeElement.dataset.seq")
        page.click('#rv-lines li[data-seq="1"] .edit')
        page.js("document.querySelector('#rv-lines li[data-seq=\"1\"] textarea').value = "
                "'I feel flat most of the time.'")  # fmt: skip
        page.click('#rv-lines li[data-seq="1"] .editor .primary')
        page.wait("document.querySelector('#rv-lines li[data-seq=\"1\"] .orig')", 10, "edit")
        seen["edited"] = page.text('#rv-lines li[data-seq="1"]')
        page.wait("document.querySelector('#rv-audio').readyState >= 1", 15, "the audio")
        seen["audio"] = page.js("[document.querySelector('#rv-audio').hidden,"
                                " document.querySelector('#rv-audio').duration]")  # fmt: skip
        t = export["utterances"][3]["start"] + 0.1
        page.js(f"(() => {{ const a = document.querySelector('#rv-audio'); a.currentTime = {t};"
                f" a.dispatchEvent(new Event('timeupdate')); }})()")  # fmt: skip
        seen["playing"] = page.js(
            "Array.from(document.querySelectorAll('#rv-lines li.playing'), l => l.dataset.seq)"
        )
        page.click("#rv-swap")
        page.wait("document.querySelector('#rv-lines li .who').textContent === 'Client'", 10)
        seen["flags"] = page.text("#rv-risk .body")
        seen["needs"] = page.js("!!document.querySelector('#rv-needs .marker')")
        seen["metrics_rows"] = page.js("document.querySelectorAll('#rv-metrics tbody tr').length")
        page.click('.nav[data-view="sessions"]')
        page.wait("document.querySelector('#s-list li')", 10, "the session list")
        page.click("#s-list li .danger")
        page.click("#confirm-ok")
        page.wait("document.querySelector('#s-count').textContent === '0 sessions'", 10)

    in_window(Bridge(SessionStore(), Settings.load(), review_session_id=session_id[:6]), drive)
    assert seen["jumped_to"] == str(expected_seq)
    assert "recognised as: “Honestly I feel flat" in seen["edited"]
    assert seen["audio"][0] is False and seen["audio"][1] == pytest.approx(40, abs=0.5)
    assert seen["playing"] == ["3"]
    assert "suicidal ideation" in seen["flags"]
    needs = export["summary"]["needs_map"]
    assert seen["needs"] is (needs is not None and needs["position"] is not None)
    assert seen["metrics_rows"] == 5
    assert SessionStore().list_sessions() == []
    assert not sealed.exists(), "deleting the session deletes its kept audio"


PRACTICE_REPLY = "It sounds like the evenings are when the loneliness bites hardest."


def practice_flow(tmp_path: Path) -> None:
    from copilot.storage.practice import PracticeStore

    session_id = stored_session()
    end = max(u.end for u in SessionStore().transcript.utterances(session_id))
    tone = (0.1 * np.sin(np.arange(int(SAMPLE_RATE * (end + 2))) * 0.05)).astype(np.float32)
    kept = encode(tmp_path / "kept.wav", np.stack([tone, tone], axis=1), SAMPLE_RATE)
    SessionStore().update(session_id, audio_path=str(kept))
    seen: dict[str, Any] = {"feedback": []}

    def answer(page: Page, state: str, reply: str) -> None:
        page.click(f'input[name="pr-state"][value="{state}"]')
        page.js("(() => { const r = document.querySelector('#pr-confidence'); r.value = 80;"
                " r.dispatchEvent(new Event('input')); })()")  # fmt: skip
        page.js(f"document.querySelector('#pr-reply').value = {json.dumps(reply)}")
        page.click("#pr-submit")
        page.wait("!document.querySelector('#pr-feedback').hidden", 60, "the feedback")
        seen["feedback"].append(page.text("#pr-feedback .body"))

    def drive(page: Page) -> None:
        page.wait("document.body.dataset.view === 'review'", 20, "the review")
        page.wait("document.querySelector('#rv-behaviour tbody tr')", 10, "the behaviour card")
        seen["figures"] = page.js("document.querySelectorAll('#rv-behaviour tbody tr').length")
        seen["chips"] = page.js("document.querySelectorAll('#rv-lines .chip.behaviour').length")
        page.click("#rv-practise")
        page.wait("!document.querySelector('#pr-setup').hidden", 20, "the pause choice")
        suggested = page.js("SC.practice.plan.suggested")
        unticked = page.js("Array.from(document.querySelectorAll('#pr-turns input:not(:checked)'),"
                           " b => Number(b.value))")  # fmt: skip
        seen["suggested"], seen["added"] = suggested, unticked[:1]
        if unticked:
            page.click(f'#pr-turns input[value="{unticked[0]}"]')
        page.js(
            "(a => { a.muted = true; a.defaultPlaybackRate = a.playbackRate = 4; })"
            "(document.querySelector('#pr-audio'))"
        )  # silent, and four times as fast
        page.click("#pr-start")
        pauses = page.wait("SC.practice.run && SC.practice.run.pauses", 20, "the run")
        seen["pauses"] = pauses
        for i in range(len(pauses)):
            page.wait("!document.querySelector('#pr-form').hidden", 30, f"pause {i + 1}")
            seen.setdefault("last_line", []).append(
                page.js("document.querySelector('#pr-lines li:last-child').dataset.seq")
            )
            answer(page, "sadness", PRACTICE_REPLY if i == 0 else "")
            page.click("#pr-next")
        seen["played"] = page.js("[SC.practice.played, SC.practice.playError,"
                                 " document.querySelector('#pr-audio').hidden]")  # fmt: skip
        page.wait("!document.querySelector('#pr-summary').hidden", 30, "the summary")
        seen["summary"] = page.text("#pr-summary .body")
        page.wait("document.querySelector('#pr-progress img')", 30, "the progress picture")
        seen["progress_src"] = page.js("document.querySelector('#pr-progress img').src")[:22]

    in_window(Bridge(SessionStore(), Settings.load(), review_session_id=session_id), drive)
    assert seen["figures"] == 3 and seen["chips"] == 4  # four therapist turns, each coded
    expected = sorted(set(seen["suggested"]) | set(seen["added"]))
    assert seen["pauses"] == expected, seen
    assert seen["last_line"] == [str(s) for s in seen["pauses"]], "scrolled past a pause"
    assert seen["played"][0] is True and seen["played"][2] is False, seen["played"]
    first = seen["feedback"][0]
    assert "The model read" in first and "sadness" in first
    assert "complex reflection" in first or "simple reflection" in first
    assert "Example, not a script" in first
    assert "No reply written this time." in seen["feedback"][-1]
    assert f"You answered {len(expected)} of {len(expected)} pauses." in seen["summary"]
    assert seen["progress_src"] == "data:image/png;base64,"
    runs = PracticeStore(SessionStore()).runs()
    assert len(runs) == 1 and len(runs[0].answers) == len(expected)
    assert runs[0].answers[0].reply == PRACTICE_REPLY and runs[0].answers[0].confidence == 0.8
    exported = Bridge(SessionStore(), Settings.load()).review.session(session_id)["export"]
    assert PRACTICE_REPLY not in json.dumps(exported)


LOCK_PASSPHRASE = "a long enough passphrase"
SHOWN_WORDS = "lonely in the evenings"  # a client's words from window_support.TURNS


def lock_flow(tmp_path: Path) -> None:
    from copilot.storage.keys import set_passphrase

    session_id = stored_session()
    set_passphrase(home(), LOCK_PASSPHRASE)
    bridge = Bridge(SessionStore(), Settings.load(), review_session_id=session_id)
    env = {**os.environ, "COPILOT_PASSPHRASE": LOCK_PASSPHRASE}
    seen: dict[str, Any] = {}

    def cli(*argv: str) -> int:
        return subprocess.run([sys.executable, "-m", "copilot.cli", *argv], env=env,
                              capture_output=True, timeout=120).returncode  # fmt: skip

    def shown(page: Page) -> None:
        page.wait("!document.body.classList.contains('locked') &&"
                  " document.querySelectorAll('#rv-lines li[data-seq]').length > 0", 30,
                  "the review back")  # fmt: skip
        assert SHOWN_WORDS in page.js("document.body.innerText")

    def locked(page: Page, what: str) -> list[Any]:
        page.wait("document.body && document.body.classList.contains('locked')", 30, what)
        return [  # what a person at the desk could see, or the page still holds
            SHOWN_WORDS in page.js("document.body.innerText"),
            SHOWN_WORDS in page.js("document.documentElement.outerHTML"),
            page.js("document.querySelectorAll('#rv-lines li, #s-list li').length"),
            page.js("getComputedStyle(document.querySelector('#lock-screen')).display"),
            page.js("(SC.review && SC.review.id) || null"),
            "error" in bridge.review.session(session_id),
        ]

    def drive(page: Page) -> None:
        shown(page)
        page.click("#btn-lock")
        seen["button"] = locked(page, "the lock from the button")
        page.js("document.querySelector('#unlock-pass').value = 'not the passphrase'")
        page.click("#btn-unlock")
        page.wait("document.querySelector('#unlock-error').textContent", 30, "the refusal")
        seen["wrong"] = [
            page.text("#unlock-error"),
            page.js("document.body.classList.contains('locked')"),
        ]
        page.js(f"document.querySelector('#unlock-pass').value = {json.dumps(LOCK_PASSPHRASE)}")
        page.click("#btn-unlock")
        shown(page)
        assert cli("lock") == 0  # another process: the window follows within a second
        seen["cli"] = locked(page, "the lock from the command line")
        assert cli("unlock") == 0
        shown(page)
        page.js("(s => { s.value = '5'; s.dispatchEvent(new Event('change')); })"
                "(document.querySelector('#lock-after'))")  # fmt: skip
        page.wait("SC.lock.idleMinutes === 5", 10, "the idle minutes kept")
        assert page.js("SC.lock.check(Date.now() + 4 * 60000)") is False
        assert page.js("SC.lock.check(Date.now() + 6 * 60000)") is True
        seen["idle"] = locked(page, "the idle lock")
        page.key("F8")  # no key shows anything while locked
        page.js(f"document.querySelector('#unlock-pass').value = {json.dumps(LOCK_PASSPHRASE)}")
        page.click("#btn-unlock")
        shown(page)

    in_window(bridge, drive)
    hidden = [False, False, 0, "flex", None, True]
    assert seen["button"] == hidden, seen["button"]
    assert seen["cli"] == hidden, seen["cli"]
    assert seen["idle"] == hidden, seen["idle"]
    assert "wrong passphrase" in seen["wrong"][0] and seen["wrong"][1] is True
    assert Settings.load().lock_after_minutes == 5


if __name__ == "__main__":  # one scenario, in this process alone
    try:
        globals()[sys.argv[1]](Path(sys.argv[2]))
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
    sys.exit(0)
