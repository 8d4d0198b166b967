"""The page's logic in headless Chromium (Debian's), against a fake bridge.

The fake's answers are recorded here, once per module, from the real Bridge on a stored,
analysed session (emotion engine scripted at its boundary), and the live events are the very
scripts the bridge's Pusher would run in the page: the fake cannot drift from what Python sends.
The fake records every call the page makes, so a test can check what the page asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import ROOT, require, require_tool
from window_support import stored_session

from copilot.analysis.states import read_states
from copilot.domain import EmotionReading, RiskFlag, Utterance, utcnow
from copilot.events import (
    EmotionEvent,
    RevisionEvent,
    RiskEvent,
    StateEvent,
    UtteranceEvent,
)
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.window.bridge import Bridge
from copilot.window.start import StartRequest
from copilot.window.support import Pusher

pytestmark = pytest.mark.window

PAGE = (ROOT / "ui" / "index.html").as_uri()
EDITED = "I feel flat most of the time."
ANSWER = "A knot in my stomach, and the wish to make it better at once."
LIVE_ID = "20250102-1000-rk"


class ScriptedLive:
    """Stands where a LiveSession would (the audio engine is not under test here)."""

    def __init__(self, *_: Any) -> None:
        self.state, self.session_id, self.elapsed_s = "idle", LIVE_ID, 0.0

    def record_consent(self, consent: Any) -> None:
        self.consent = consent

    def subscribe(self, _send: Any) -> Any:
        return lambda: None

    def start(self) -> str:
        self.state = "recording"
        return self.session_id

    def stop(self) -> Any:
        self.state = "stopped"


def pushed(events: list[Any]) -> list[str]:
    """The scripts the bridge would run in the page for these events."""
    scripts: list[str] = []
    pusher = Pusher(scripts.append)
    for event in events:
        pusher.send(event)
    pusher.close()
    return scripts


def older_checkins(weeks: int) -> None:
    """Check-ins in earlier weeks, so the trend has a course to draw."""
    from copilot.reflection.checkins import CheckInStore, make_checkin
    from copilot.reflection.instruments import answers_from_list, builtin
    from copilot.reflection.journal import JournalStore

    post = builtin("post")
    with JournalStore() as journal:
        for k, values in enumerate([[2, 4, 2, 4], [3, 3, 3, 3], [4, 2, 4, 2]][:weeks]):
            at = utcnow() - timedelta(weeks=weeks - k)
            CheckInStore(journal).save(make_checkin(post, answers_from_list(post, values), at=at))


def record() -> dict[str, Any]:
    session_id = stored_session()
    other = stored_session("M.B.", "20250103-0900-mb")
    bridge = Bridge(SessionStore(), Settings.load(), session_factory=ScriptedLive)  # type: ignore[arg-type]
    review = bridge.review.session(session_id)
    export = review["export"]
    prompts = bridge.reflection.prompts_for({"session_id": session_id})
    saved = bridge.reflection.save_answers(
        {"session_id": session_id, "answers": {prompts["prompts"][0]["id"]: ANSWER}}
    )
    form = bridge.reflection.checkin_form({"kind": "post"})
    values = dict(zip([i["id"] for i in form["items"]], [4, 2, 5, 1], strict=True))
    older_checkins(3)
    checked_in = bridge.reflection.submit_checkin({"answers": values, "session_id": session_id})
    bridge.preferences.set_reminders(
        True
    )  # the reflected session is no longer due; the other one is
    reminders = [bridge.reflection.reminders()]
    snoozed = bridge.reflection.snooze_reminder({"session_id": other, "minutes": 20})
    reminders.append(bridge.reflection.reminders())
    bridge.preferences.set_reminders(False)
    flag = export["risk_flags"][0]
    info = bridge.app_info()  # before the start: nothing is live yet
    started = bridge.start.start_session(
        {"client_label": "R.K.", "mic": "default", "consent_given_by": "client",
         "consent_method": "verbal", "consent_confirmed": True}
    )  # fmt: skip
    answers: dict[str, Any] = {
        "app_info": info,
        "review_app_info": Bridge(
            SessionStore(), Settings.load(), review_session_id=session_id
        ).app_info(),
        "page_ready": {"ok": True},
        "devices": bridge.start.devices(),
        "stop_meters": {"ok": True},
        "sessions": bridge.review.sessions(),
        "session": review,
        "access_log": bridge.review.access_log(session_id),
        "start_session": started,
        "acknowledge_risk": bridge.live.acknowledge_risk(
            flag["utterance_seq"], flag["category"], session_id
        ),
        "correct_text": bridge.review.correct_text(session_id, 1, EDITED),
        "mark": {  # risk_feedback.mark: a flag not risk, then a sentence missed
            "sequence": [
                bridge.risk_feedback.mark(
                    {
                        "session_id": session_id,
                        "utterance_seq": flag["utterance_seq"],
                        "verdict": "not_risk",
                        "kind": flag["kind"],
                    }
                ),
                bridge.risk_feedback.mark(
                    {"session_id": session_id, "utterance_seq": 5, "verdict": "missed"}
                ),
            ]
        },
        "reminders": {"sequence": reminders},
        "set_reminders": {"enabled": True},
        "supervision": {"history": bridge.supervision.history({"session_id": session_id})},
        "reflection": {
            "prompts_for": prompts,
            "save_answers": saved,
            "checkin_form": form,
            "submit_checkin": checked_in,
            "trend_series": bridge.reflection.trend_series({"weeks": 26}),
            "snooze_reminder": snoozed,
            "dismiss_reminder": {"session_id": other, "closed": True},
        },
    }
    utterances = [Utterance.model_validate(u) for u in export["utterances"]]
    events: list[Any] = [StateEvent(state="recording", session_id=LIVE_ID, elapsed_s=0.0)]
    readings = {r["utterance_seq"]: EmotionReading.model_validate(r) for r in export["emotions"]}
    flags = {f["utterance_seq"]: RiskFlag.model_validate(f) for f in export["risk_flags"]}
    for i, u in enumerate(utterances):
        events.append(UtteranceEvent(utterance=u, speech_end_s=u.end))
        if u.seq in readings:  # "now": the client's turns among the last six, as the live path
            context = utterances[max(0, i - 5) : i + 1]
            recent = [readings[c.seq] for c in context if c.seq in readings]
            events.append(EmotionEvent(reading=readings[u.seq], now=read_states(recent, context)))
        if u.seq in flags:
            events.append(RiskEvent(flag=flags[u.seq].model_copy(update={"acknowledged_at": None})))
    bridge.shutdown()
    for answer in answers.values():
        assert "error" not in answer, answer
    assert all("error" not in a for a in answers["mark"]["sequence"])
    return {
        "answers": answers,
        "scripts": pushed(events),
        "events": events,
        "export": export,
        "values": values,
    }


FAKE_BRIDGE = """
(fixtures) => {
  const answers = fixtures.answers;
  const counts = {};
  const copy = (x) => JSON.parse(JSON.stringify(x));
  window.__calls = [];
  const answer = (name) => {
    const [view, call] = name.includes('.') ? name.split('.') : [null, name];
    let found = answers[call];
    if (call === 'app_info' && fixtures.review) found = answers.review_app_info;
    if (view === 'reflection' && call !== 'reminders') found = answers.reflection[call];
    if (view === 'supervision') found = answers.supervision[call];
    if (found && found.sequence) {
      counts[name] = (counts[name] || 0) + 1;
      found = found.sequence[Math.min(counts[name], found.sequence.length) - 1];
    }
    return found === undefined ? { error: `the fake bridge has no answer for ${name}` } : found;
  };
  // window.pywebview.api.<name> and .<view>.<name>, as pywebview builds them: any path is a
  // function that records its dotted name.
  const node = (path) => new Proxy(function () {}, {
    get: (_, key) => (typeof key !== 'string' || key === 'then' ? undefined
      : node(path ? `${path}.${key}` : key)),
    apply: (_, __, args) => {
      window.__calls.push({ name: path, args: copy(args) });
      return new Promise((resolve) => setTimeout(() => resolve(copy(answer(path))), 5));
    },
    has: () => true,
  });
  const api = node('');
  window.pywebview = { api };
}
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPILOT_HOME", str(tmp_path_factory.mktemp("page-home")))
        return record()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require(False, f"the test extra is not installed: {exc}")
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield found
        found.close()


class Page:
    def __init__(self, page: Any, errors: list[str]):
        self.page, self.errors = page, errors

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def wait(self, script: str, timeout_s: float = 5) -> None:
        self.page.wait_for_function(script, timeout=timeout_s * 1000)

    def text(self, selector: str) -> str:
        return str(self.page.locator(selector).first.text_content())

    def calls(self, name: str) -> list[list[Any]]:
        return [c["args"] for c in self.js("window.__calls") if c["name"] == name]


@pytest.fixture
def open_page(browser: Any, recorded: dict[str, Any]) -> Iterator[Any]:
    contexts: list[Any] = []

    def opening(review: bool = False, width: int = 1180) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        fixtures = {"answers": recorded["answers"], "review": review}
        page.add_init_script(f"({FAKE_BRIDGE})({json.dumps(fixtures)})")
        page.goto(PAGE)
        shown = Page(page, errors)
        shown.wait("window.SC && SC.app.ready")
        return shown

    yield opening
    for context in contexts:
        context.close()


def test_consent_gate_live_events_risk_acknowledgement_and_hide_key(
    open_page: Any, recorded: dict[str, Any]
) -> None:
    page = open_page()
    assert page.js("document.body.dataset.view") == "start"
    page.page.fill("#f-client", "R.K.")
    page.page.check('input[name="source"][value="replay"]')
    page.page.fill("#f-replay", "/tmp/session.wav")
    page.page.click("#btn-start")
    missing = page.text("#start-missing")
    assert "how consent was given" in missing and "the consent confirmation" in missing
    assert page.calls("start.start_session") == [], "nothing may start before consent is recorded"
    page.page.check('input[name="consent_method"][value="verbal"]')
    page.page.check("#f-consent")
    assert page.js("document.querySelector('#f-keep-as').disabled") is True
    page.page.check("#f-keep")
    page.page.select_option("#f-keep-as", "flac")
    page.page.click("#btn-start")
    page.wait("document.body.dataset.view === 'live'")
    (sent,) = page.calls("start.start_session")
    request = StartRequest.model_validate(sent[0])  # what Python accepts
    consent = request.consent()
    assert (consent.method, consent.given_by) == ("verbal", "client")
    assert sent[0]["replay"] == "/tmp/session.wav"
    kept = request.options(Settings.load())
    assert (kept.keep_audio, kept.keep_audio_as) == (True, "flac")  # lossless, as chosen
    assert page.js("document.querySelector('#live-transcript').open") is False

    for script in recorded["scripts"]:
        page.js(script)
    export = recorded["export"]
    utterances = export["utterances"]
    assert page.js("document.querySelectorAll('#live-lines li').length") == len(utterances)
    assert page.text("#utt-count") == str(len(utterances))
    last = [r for r in export["emotions"]][-1]
    said = next(u["text"] for u in utterances if u["seq"] == last["utterance_seq"])
    client = [u["text"] for u in utterances if u["role"] == "client"]
    now = next(e for e in reversed(recorded["events"]) if isinstance(e, EmotionEvent)).now
    assert now is not None
    if now.leading:  # the leading state of the last turns, with its strongest words verbatim
        assert now.leading[0].label in page.text("#now-state")
        assert page.text("#now-words") == f"“{now.leading[0].quotes[0].quote}”"
        assert now.leading[0].quotes[0].quote in client
    else:  # "mixed / unclear", or nothing named; the words are the client's last
        assert page.text("#now-words") == f"“{said}”"
        assert ("mixed / unclear" in page.text("#now-state")) == now.unclear
    assert page.js("document.querySelectorAll('#sparkline line:not(.gridline)').length") == len(
        export["emotions"]
    )
    first = Utterance.model_validate(utterances[0])
    revised = first.model_copy(update={"text": "Read again with more of the voice."})
    for script in pushed([RevisionEvent(utterance=revised, previous_text=first.text)]):
        page.js(script)
    line = f"#live-lines li[data-seq='{first.seq}']"
    page.wait(f"document.querySelector(\"{line}\").classList.contains('revised')")
    assert page.text(f"{line} .text") == revised.text  # in place: no line added
    assert page.js("document.querySelectorAll('#live-lines li').length") == len(utterances)
    flag = export["risk_flags"][0]
    alert = "#alerts .alert"
    assert page.js(f"document.querySelectorAll('{alert}').length") == 1
    assert flag["quote"] in page.text(f"{alert} blockquote")
    page.page.wait_for_timeout(300)  # an alert stays until it is acknowledged
    assert page.js(f"!!document.querySelector('{alert}:not(.done)')")
    page.page.click(f"{alert} button")
    page.wait(f"document.querySelector('{alert}.done')")
    assert page.calls("live.acknowledge_risk") == [
        [flag["utterance_seq"], flag["category"], LIVE_ID]
    ]
    assert "Acknowledged" in page.text(alert)

    page.page.keyboard.press("F8")
    hidden = "getComputedStyle(document.querySelector('main')).visibility"
    assert page.js(hidden) == "hidden" and page.js("!document.querySelector('#cover').hidden")
    page.page.keyboard.press("F8")
    assert page.js(hidden) == "visible"
    assert page.errors == []


def test_review_summary_arc_jump_edit_and_reflection(
    open_page: Any, recorded: dict[str, Any]
) -> None:
    page = open_page(review=True)
    page.wait("document.body.dataset.view === 'review'")
    export = recorded["export"]
    summary = export["summary"]
    observations = page.js(
        "Array.from(document.querySelector('#rv-summary .body > ul').children,"
        " li => li.textContent)"
    )
    assert observations == summary["observations"] and observations
    arc = summary["arc"]
    assert page.js("document.querySelectorAll('#arc-chart .col-hit').length") == len(arc)
    page.page.locator("#arc-chart .col-hit").nth(len(arc) - 1).click()
    expected = [u["seq"] for u in export["utterances"] if u["start"] <= arc[-1]["start"] + 0.05]
    assert page.js("document.activeElement.dataset.seq") == str(expected[-1])

    line = '#rv-lines li[data-seq="1"]'
    page.page.click(f"{line} .edit")
    page.page.fill(f"{line} textarea", EDITED)
    page.page.click(f"{line} .editor .primary")
    page.wait(f"document.querySelector('{line} .orig')")
    assert page.calls("review.correct_text") == [[export["session"]["id"], 1, EDITED]]
    assert page.text(f"{line} .text") == EDITED
    original = export["utterances"][1]["text"]
    assert f"recognised as: “{original}”" in page.text(f"{line} .orig")

    page.page.click("#rv-reflect")
    page.wait("document.querySelectorAll('#rv-reflection .prompt').length > 0")
    prompts = recorded["answers"]["reflection"]["prompts_for"]
    shown = page.js(
        "Array.from(document.querySelectorAll('#rv-reflection .prompt'), p =>"
        " [p.querySelector('blockquote').textContent, p.querySelector('.prompt-head .link')"
        ".textContent, p.querySelector('label').textContent])"
    )
    assert shown == [[f"“{p['quote']}”", p["time"], p["question"]] for p in prompts["prompts"]]
    assert page.text("#rv-reflection .private") == prompts["private"]
    kinds = page.js(
        "Array.from(document.querySelector('#rv-reflection .body').childNodes,"
        " n => n.nodeType === 1 ? n.className : 'text:' + n.textContent)"
    )
    assert kinds == ["private", *["prompt"] * len(prompts["prompts"]), "row", "hint"]
    target = prompts["prompts"][1]
    page.page.locator("#rv-reflection .prompt-head .link").nth(1).click()
    jumped = page.js("Number(document.activeElement.dataset.start)")
    assert jumped <= target["start"] + 0.05 and page.js("document.activeElement.tagName") == "LI"

    first = prompts["prompts"][0]["id"]
    page.page.fill(f'textarea[data-prompt="{first}"]', ANSWER)
    page.page.click("#rv-reflection .primary")
    page.wait("document.querySelector('#rv-reflection [role=status]').textContent")
    saved = page.calls("reflection.save_answers")[-1]
    assert saved == [
        {
            "session_id": export["session"]["id"],
            "answers": [{"prompt_id": first, "answer": ANSWER}],
        },
    ]
    assert page.text("#rv-reflection [role=status]") == "One answer saved to your private journal."

    page.page.click("#rv-access summary")
    page.wait("document.querySelectorAll('#rv-access li').length > 0")
    assert page.calls("review.access_log") == [[export["session"]["id"]]]
    logged = recorded["answers"]["access_log"]["entries"]
    shown = page.js("Array.from(document.querySelectorAll('#rv-access li'), li => li.textContent)")
    assert len(shown) == len(logged) == 1
    assert " · opened · window" in shown[0] and logged[0]["account"] in shown[0]
    assert page.errors == []


def test_review_marks_a_flag_not_risk_and_a_sentence_missed(
    open_page: Any, recorded: dict[str, Any]
) -> None:
    page = open_page(review=True)
    page.wait("document.body.dataset.view === 'review'")
    export = recorded["export"]
    session_id = export["session"]["id"]
    flag = export["risk_flags"][0]
    row = f'#rv-risk .flag[data-seq="{flag["utterance_seq"]}"]'
    why = page.text(f"{row} details.why")
    assert (f"rule {flag['rule']}" in why) if flag["rule"] else ("close in meaning" in why)
    for exemplar in flag["exemplars"]:
        assert exemplar["text"] in why
    page.page.click(f"{row} button.feedback")
    page.wait(f"document.querySelector('{row} .acked')")
    assert "Marked not risk" in page.text(f"{row} .row")
    line = '#rv-lines li[data-seq="5"]'
    assert page.js(f"document.querySelector('{line} .chip.risk')") is None
    page.page.click(f"{line} button.feedback")
    page.wait(f"!document.querySelector('{line} button.feedback')")
    assert page.calls("risk_feedback.mark") == [
        [
            {
                "session_id": session_id,
                "utterance_seq": flag["utterance_seq"],
                "verdict": "not_risk",
                "kind": flag["kind"],
            }
        ],
        [{"session_id": session_id, "utterance_seq": 5, "verdict": "missed", "kind": None}],
    ]
    assert page.errors == []


def test_checkin_by_keyboard_shows_the_scores_and_gentle_suggestions(
    open_page: Any, recorded: dict[str, Any]
) -> None:
    page = open_page(review=True, width=380)
    page.wait("document.body.dataset.view === 'review'")
    page.page.click("#rv-checkin")
    page.wait("document.querySelectorAll('#ci-items fieldset.item').length === 4")
    form = recorded["answers"]["reflection"]["checkin_form"]
    assert page.text("#ci-for") == "About your session with R.K."
    assert page.text("#ci-load") == form["load_text"]
    assert page.text("#ci-note") == form["note"]
    assert page.js("document.activeElement.dataset.item") == form["items"][0]["id"]

    page.page.click("#ci-save")  # nothing answered: it says which, and sends nothing
    assert page.text("#ci-missing") == "Item 1 is not answered yet."
    assert page.calls("reflection.submit_checkin") == []
    for key in "4251":
        page.page.keyboard.press(key)
    assert page.js("document.activeElement.id") == "ci-save"
    assert page.text("#ci-missing") == "4 of 4 answered."
    page.page.keyboard.press("Control+Enter")
    page.wait("!document.querySelector('#ci-result').hidden")
    submitted = page.calls("reflection.submit_checkin")
    assert submitted == [
        [{"answers": recorded["values"], "kind": "post",
                            "instrument_path": None, "session_id": export_id(recorded)}],
    ]  # fmt: skip
    result = recorded["answers"]["reflection"]["submit_checkin"]
    (score,) = result["scores"]
    row = f'#ci-result .score[data-scale="{score["scale"]}"]'
    assert page.text(f"{row} .value") == "4.5" and page.text(f"{row} .band") == score["band"]
    assert page.js(f"document.querySelector('{row}').classList.contains('attention')")
    assert page.js(f"document.querySelector('{row} .marker').style.left") == "87.5%"
    gentle = page.text("#ci-result .gentle")
    assert all(line in gentle for line in result["suggestions"]) and "supervisor" in gentle
    overflow = page.js("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the check-in scrolls sideways at 380 px"
    assert page.errors == []


def export_id(recorded: dict[str, Any]) -> str:
    return str(recorded["export"]["session"]["id"])


def test_trend_view_draws_each_scale_with_its_numbers(
    open_page: Any, recorded: dict[str, Any]
) -> None:
    page = open_page()
    page.page.keyboard.press("Alt+c")
    page.wait("document.body.dataset.view === 'checkin'")
    page.page.keyboard.press("Alt+w")
    page.wait("document.querySelectorAll('#tr-series .trend').length > 0")
    trend = recorded["answers"]["reflection"]["trend_series"]
    series = trend["series"]
    assert page.js("document.querySelectorAll('#tr-series .trend').length") == len(series)
    for t in series:
        card = f'#tr-series .trend[data-scale="{t["scale"]}"]'
        assert page.text(f"{card} h2") == t["name"]
        assert page.js(f"document.querySelectorAll('{card} .trend-dot').length") == len(t["points"])
        means = page.js(
            f"Array.from(document.querySelectorAll('{card} tbody tr td:nth-child(2)'),"
            " td => Number(td.textContent))"
        )
        assert means == [round(p["mean"], 2) for p in t["points"]]
        attention = any(b["attention"] for b in t["bands"])
        assert page.js(f"!!document.querySelector('{card} .band-attention')") is attention
    assert len(series[0]["points"]) >= 2, "the recorded trend spans weeks"
    assert all(line in page.text("#tr-suggest") for line in trend["suggestions"])
    assert page.errors == []


def test_reminder_waits_quietly_and_snoozes(open_page: Any, recorded: dict[str, Any]) -> None:
    page = open_page()
    page.wait("!document.querySelector('#reminders').hidden")
    due = recorded["answers"]["reminders"]["sequence"][0]["reminders"]
    assert due, "the recorded reminders hold one due"
    assert f"Your session with {due[0]['client_label']}" in page.text("#reminders")
    assert page.js("document.querySelector('#reminders').getAttribute('role')") == "status"
    page.page.click("#reminders button:text('Later')")
    page.wait("document.querySelector('#reminders').hidden")
    snoozes = page.calls("reflection.snooze_reminder")
    assert snoozes == [[{"session_id": due[0]["session_id"], "minutes": 20}]]
    assert page.js("document.body.dataset.view") == "start", "a reminder never takes the view"
    assert page.errors == []
