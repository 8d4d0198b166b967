"""The therapist's marks on the risk detector: stored, listed, exported, and never sent."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from window_support import stored_session

from copilot.analysis.claude_preview import preview_requests
from copilot.analysis.risk.feedback import MarkRequest, make_mark
from copilot.analysis.run import build_export
from copilot.cli import main
from copilot.domain import RiskFlag
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.migrations import MIGRATIONS, m005_risk_feedback, migrate, version
from copilot.storage.risk_feedback import RiskFeedbackStore
from copilot.window.bridge import Bridge

NOTE = "a film plot she was retelling, zebra-41"


def request(session_id: str, seq: int, verdict: str, **fields: str) -> MarkRequest:
    return MarkRequest.model_validate(
        {"session_id": session_id, "utterance_seq": seq, "verdict": verdict, **fields}
    )


def _flagged_seq(store: SessionStore, session_id: str) -> int:
    return store.analyses.latest_list(session_id, "risk_flags", RiskFlag)[0].utterance_seq


def test_from_the_previous_schema_old_flags_load_and_marks_can_be_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    migrate(raw, target=MIGRATIONS.index(m005_risk_feedback))
    raw.execute(
        "INSERT INTO sessions (id, client_label, created_at, source, status) "
        "VALUES ('s1', 'A.', '2026-01-01T00:00:00+00:00', 'file', 'complete')"
    )
    raw.execute(
        'INSERT INTO utterances (session_id, seq, role, start, "end", text) '
        "VALUES ('s1', 0, 'client', 0.0, 2.0, 'I just want it all to end.')"
    )
    old_flag = {  # as the rules alone stored it, before kinds and layers
        "utterance_seq": 0, "role": "client", "start": 0.0, "end": 2.0,
        "category": "suicidal_ideation", "severity": "moderate",
        "quote": "I just want it all to end.", "rule": "imagery",
        "negated": False, "reported_speech": False, "acknowledged_at": None,
    }  # fmt: skip
    raw.execute(
        "INSERT INTO analyses (session_id, kind, engine, created_at, payload) "
        "VALUES ('s1', 'risk_flags', 'local-risk-rules', '2026-01-01T00:00:00+00:00', ?)",
        (json.dumps([old_flag]),),
    )
    raw.close()
    store = SessionStore(path=path)
    assert version(store.db) == len(MIGRATIONS)
    (flag,) = store.analyses.latest_list("s1", "risk_flags", RiskFlag)
    assert (flag.kind, flag.layer, flag.rule, flag.past) == (None, "rules", "imagery", False)
    marks = RiskFeedbackStore(store)
    marks.mark(make_mark(store, request("s1", 0, "not_risk", note="song lyric")))
    assert [(m.verdict, m.rule, m.kind) for m in marks.marks("s1")] == [
        ("not_risk", "imagery", None)
    ]


def test_marks_are_stored_replaced_removed_and_go_with_their_session() -> None:
    session_id = stored_session()
    store = SessionStore()
    marks = RiskFeedbackStore(store)
    seq = _flagged_seq(store, session_id)
    marks.mark(make_mark(store, request(session_id, seq, "not_risk", note="first")))
    marks.mark(make_mark(store, request(session_id, seq, "not_risk", note=NOTE)))
    marks.mark(make_mark(store, request(session_id, 7, "missed", kind="passive_wish")))
    found = marks.marks(session_id)
    assert [(m.utterance_seq, m.verdict, m.note) for m in found] == [
        (seq, "not_risk", NOTE),
        (7, "missed", ""),
    ]
    assert found[0].layer in ("rules", "learned", "both") and found[0].kind is not None
    assert found[1].category == "suicidal_ideation"
    assert marks.unmark(session_id, 7, "missed", "passive_wish")
    assert not marks.unmark(session_id, 7, "missed", "passive_wish")
    store.delete(session_id)
    assert marks.marks() == []


def test_not_risk_needs_a_flag_on_that_sentence() -> None:
    session_id = stored_session()
    store = SessionStore()
    with pytest.raises(Exception, match="no flag to mark as not risk"):
        make_mark(store, request(session_id, 0, "not_risk"))


def test_cli_marks_lists_and_exports_only_what_the_therapist_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = stored_session()
    store = SessionStore()
    seq = _flagged_seq(store, session_id)
    store.close()
    assert main(["risk-feedback", "mark", session_id, str(seq), "not-risk", "--note", NOTE]) == 0
    assert main(["risk-feedback", "mark", session_id, "5", "missed"]) == 0
    assert main(["risk-feedback", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{session_id}\t{seq}\tnot_risk" in listed and f"{session_id}\t5\tmissed" in listed
    out = tmp_path / "marks.json"
    assert main(["risk-feedback", "export", str(out)]) == 0
    assert "nothing was sent" in capsys.readouterr().out
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "session-copilot-risk-feedback/1"
    assert [m["verdict"] for m in document["marks"]] == ["not_risk", "missed"]
    assert document["marks"][0]["note"] == NOTE
    text = out.read_text(encoding="utf-8")
    assert session_id not in text and "R.K." not in text  # no session id, no client label


def test_cli_bad_marks_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    session_id = stored_session()
    assert main(["risk-feedback", "mark", session_id, "99", "missed"]) == 2
    assert main(["risk-feedback", "unmark", session_id, "3", "missed"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"session-copilot: error: no utterance 99 in session '{session_id}'",
        "session-copilot: error: no such mark on utterance 3",
    ]


def test_the_window_marks_and_exports_through_its_own_view(copilot_home: Path) -> None:
    session_id = stored_session()
    bridge = Bridge(SessionStore(), Settings.load())
    flag = bridge.review.session(session_id)["export"]["risk_flags"][0]
    feedback = bridge.risk_feedback
    seq = flag["utterance_seq"]
    answer = feedback.mark({"session_id": session_id, "utterance_seq": seq, "verdict": "not_risk"})
    assert answer["mark"]["quote"] == flag["quote"]
    missed = {"session_id": session_id, "utterance_seq": 1, "verdict": "missed"}
    assert feedback.mark(missed)["mark"]["verdict"] == "missed"
    assert len(feedback.marks(session_id)["marks"]) == 2
    written = feedback.export()
    assert written["marks"] == 2 and Path(written["path"]).parent == copilot_home / "exports"
    bad_verdict = feedback.mark({**missed, "verdict": "x"})["error"]
    assert bad_verdict.startswith("verdict:") and "'not_risk' or 'missed'" in bad_verdict
    assert feedback.mark({**missed, "kind": "sad"})["error"].startswith("kind:")
    assert feedback.unmark(missed) == {"removed": True}
    assert feedback.unmark(missed) == {"removed": False}
    bridge.shutdown()


def test_marks_are_absent_from_what_claude_would_be_sent() -> None:
    session_id = stored_session()
    store = SessionStore()
    marks = RiskFeedbackStore(store)
    marks.mark(
        make_mark(
            store, request(session_id, _flagged_seq(store, session_id), "not_risk", note=NOTE)
        )
    )
    bodies = preview_requests(build_export(store, session_id), Settings(), [])
    sent = json.dumps(bodies)
    assert bodies and NOTE not in sent and "not_risk" not in sent
