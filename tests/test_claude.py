"""The Claude session analyser against a fake Messages API on 127.0.0.1: the real SDK, the real
HTTP wire format, recorded example responses. Nothing here reaches the network."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from claude_support import (
    KEY,
    ORIGINALS,
    fast_settings,
    sent_text,
    serve,
    store_session,
    with_local,
)
from fake_messages_api import FakeMessagesAPI, Reply, transcript_answer, transcript_lines

from copilot import egress
from copilot.analysis.claude_client import api_key
from copilot.analysis.claude_merge import Verifier
from copilot.analysis.claude_plan import Quote
from copilot.analysis.claude_preview import preview_requests
from copilot.analysis.redaction import Redaction
from copilot.analysis.run import build_export, summarise
from copilot.domain import SessionSummary
from copilot.errors import AnalyserError
from copilot.storage import SessionStore


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    yield from serve(monkeypatch)


@pytest.fixture
def store() -> Iterator[SessionStore]:
    s = SessionStore()
    yield s
    s.close()


def _summary(store: SessionStore, session_id: str) -> SessionSummary | None:
    return store.analyses.latest_as(session_id, "summary", SessionSummary)


def test_local_analyser_sends_nothing(api: FakeMessagesAPI, store: SessionStore) -> None:
    session_id = store_session(store, personal=True)
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "local", ["Anna"], fast_settings(session_analyser="local"))
    assert result.notices == []
    assert api.received == []
    assert egress.list_entries(store) == []


def test_claude_summary_is_verified_and_logged(api: FakeMessagesAPI, store: SessionStore) -> None:
    session_id = store_session(store)
    api.script(Reply.recorded("demo_answer.json"))
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "claude", [], fast_settings())
    assert result.notices == []
    summary = _summary(store, session_id)
    assert summary is not None and summary.provenance.engine == "claude"
    assert summary.provenance.prompt_name == "session_summary"
    # The recorded answer has one quote that is not in the transcript: dropped and counted.
    assert summary.dropped_quotes == 1
    burden = next(t for t in summary.themes if t.name == "feeling a burden")
    assert [e.quote for e in burden.evidence] == ["I feel like a burden to all of them"]
    texts = {u.seq: u.text for u in store.transcript.utterances(session_id)}
    quotes = [e for t in summary.themes for e in t.evidence]
    quotes += (
        summary.expressed_needs + summary.possibly_unsaid + [c.evidence for c in summary.alliance]
    )
    assert len(quotes) == 10
    for e in quotes:
        assert e.utterance_seq is not None and e.quote in texts[e.utterance_seq]
    assert [s.label for s in summary.dominant_states][:2] == ["low mood", "guilt"]
    assert summary.narrative and summary.narrative.startswith("The client opened")
    # The local analyser's measurements stay underneath Claude's reading.
    local = store.analyses.latest_analysis(session_id, "summary", engine="local")
    assert len(summary.arc) == len(local["arc"])
    [entry] = egress.list_entries(store, session_id)
    assert entry.status == "ok" and entry.model == "claude-sonnet-5-5"
    assert (entry.input_tokens, entry.output_tokens) == (2417, 1096)
    assert entry.cache_write_tokens == 1391 and entry.cost_usd > 0
    assert entry.destination == f"{api.url}/v1/messages"
    assert entry.prompt_digest == summary.provenance.prompt_digest


def _quote_every_client_line(body: dict[str, Any]) -> str:
    answer = json.loads(transcript_answer(body))
    lines = [ln for ln in transcript_lines(body) if ln[1] == "Client"]
    evidence = [{"quote": words, "at": at} for at, _, words in lines]
    answer["themes"] = [{"name": "everything the client said", "evidence": evidence}]
    return json.dumps(answer)


def test_payload_is_redacted_and_restored_locally(
    api: FakeMessagesAPI, store: SessionStore
) -> None:
    api.responder = _quote_every_client_line
    session_id = store_session(store, personal=True)
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "claude", ["Anna", "Tom Price"], fast_settings())
    assert result.notices == []
    sent = sent_text(api)
    for original in ORIGINALS:
        assert original.lower() not in sent.lower(), original
    for placeholder in ("[CLIENT_1]", "[NAME_1]", "[EMAIL_1]", "[PHONE_1]", "[ADDRESS_1]"):
        assert placeholder in sent
    assert "[DATE_1]" in sent and "[ID_1]" in sent
    # Claude quoted the redacted lines; what is stored and shown locally has the originals back.
    summary = _summary(store, session_id)
    assert summary is not None and summary.dropped_quotes == 0
    quotes = {e.quote for e in summary.themes[0].evidence}
    texts = [u.text for u in store.transcript.utterances(session_id) if u.role == "client"]
    assert quotes == {t.rstrip(".?!") for t in texts}  # edge punctuation is not evidence
    assert "[NAME_" not in summary.model_dump_json()


def test_preview_is_exactly_what_is_sent(api: FakeMessagesAPI, store: SessionStore) -> None:
    session_id = store_session(store, personal=True)
    settings = fast_settings()
    export = build_export(store, session_id)
    bodies = preview_requests(export, settings, ["Anna", "Tom Price"])
    assert api.received == [] and egress.list_entries(store) == []
    result = with_local(store, session_id, settings)
    summarise(store, result, "claude", ["Anna", "Tom Price"], settings)
    assert [r.body for r in api.received] == bodies
    [entry] = egress.list_entries(store, session_id)
    assert entry.payload_sha256 == egress.payload_digest(bodies[0])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FAILURES = {
    "bad key": (None, "the API key was refused (401)", "http_error"),
    "rate limit": (
        Reply.recorded("error_429.json", 429),
        "rate limit was reached (429)",
        "http_error",
    ),
    "overloaded": (Reply.recorded("error_529.json", 529), "overloaded (529)", "http_error"),
    "timeout": (Reply(stall_s=3.0), "within 0.4 s (timeout)", "timeout"),
    "no network": (None, "could not reach the Claude API", "connection_error"),
    "invalid": (Reply.recorded("malformed_answer.json"), "expected structure", "invalid"),
    "truncated": (
        Reply.recorded("truncated_answer.json"),
        "cut off at the output limit",
        "truncated",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failure_keeps_the_local_summary(
    case: str, api: FakeMessagesAPI, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply, why, status = FAILURES[case]
    if reply is not None:
        api.script(reply)
    if case == "bad key":
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-revoked")
    if case == "no network":
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    session_id = store_session(store)
    settings = fast_settings(claude_timeout_s=0.4)
    result = with_local(store, session_id, settings)
    local = result.export.summary
    summarise(store, result, "claude", [], settings)
    [notice] = result.notices
    assert notice.startswith("claude summary did not arrive: ") and why in notice
    assert "\n" not in notice
    assert result.export.summary == local
    stored = _summary(store, session_id)
    assert stored is not None and stored.provenance.engine == "local"
    [entry] = egress.list_entries(store, session_id)
    assert entry.status == status
    if status == "http_error":
        assert "(request req_" in (entry.error or "")


def test_no_key_sends_nothing(
    api: FakeMessagesAPI, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    session_id = store_session(store)
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "claude", [], fast_settings())
    assert result.notices == [
        "claude summary did not arrive: no Claude API key: set ANTHROPIC_API_KEY, or store one "
        "with `keyring set session-copilot anthropic`"
    ]
    assert api.received == [] and egress.list_entries(store) == []
    assert _summary(store, session_id) == result.export.summary


def test_the_sdk_retries_an_overload_and_logs_each_attempt(
    api: FakeMessagesAPI, store: SessionStore
) -> None:
    api.script(Reply.recorded("error_529.json", 529, **{"retry-after-ms": "10"}))
    session_id = store_session(store)
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "claude", [], fast_settings(claude_max_retries=1))
    assert result.notices == []
    assert len(api.received) == 2
    assert api.received[1].headers["x-stainless-retry-count"] == "1"
    newest, first = egress.list_entries(store, session_id)
    assert first.status == "http_error" and "overloaded_error" in (first.error or "")
    assert newest.status == "ok" and newest.output_tokens > 0
    assert first.payload_sha256 == newest.payload_sha256


def test_long_session_in_windows_with_the_prefix_cached(
    api: FakeMessagesAPI, store: SessionStore
) -> None:
    session_id = store_session(store)
    settings = fast_settings(claude_window_tokens=600)
    result = with_local(store, session_id, settings)
    summarise(store, result, "claude", [], settings)
    assert result.notices == []
    assert len(api.received) >= 3
    systems = [r.body["system"] for r in api.received]
    assert all(s == systems[0] for s in systems)
    assert systems[0][-1]["cache_control"] == {"type": "ephemeral"}
    entries = sorted(egress.list_entries(store, session_id), key=lambda e: e.id or 0)
    assert entries[0].cache_write_tokens > 0 and entries[0].cache_read_tokens == 0
    assert all(e.cache_read_tokens == entries[0].cache_write_tokens for e in entries[1:])
    summary = _summary(store, session_id)
    assert summary is not None and summary.narrative
    assert summary.narrative.count("\n") == len(api.received) - 1  # one line per window
    starts = [m.start for m in summary.key_moments]
    assert starts == sorted(starts)
    # Each window's transcript covers its own stretch of time, in order, without overlap.
    firsts = [r.body["messages"][0]["content"][0]["text"].split("\n")[0] for r in api.received]
    assert firsts[0].startswith("Session transcript, part 1 of ")


def test_a_fabricated_quote_is_dropped_and_counted(
    api: FakeMessagesAPI, store: SessionStore
) -> None:
    api.responder = lambda body: transcript_answer(body, fabricate=True)
    session_id = store_session(store)
    result = with_local(store, session_id, fast_settings())
    summarise(store, result, "claude", [], fast_settings())
    summary = _summary(store, session_id)
    assert summary is not None and summary.dropped_quotes == 1
    assert "brother" not in summary.model_dump_json()


def test_verifier_matches_words_not_tidied_text(store: SessionStore) -> None:
    session_id = store_session(store)
    check = Verifier(store.transcript.utterances(session_id), Redaction())
    found = check.evidence(Quote(quote="“I can’t sleep.”", at="00:36"))
    assert found is not None and found.quote == "I can't sleep"
    assert check.evidence(Quote(quote="I cannot sleep", at="00:36")) is None
    joined = Quote(quote="the morning. It is. Then I am so tired", at="00:36")
    assert check.evidence(joined) is None  # words from two lines are not one quote
    therapist_words = Quote(quote="Tell me more about what happens at work", at="00:52")
    assert check.evidence(therapist_words, client_only=True) is None
    assert check.dropped == 3


def test_key_from_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        values: ClassVar[dict[tuple[str, str], str]] = {
            ("session-copilot", "anthropic"): "sk-from-keyring"
        }

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        assert api_key() == "sk-from-keyring"
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        assert api_key() == KEY  # the environment wins
    finally:
        keyring.set_keyring(previous)


def _reword_each(body: dict[str, Any]) -> str:
    text = body["messages"][0]["content"][0]["text"]
    items = json.loads(text[text.index("[") :])
    return json.dumps(
        {
            "rewordings": [
                {"id": i["id"], "question": f"Looking back at {i['time']}, what stirred in you?"}
                for i in items
            ]
            + [{"id": "not-asked-for", "question": "What did the client feel?"}]
        }
    )


def test_reflection_prompts_are_reworded_through_the_contract(
    api: FakeMessagesAPI, store: SessionStore
) -> None:
    from copilot.domain import ReflectionPrompt
    from copilot.reflection.wording import claude_wording

    api.responder = _reword_each
    session_id = store_session(store)
    local = ReflectionPrompt(
        id="p1", session_id=session_id, aspect="felt", start=161.0, utterance_seq=29,
        speaker="client", quote="Sometimes I think everyone would be better off without me.",
        question="When Rebecca said this, what did you notice in yourself?",
    )  # fmt: skip
    hook, notice = claude_wording(fast_settings(session_analyser="claude"), store, session_id)
    assert hook is not None and notice is None
    [worded] = hook([local])
    assert worded.question == "Looking back at 2:41, what stirred in you?"
    assert "Rebecca" not in sent_text(api) and "[CLIENT_1]" in sent_text(api)
    [entry] = egress.list_entries(store, session_id)
    assert entry.prompt_name == "reflection_wording" and entry.status == "ok"
    # A failure is one line for the caller, which keeps the local wording.
    api.script(Reply.recorded("error_401.json", 401))
    with pytest.raises(AnalyserError, match=r"refused \(401\)"):
        hook([local])
