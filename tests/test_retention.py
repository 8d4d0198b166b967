"""Retention deletes exactly what its preview listed; delete, retention and delete-all really
delete; export-all writes everything, privately."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from copilot.analysis.metrics import compute
from copilot.cli import main
from copilot.domain import Note, Provenance, Session, Utterance, utcnow
from copilot.protection import retention
from copilot.protection.erase import erase
from copilot.report import write_atomic
from copilot.settings import Retention, Settings, report_file
from copilot.storage import SessionStore
from copilot.storage.retention import holdings

SECRET = "the blue heron kept my father's letters"


def _session(store: SessionStore, sid: str, client: str, days_old: int, audio: Path) -> None:
    created = utcnow() - timedelta(days=days_old)
    store.create(Session(id=sid, client_label=client, created_at=created, status="complete"))
    words = [Utterance(seq=0, role="client", start=0.0, end=2.0, text=f"{SECRET} ({sid})")]
    store.transcript.append(sid, words)
    store.marks.add_note(sid, Note(at=1.0, text="note"))
    store.analyses.save_analysis(sid, "metrics", Provenance(engine="t"), compute(words, 2.0))
    audio.write_bytes(SECRET.encode() * 10)
    store.update(sid, audio_path=str(audio))
    write_atomic(report_file(sid), f"<p>{SECRET}</p>")


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    store = SessionStore()
    for sid, client, age in (("s-old-a", "A.", 100), ("s-old-b", "B.", 100), ("s-new-a", "A.", 3)):
        _session(store, sid, client, age, tmp_path / f"{sid}.ogg")
    return store


def _inventory(store: SessionStore) -> set[tuple[str, str]]:
    have = set()
    for h in holdings(store):
        have |= {(h.session_id, "session")}
        have |= {(h.session_id, "transcript")} if h.utterances else set()
        have |= {(h.session_id, "analyses")} if h.analyses else set()
        have |= {(h.session_id, "audio")} if h.audio_path and Path(h.audio_path).exists() else set()
        have |= {(h.session_id, "report")} if report_file(h.session_id).exists() else set()
    return have


def test_apply_removes_exactly_what_the_preview_listed(store: SessionStore) -> None:
    settings = Settings(
        retention=Retention(audio=30, reports=60, transcripts=90),
        retention_by_client={"B.": Retention(transcripts="forever", analyses=90)},
    )
    due = retention.plan(store, settings)
    listed = {(e.session_id, e.kind) for e in due}
    old_a = {("s-old-a", k) for k in ("audio", "report", "transcript")}
    old_b = {("s-old-b", k) for k in ("audio", "report", "analyses")}  # B.: words kept forever
    assert listed == old_a | old_b
    before = _inventory(store)
    assert retention.apply(store, due, "cli") == len(due)
    assert before - _inventory(store) == listed
    assert retention.plan(store, settings) == []  # nothing left due: the next run lists nothing
    assert store.marks.notes("s-old-a") == [] and store.marks.notes("s-new-a") != []


def test_both_words_and_analyses_due_take_the_whole_session(store: SessionStore) -> None:
    settings = Settings(retention=Retention(transcripts=30, analyses=30))
    due = retention.plan(store, settings)
    assert {(e.session_id, e.kind) for e in due} == {("s-old-a", "session"), ("s-old-b", "session")}
    retention.apply(store, due, "cli")
    assert {h.session_id for h in holdings(store)} == {"s-new-a"}
    assert not report_file("s-old-a").exists()


def test_cli_preview_then_apply_print_the_same_items(
    store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store.close()
    assert main(["retention", "--keep", "audio=7", "reports=forever"]) == 0
    assert main(["retention", "--keep", "audio=forever", "--client", "B."]) == 0
    capsys.readouterr()
    assert main(["retention", "--preview"]) == 0
    preview = capsys.readouterr().out.splitlines()
    assert preview[0] == "1 item(s) due now:" and "s-old-a" in preview[1] and "audio" in preview[1]
    assert main(["retention", "--apply"]) == 0
    applied = capsys.readouterr().out.splitlines()
    assert applied[1:] == preview[1:]
    assert main(["retention"]) == 0
    assert capsys.readouterr().out.strip() == "0 item(s) due now"


def test_a_bad_rule_is_one_line_and_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retention", "--keep", "audio=soon"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "KIND=DAYS" in err[0]
    assert Settings.load().retention == Retention()


def test_retention_runs_at_every_start(
    store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    Settings(retention=Retention(audio=30)).save()
    store.close()
    assert main(["sessions"]) == 0
    assert "retention removed 2 item(s)" in capsys.readouterr().err
    reopened = SessionStore()
    assert [h.audio_path for h in holdings(reopened)] == [
        None,
        None,
        reopened.audio_path("s-new-a"),
    ]


def test_delete_leaves_no_words_in_any_file_of_the_home(
    store: SessionStore, copilot_home: Path, tmp_path: Path
) -> None:
    audio = Path(store.audio_path("s-old-a") or "")
    witness = tmp_path / "witness"
    os.link(audio, witness)  # a second name for the same blocks shows they were overwritten
    store.close()
    for sid in ("s-old-a", "s-old-b", "s-new-a"):
        assert main(["delete", sid]) == 0
    for path in copilot_home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert not audio.exists()
    assert witness.read_bytes() == bytes(len(SECRET) * 10)


def test_erase_overwrites_before_removing(tmp_path: Path) -> None:
    target, witness = tmp_path / "a", tmp_path / "b"
    target.write_bytes(b"words" * 1000)
    os.link(target, witness)
    assert erase(target) and not target.exists()
    assert witness.read_bytes() == bytes(5000)
    assert not erase(target)


def test_export_all_writes_every_session_and_the_journal_privately(
    store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.close()
    out = tmp_path / "leaving"
    assert main(["export-all", str(out)]) == 0
    names = sorted(p.name for p in (out / "sessions").iterdir())
    assert names == sorted(
        f"{s}.{x}" for s in ("s-old-a", "s-old-b", "s-new-a") for x in ("html", "json")
    )
    exported = json.loads((out / "sessions" / "s-old-b.json").read_text())
    assert SECRET in exported["utterances"][0]["text"]
    assert json.loads((out / "journal.json").read_text()) == {"entries": [], "checkins": []}
    assert {oct(p.stat().st_mode & 0o777) for p in out.rglob("*") if p.is_file()} == {"0o600"}
    capsys.readouterr()
    assert main(["export-all", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_delete_all_needs_a_yes_and_then_leaves_nothing(
    store: SessionStore, copilot_home: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    store.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["delete-all"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert len(holdings(SessionStore())) == 3
    assert main(["delete-all", "--yes"]) == 0
    assert "erased" in capsys.readouterr().out
    assert not copilot_home.exists()


def test_the_window_runs_retention_daily() -> None:
    ran = threading.Event()
    daily = retention.Daily(ran.set, every_s=0.01)
    daily.start()
    assert ran.wait(timeout=10)
    daily.stop()
