"""Encryption at rest: the databases through SQLCipher, session files sealed with AES-GCM, the
data key wrapped by the passphrase (scrypt) and kept in the keyring where there is one."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import keyring
import numpy as np
import pytest
from keyring.backends import null

from copilot.cli import main
from copilot.domain import Session, Utterance
from copilot.live.backlog import Backlog
from copilot.reflection.journal import JournalEntry, JournalStore, journal_path
from copilot.settings import Settings
from copilot.storage import SessionStore, database_path, keys
from copilot.storage.migrations import migrate
from copilot.transcription.streaming import Job

SECRET = "the lighthouse keeper never answered my mother's last letter"
PASSPHRASE = "correct horse battery staple"


def raw_hits(folder: Path, needle: str) -> list[Path]:
    """Every file under `folder` whose raw bytes hold `needle`."""
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A machine without a keyring (a server, CI): the passphrase is the only way in."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    keys.forget_cached()
    yield
    keyring.set_keyring(previous)


def store_secret(session_id: str = "s-secret") -> None:
    store = SessionStore()
    store.create(Session(id=session_id, client_label="A.", status="complete"))
    store.transcript.append(
        session_id, [Utterance(seq=0, role="client", start=0, end=3, text=SECRET)]
    )
    store.close()


def test_nothing_readable_in_the_home_and_the_key_is_in_the_keyring(copilot_home: Path) -> None:
    store_secret()
    journal = JournalStore()
    journal.entries.add(JournalEntry(session_id="s-secret", prompt_id="p", aspect="bond",
                             question="q", answer=SECRET))  # fmt: skip
    store = SessionStore()  # still open: the WAL and SHM are there too
    assert Path(f"{database_path()}-wal").exists()
    assert raw_hits(copilot_home, SECRET) == []
    assert raw_hits(copilot_home, "sessions") == []  # not even the schema
    assert [u.text for u in store.transcript.utterances("s-secret")] == [SECRET]
    assert "unprotected" not in (copilot_home / "key.json").read_text().replace(
        '"unprotected": null', ""
    )
    store.close()
    journal.close()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(database_path()).execute("SELECT * FROM sessions").fetchall()


def test_a_copy_without_the_passphrase_reveals_nothing_and_a_wrong_one_changes_nothing(
    copilot_home: Path, tmp_path: Path, no_keyring: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("COPILOT_PASSPHRASE", PASSPHRASE)
    store_secret()
    copy = tmp_path / "copied-home"
    shutil.copytree(copilot_home, copy)
    keys.forget_cached()
    monkeypatch.setenv("COPILOT_HOME", str(copy))
    monkeypatch.delenv("COPILOT_PASSPHRASE")
    before = fingerprint(copy)
    assert raw_hits(copy, SECRET) == []
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["show", "s-secret"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "COPILOT_PASSPHRASE" in err[0]
    monkeypatch.setenv("COPILOT_PASSPHRASE", "not the passphrase")
    assert main(["show", "s-secret"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "wrong passphrase" in err[0]
    assert fingerprint(copy) == before
    monkeypatch.setenv("COPILOT_PASSPHRASE", PASSPHRASE)
    assert main(["show", "s-secret"]) == 0
    assert SECRET in capsys.readouterr().out


def plaintext_home(home: Path, sessions: int) -> None:
    """A home as an earlier version left it: the same schema, not encrypted."""
    home.mkdir(parents=True)
    db = sqlite3.connect(home / "copilot.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    migrate(db, target=3)  # the schema before the access log
    for k in range(sessions):
        db.execute("INSERT INTO sessions (id, client_label, created_at, source, status) "
                   f"VALUES ('s{k}', 'C{k}.', '2026-01-0{k + 1}T00:00:00+00:00', 'file', "
                   "'complete')")  # fmt: skip
        db.execute('INSERT INTO utterances (session_id, seq, role, start, "end", text) '
                   f"VALUES ('s{k}', 0, 'client', 0, 1, ?)", (f"{SECRET} {k}",))  # fmt: skip
    db.close()


def test_a_plaintext_home_is_encrypted_on_first_start_keeping_every_session(
    copilot_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plaintext_home(copilot_home, sessions=3)
    assert raw_hits(copilot_home, SECRET) != []
    assert main(["sessions"]) == 0
    out, err = capsys.readouterr()
    assert "encrypted copilot.sqlite3 (3 sessions/entries before and after)" in err
    assert sorted(line.split()[0] for line in out.splitlines()) == ["s0", "s1", "s2"]
    assert raw_hits(copilot_home, SECRET) == []
    assert sorted(p.name for p in copilot_home.iterdir() if "backup" in p.name) == []
    store = SessionStore()
    assert [store.transcript.utterances(f"s{k}")[0].text for k in range(3)] == [
        f"{SECRET} {k}" for k in range(3)
    ]
    store.close()


def test_the_plaintext_journal_is_encrypted_too(copilot_home: Path) -> None:
    copilot_home.mkdir(parents=True)
    from copilot.reflection.journal import MIGRATIONS

    db = sqlite3.connect(journal_path(), isolation_level=None)
    migrate(db, migrations=MIGRATIONS)
    db.execute(
        "INSERT INTO entries (session_id, prompt_id, aspect, question, answer, created_at) "
        "VALUES ('s', 'p', 'bond', 'q', ?, '2026-01-01T00:00:00+00:00')",
        (SECRET,),
    )
    db.close()
    journal = JournalStore()
    assert [e.answer for e in journal.entries.select()] == [SECRET]
    journal.close()
    assert raw_hits(copilot_home, SECRET) == []


def test_backlog_audio_is_sealed_on_disk_and_comes_back_whole(copilot_home: Path) -> None:
    audio = np.linspace(-0.5, 0.5, 16000, dtype=np.float32)
    backlog = Backlog(copilot_home / "tmp", "s", keys.home_key())
    backlog.defer(Job("client", 0, 1.0, audio, True, 2.0), None)
    (path,) = (copilot_home / "tmp").iterdir()
    assert audio.tobytes()[:4000] not in path.read_bytes()
    got: list[np.ndarray] = []
    backlog.drain(lambda job, other: got.append(job.audio), lambda level, text: None)
    assert np.array_equal(got[0], audio) and not path.exists()


def test_without_keyring_or_passphrase_the_first_run_says_so_and_passphrase_protects(
    copilot_home: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert main(["sessions"]) == 0
    assert "no keyring and no passphrase" in capsys.readouterr().err
    store_secret()
    monkeypatch.setenv("COPILOT_PASSPHRASE_NEW", PASSPHRASE)
    assert main(["passphrase"]) == 0
    assert keys.unprotected(copilot_home) is False
    keys.forget_cached()
    monkeypatch.setenv("COPILOT_PASSPHRASE", PASSPHRASE)
    assert main(["show", "s-secret"]) == 0
    assert SECRET in capsys.readouterr().out


@pytest.mark.model
def test_after_demo_and_analyze_no_file_holds_the_sessions_words(
    copilot_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    demo = Path(str(files("copilot") / "demo" / "demo_session.ogg"))
    assert main(["analyze", str(demo), "--client-label", "Again"]) == 0
    assert "kept encrypted" in capsys.readouterr().out
    store = SessionStore()
    said = {
        u.text.strip() for s in store.list_sessions() for u in store.transcript.utterances(s.id)
    }
    store.close()
    said = {t for t in said if len(t) >= 20}
    assert len(said) >= 5
    files_here = [p for p in copilot_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sealed" for p in files_here)  # the reports
    for text in said:
        assert raw_hits(copilot_home, text) == [], text


def test_the_window_plays_sealed_audio_from_memory(copilot_home: Path) -> None:
    import base64

    from copilot.storage.sealed import write_sealed
    from copilot.window.bridge import Bridge

    store_secret()
    sealed = copilot_home / "audio" / "s-secret.ogg.sealed"
    write_sealed(sealed, keys.home_key(), b"OggS pretend audio")
    store = SessionStore()
    store.update("s-secret", audio_path=str(sealed))
    store.close()
    bridge = Bridge(SessionStore(), Settings.load())
    url = bridge.review.session("s-secret")["audio_url"]
    bridge.shutdown()
    assert url.startswith("data:audio/ogg;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == b"OggS pretend audio"


def test_an_imported_transcript_leaves_nothing_readable_in_the_home(
    copilot_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vtt = tmp_path / "call.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Dr Amsel>How have the weeks been?\n\n"
        f"00:00:05.000 --> 00:00:11.000\n<v Jordan>{SECRET}.\n",
        encoding="utf-8",
    )
    assert main(["import", str(vtt), "--therapist", "Dr Amsel"]) == 0
    assert "kept encrypted" in capsys.readouterr().out
    assert any(p.suffix == ".sealed" for p in copilot_home.rglob("*"))  # the report
    assert raw_hits(copilot_home, SECRET) == []
