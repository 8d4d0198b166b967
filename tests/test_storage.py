from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from copilot.domain import Consent, Note, Provenance, Session, SessionMetrics, Utterance, Word
from copilot.errors import SessionNotFound
from copilot.storage import SessionStore, connect
from copilot.storage.migrations import MIGRATIONS, Migration, migrate, version


def _utt(
    seq: int, role: str = "client", start: float = 0.0, text: str = "hello there"
) -> Utterance:
    return Utterance(
        seq=seq,
        role=role,  # type: ignore[arg-type]
        start=start,
        end=start + 1.5,
        text=text,
        words=[Word(text="hello", start=start, end=start + 0.5, probability=0.9)],
        confidence=0.9,
    )


def test_migrations_from_empty_reach_the_latest_schema(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.sqlite3")
    assert version(db) == len(MIGRATIONS)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "consents", "utterances", "analyses", "notes", "access_log"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("start", range(1, len(MIGRATIONS)))
def test_migrations_from_every_earlier_schema_keep_data(tmp_path: Path, start: int) -> None:
    raw = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    migrate(raw, target=start)
    raw.execute(
        "INSERT INTO sessions (id, client_label, created_at, source, status) "
        "VALUES ('s1', 'A.', '2026-01-01T00:00:00+00:00', 'file', 'complete')"
    )
    raw.execute(
        'INSERT INTO utterances (session_id, seq, role, start, "end", text) '
        "VALUES ('s1', 0, 'client', 0.0, 1.0, 'kept through upgrades')"
    )
    raw.close()
    store = SessionStore(path=tmp_path / "old.sqlite3")
    assert version(store.db) == len(MIGRATIONS)
    assert store.get("s1").client_label == "A."
    assert [u.text for u in store.transcript.utterances("s1")] == ["kept through upgrades"]


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    migrate(db, target=1)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("boom")

    MIGRATIONS.append(broken)
    try:
        migrate(db, target=2)  # the real m002 runs
        with pytest.raises(RuntimeError):
            migrate(db)
    finally:
        MIGRATIONS.pop()
    assert version(db) == len(MIGRATIONS)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables


def test_session_round_trip_with_consent_and_utterances() -> None:
    store = SessionStore()
    consent = Consent(given_by="client", method="verbal", note="asked at start")
    store.create(Session(id="20260101-000000-abcd", client_label="R.", consent=consent))
    store.transcript.append(
        "20260101-000000-abcd", [_utt(0, "therapist", 0.0), _utt(1, "client", 2.0)], 4.0
    )
    got = store.get("20260101")  # an unambiguous prefix is enough
    assert got.consent is not None and got.consent.method == "verbal"
    assert store.progress(got.id) == 4.0
    utts = store.transcript.utterances(got.id)
    assert [u.role for u in utts] == ["therapist", "client"]
    assert utts[0].words[0].probability == 0.9


def test_orphaned_in_progress_session_is_marked_incomplete() -> None:
    store = SessionStore()
    store.create(Session(id="s-orphan", client_label="X"))
    store.update("s-orphan", owner_pid=2**22 + 12345)  # no such process
    store.create(Session(id="s-mine", client_label="Y"))  # owned by this live process
    orphans = store.mark_orphans_incomplete()
    assert [s.id for s in orphans] == ["s-orphan"]
    assert store.get("s-orphan").status == "incomplete"
    assert store.get("s-mine").status == "in_progress"


def test_delete_removes_every_row_and_kept_audio(tmp_path: Path) -> None:
    store = SessionStore()
    audio = tmp_path / "kept.ogg"
    audio.write_bytes(b"x")
    store.create(Session(id="s-del", client_label="Z"))
    store.transcript.append("s-del", [_utt(0, text="a very private sentence")])
    store.marks.add_note("s-del", Note(at=1.0, text="note"))
    store.analyses.save_analysis("s-del", "metrics", Provenance(engine="t"), _metrics())
    store.update("s-del", audio_path=str(audio))
    store.delete("s-del")
    with pytest.raises(SessionNotFound):
        store.get("s-del")
    for table in ("utterances", "notes", "analyses", "consents"):
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    assert not audio.exists()
    db_file = Path(os.environ["COPILOT_HOME"]) / "copilot.sqlite3"
    store.close()
    assert b"a very private sentence" not in db_file.read_bytes()


def test_correction_keeps_the_original_and_swap_swaps() -> None:
    store = SessionStore()
    store.create(Session(id="s-edit", client_label="Q"))
    store.transcript.append(
        "s-edit", [_utt(0, "therapist", text="I here you"), _utt(1, "client", 2.0)]
    )
    store.transcript.correct_text("s-edit", 0, "I hear you")
    store.transcript.correct_text("s-edit", 0, "I hear you.")
    first = store.transcript.utterances("s-edit")[0]
    assert (first.text, first.original_text) == ("I hear you.", "I here you")
    store.transcript.swap_roles("s-edit")
    assert [u.role for u in store.transcript.utterances("s-edit")] == ["client", "therapist"]


def test_a_revision_replaces_recognised_words_but_never_a_correction() -> None:
    store = SessionStore()
    store.create(Session(id="s-rev", client_label="Q"))
    store.transcript.append(
        "s-rev", [_utt(0, "therapist", text="what helped do"), _utt(1, "client", 2.0)]
    )
    store.transcript.correct_text("s-rev", 1, "hello, there")
    words = [Word(text="What", start=0.1, end=0.3, probability=0.8)]
    new = [
        _utt(0, "therapist").model_copy(
            update={"text": "What helped?", "words": words, "end": 0.3}
        ),
        _utt(1, "client", 2.0).model_copy(update={"text": "yellow there"}),
    ]
    assert store.transcript.revise_utterances("s-rev", new) == 1
    first, second = store.transcript.utterances("s-rev")
    assert (first.text, first.end, first.words, first.original_text) == (
        "What helped?",
        0.3,
        words,
        None,
    )
    assert (second.text, second.original_text) == ("hello, there", "hello there")


def test_search_and_filter_sessions() -> None:
    store = SessionStore()
    store.create(Session(id="s-a", client_label="Alpha"))
    store.create(Session(id="s-b", client_label="Beta"))
    store.transcript.append("s-b", [_utt(0, text="we talked about the garden")])
    assert [s.id for s in store.list_sessions(client="Alpha")] == ["s-a"]
    assert [s.id for s in store.list_sessions(query="garden")] == ["s-b"]


def _metrics() -> SessionMetrics:
    from copilot.analysis.metrics import compute

    return compute([_utt(0)], 2.0)


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    """The second waits for the first's migration and finds it done, instead of running the
    same CREATE TABLE on a schema that changed under it."""
    import threading

    from copilot.storage.migrations import Script

    steps: list[Migration] = [
        Script("CREATE TABLE notes (x TEXT)"),
        Script("CREATE INDEX notes_x ON notes (x)"),
    ]
    path = tmp_path / "shared.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, timeout=10)
    second = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
    first.execute("BEGIN IMMEDIATE")  # the first process, mid-migration
    first.execute("CREATE TABLE notes (x TEXT)")
    first.execute("PRAGMA user_version = 1")
    outcome: list[object] = []
    waiting = threading.Thread(target=lambda: outcome.append(_migrated(second, steps)))
    waiting.start()
    waiting.join(0.3)
    first.execute("COMMIT")
    waiting.join(10)
    assert outcome == [2]
    assert first.execute("PRAGMA user_version").fetchone()[0] == 2


def _migrated(db: sqlite3.Connection, steps: list[Migration]) -> object:
    try:
        return migrate(db, migrations=steps)
    except Exception as exc:  # the failure is the outcome the test reads
        return exc
