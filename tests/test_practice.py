"""Practice: pauses, feedback, private storage, progress, and the terminal flow."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from window_support import stored_session

from copilot.analysis.behaviour import default_coder
from copilot.analysis.run import build_export
from copilot.audio.files import probe
from copilot.domain import Session
from copilot.practice import flow, progress
from copilot.practice.examples import example_reflection, key_phrase, second_person
from copilot.practice.material import PRACTICE
from copilot.practice.models import PracticeRun
from copilot.practice.view import PracticeView
from copilot.report import render
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.db import connect
from copilot.storage.migrations import MIGRATIONS, m006_practice, migrate, version
from copilot.storage.practice import PracticeNotFound, PracticeStore
from copilot.supervision.bundle import ShareRequest, build_bundle, bundle_bytes

REPLY = "It sounds like the evenings have become the loneliest part of your day, zebra-marker."


@pytest.fixture
def session_id() -> str:
    return stored_session()


def test_pauses_at_key_moments_and_chosen_client_turns(session_id: str) -> None:
    export = build_export(SessionStore(), session_id)
    assert export.summary is not None
    clients = {u.seq for u in export.utterances if u.role == "client"}
    moments = {m.utterance_seq for m in export.summary.key_moments} & clients
    assert moments, "the summary has key moments on client turns"
    assert flow.pause_points(export) == sorted(moments)
    extra = min(clients - moments) if clients - moments else min(clients)
    assert flow.pause_points(export, [extra]) == sorted(moments | {extra})
    with pytest.raises(flow.PracticeError, match="not client turns"):
        flow.pause_points(export, [0])  # the therapist's turn
    bare = export.model_copy(update={"summary": None, "emotions": []})
    assert flow.pause_points(bare) == [1, 3, 5, 7]  # never analysed: spread over the session
    alone = bare.model_copy(update={"utterances": [u for u in export.utterances if u.seq < 2]})
    assert flow.pause_points(alone) == [1]


def test_feedback_compares_the_reading_and_codes_the_reply(session_id: str) -> None:
    export = build_export(SessionStore(), session_id)
    run = PracticeRun(session_id=session_id, pauses=[1, 5])
    # turn 1: "Honestly I feel flat most of the time, and lonely in the evenings." (sadness)
    answer = flow.answer(run, export, 1, ["sadness", "anger/irritation"], 0.8, REPLY,
                         default_coder())  # fmt: skip
    states = answer.feedback.states
    assert [s.label for s in states.model_states] == ["sadness"]
    assert states.quote.startswith("Honestly I feel flat")
    assert states.agreed == ["sadness"] and states.extra == ["anger/irritation"]
    assert states.missed == []
    reply = answer.feedback.reply
    assert reply is not None and reply.code == "complex_reflection"
    assert reply.names_feeling and reply.feeling_words == ["loneliest"]
    assert "example, not a script" in reply.example_note.lower()
    assert "lonely in the evenings" in reply.example.lower() or "flat" in reply.example.lower()
    # a reading that differs, said with confidence, and a closed question
    other = flow.answer(run, export, 5, ["joy/relief"], 0.9, "Did you tell anyone?",
                        default_coder())  # fmt: skip
    assert other.feedback.states.missed == ["anxiety/fear"]
    assert any("quite sure" in line for line in other.feedback.states.lines)
    assert other.feedback.reply is not None
    assert other.feedback.reply.code == "closed_question"
    assert not other.feedback.reply.names_feeling
    with pytest.raises(flow.PracticeError, match="not one of this practice's pauses"):
        flow.answer(run, export, 3, ["sadness"], 0.5, "", default_coder())
    with pytest.raises(flow.PracticeError, match="state list"):
        flow.answer(run, export, 1, ["melancholy"], 0.5, "", default_coder())


def test_example_reflection_is_built_from_the_clients_words() -> None:
    text = "Everyone is so busy, and I feel like I am slowing them down. It is my fault."
    assert key_phrase(text) == "I feel like I am slowing them down"
    assert second_person("I am sure my mum hates me") == "you are sure your mum hates you"
    example = example_reflection(text, "shame/guilt")
    assert example.startswith("You feel like you are slowing them down, and ")
    assert example == example_reflection(text, "shame/guilt")  # deterministic
    short = example_reflection("Lighter, actually.", "joy/relief")
    assert short.startswith("When you say “lighter")


def test_answers_are_stored_privately_and_absent_from_exports(session_id: str) -> None:
    store = SessionStore()
    view = PracticeView(store)
    run = view.start(session_id, [])
    first = run["pauses"][0]
    feedback = view.answer(run["run_id"], first, ["sadness"], 0.6, REPLY)["feedback"]
    assert feedback["reply"]["code"] in ("simple_reflection", "complex_reflection")
    summary = view.finish(run["run_id"])["summary"]
    assert summary["answered"] == 1 and summary["pauses"] == len(run["pauses"])
    saved = PracticeStore(store).get(run["run_id"])
    assert saved.answers[0].reply == REPLY and saved.finished_at is not None
    export = build_export(store, session_id)
    bundle = bundle_bytes(build_bundle(store, session_id, ShareRequest("Dr A. Supervisor")))
    shown = (export.model_dump_json(), export.for_sharing().model_dump_json(), render(export))
    for text in (*shown, bundle.decode("utf-8")):
        assert "zebra-marker" not in text
    store.delete(session_id)
    with pytest.raises(PracticeNotFound):
        PracticeStore(store).get(run["run_id"])


def test_progress_over_runs_as_png_and_svg(session_id: str, tmp_path: Path) -> None:
    store = SessionStore()
    view = PracticeView(store)
    for states in (["joy/relief"], ["sadness"]):
        run = view.start(session_id, [1])
        view.answer(run["run_id"], 1, states, 0.5, REPLY)
        view.finish(run["run_id"])
    view.start(session_id, [])  # no answers: not a point
    found = progress.points(PracticeStore(store).runs())
    assert [p.values["state_agreement"] for p in found] == [0.0, 1.0]
    progress.write(found, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    progress.write(found, tmp_path / "p.svg")
    assert (tmp_path / "p.svg").read_text().count('class="point"') == 2 * len(progress.MEASURES)
    answer = view.progress()
    assert answer["png"].startswith("data:image/png;base64,") and len(answer["points"]) == 2


def test_migration_from_the_previous_schema_keeps_sessions(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.row_factory = sqlite3.Row
    before = MIGRATIONS.index(m006_practice)
    migrate(db, target=before)
    assert version(db) == before == 5  # the schema before practice
    db.execute(
        "INSERT INTO sessions (id, client_label, created_at, source, status) "
        "VALUES ('s1', 'A.B.', '2025-01-01T09:00:00+00:00', 'file', 'complete')"
    )
    db.close()
    store = SessionStore(connect(path))
    assert version(store.db) == len(MIGRATIONS)
    assert store.get("s1").client_label == "A.B."
    run = PracticeRun(session_id="s1", pauses=[])
    PracticeStore(store).start(run)
    assert PracticeStore(store).runs()[0].id == run.id
    fresh = SessionStore(connect(tmp_path / "new.sqlite3"))
    assert {"practice_runs", "practice_answers"} <= {
        r[0] for r in fresh.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def _cli(args: list[str], stdin: str, home: Path) -> subprocess.CompletedProcess[str]:
    from copilot.storage import keys

    keys.set_passphrase(home, "a passphrase for the child")  # the child has no keyring
    env = {
        **os.environ,
        "COPILOT_HOME": str(home),
        "COPILOT_PASSPHRASE": "a passphrase for the child",
    }
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_the_terminal_flow_with_piped_answers(
    session_id: str, copilot_home: Path, tmp_path: Path
) -> None:
    pauses = flow.pause_points(build_export(SessionStore(), session_id))
    # the first pause: a wrong number, no state, then two states; a wrong confidence, then 70
    answers = f"x\n\n1,2\n150\n70\n{REPLY}\n" + "2\n30\n\n" * (len(pauses) - 1)
    done = _cli(["practice", session_id, "--progress", str(tmp_path / "p.png")], answers,
                copilot_home)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "numbers from 1 to 10" in out and "name at least one state" in out
    assert "a number from 0 to 100" in out
    assert out.count("The model read:") == len(pauses)
    assert "Example:" in out and "not a script" in out
    assert "Practice summary" in out and f"You answered {len(pauses)} of {len(pauses)}" in out
    assert (tmp_path / "p.png").exists()
    runs = PracticeStore(SessionStore()).runs()
    assert len(runs) == 1 and runs[0].answers[0].reply == REPLY
    assert runs[0].answers[0].states == ["sadness", "anxiety/fear"]
    assert runs[0].answers[0].confidence == 0.7


def test_the_terminal_flow_ends_cleanly_at_end_of_input(
    session_id: str, copilot_home: Path
) -> None:
    done = _cli(["practice", session_id], "1\n50\nYou feel flat.\n", copilot_home)
    assert done.returncode == 0, done.stderr
    assert "end of input" in done.stdout and "You answered 1 of" in done.stdout
    missing = _cli(["practice", "nope-nope"], "", copilot_home)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "session-copilot: error: no session 'nope-nope' (see `session-copilot sessions`)"
    ]


def test_the_project_practice_sessions_are_stored_and_analysed() -> None:
    store = SessionStore()
    view = PracticeView(store)
    made = view.make_sessions(Settings())
    assert made["made"] == ["practice-work", "practice-loss", "practice-change"]
    assert view.make_sessions(Settings())["made"] == []  # once only
    session: Session = store.get("practice-loss")
    assert session.source == "demo" and "text only" in (session.source_name or "")
    plan = view.plan("practice-loss")
    assert plan["suggested"] and set(plan["suggested"]) <= set(plan["client_seqs"])
    assert plan["audio_url"] is None  # text only: nothing to play
    assert json.dumps(plan)  # JSON-able for the window


def test_a_kept_recording_is_offered_for_playing(session_id: str, tmp_path: Path) -> None:
    store = SessionStore()
    kept = tmp_path / "kept.ogg"
    store.update(session_id, audio_path=str(kept))
    assert PracticeView(store).plan(session_id)["audio_url"] is None  # not on disk
    kept.write_bytes(b"OggS")
    assert PracticeView(store).plan(session_id)["audio_url"] == kept.as_uri()


def test_spoken_practice_sessions_keep_their_audio_and_script(
    espeak: str, copilot_home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "COPILOT_HOME": str(copilot_home)}
    script = Path(__file__).resolve().parents[1] / "scripts" / "make_practice.py"
    done = subprocess.run(
        [sys.executable, str(script), "--audio", str(tmp_path / "audio")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stored"] == list(PRACTICE)

    store = SessionStore()
    utterances = store.transcript.utterances("practice-loss")
    assert [u.text for u in utterances] == [text for _, text in PRACTICE["practice-loss"]]
    starts = [u.start for u in utterances]
    assert starts == sorted(starts) and all(u.end > u.start for u in utterances)
    plan = PracticeView(store).plan("practice-loss")
    kept = tmp_path / "audio" / "practice-loss.ogg"
    assert plan["audio_url"] == kept.resolve().as_uri()
    assert utterances[-1].end <= probe(kept).duration_s
    assert "espeak-ng" in (store.get("practice-loss").source_name or "")
