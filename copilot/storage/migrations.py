"""Schema migrations: an ordered list of steps, each taking the schema one version up.

`PRAGMA user_version` holds how many have run. Never edit a released migration; append one.
A step is any callable on the connection; most are a `Script` of SQL statements, whose text
SQLite keeps as the schema, so a released script's text stays as it is, indentation and all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

Migration = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Script:
    """A migration that runs its SQL statements in order."""

    sql: str

    def __call__(self, db: sqlite3.Connection) -> None:
        # Statement by statement: executescript() would commit the migration's transaction early.
        for statement in self.sql.split(";"):
            if statement.strip():
                db.execute(statement)


m001_sessions = Script(
    """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            client_label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            ended_at TEXT,
            source TEXT NOT NULL,
            source_name TEXT,
            status TEXT NOT NULL,
            duration_s REAL,
            model TEXT,
            channel_roles TEXT,
            diarization TEXT,
            language TEXT NOT NULL DEFAULT 'en',
            owner_pid INTEGER,
            owner_host TEXT,
            progress_s REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE consents (
            session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            given_by TEXT NOT NULL,
            method TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE utterances (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            text TEXT NOT NULL,
            words TEXT NOT NULL DEFAULT '[]',
            confidence REAL,
            channel INTEGER,
            speaker TEXT,
            original_text TEXT,
            UNIQUE (session_id, seq)
        );
        CREATE INDEX utterances_by_time ON utterances (session_id, start);
        CREATE TABLE analyses (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            engine TEXT NOT NULL,
            model TEXT,
            prompt_name TEXT,
            prompt_digest TEXT,
            created_at TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX analyses_by_kind ON analyses (session_id, kind, id);
        """
)


# Private time-stamped notes, and where kept audio lives (audio is kept only on purpose).
m002_notes_and_audio = Script(
    """
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            at REAL NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        ALTER TABLE sessions ADD COLUMN audio_path TEXT;
        """
)


# What left the machine (the egress log), and risk flags the therapist acknowledged.
m003_egress_and_acknowledgements = Script(
    """
        CREATE TABLE egress (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            session_id TEXT,
            destination TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt_name TEXT NOT NULL,
            prompt_digest TEXT NOT NULL,
            payload_sha256 TEXT NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            error TEXT
        );
        CREATE INDEX egress_by_time ON egress (at);
        CREATE TABLE risk_acknowledgements (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            utterance_seq INTEGER NOT NULL,
            category TEXT NOT NULL,
            acknowledged_at TEXT NOT NULL,
            PRIMARY KEY (session_id, utterance_seq, category)
        )
        """
)


# Sessions imported from a transcript file; names to redact whenever a session leaves;
# share bundles made for supervisors; and the reviews that came back from them.
m004_supervision = Script(
    """
        ALTER TABLE sessions ADD COLUMN imported_from TEXT;
        ALTER TABLE sessions ADD COLUMN times_estimated INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE redaction_names (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            PRIMARY KEY (session_id, name)
        );
        CREATE TABLE shares (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            made_at TEXT NOT NULL,
            recipient TEXT NOT NULL,
            path TEXT NOT NULL,
            with_audio INTEGER NOT NULL DEFAULT 0,
            payload_sha256 TEXT NOT NULL
        );
        CREATE TABLE reviews (
            id TEXT PRIMARY KEY,
            share_id TEXT NOT NULL,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            verdict TEXT NOT NULL,
            signed_at TEXT NOT NULL,
            merged_at TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX reviews_by_session ON reviews (session_id, signed_at)
        """
)


# The therapist's marks on the risk detector: a flag that was not risk, a sentence missed.
#
# Kept here only; exported to a file when the therapist asks. The quote is copied so that a
# mark still reads the same after the transcript is corrected.
m005_risk_feedback = Script(
    """
        CREATE TABLE risk_feedback (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            utterance_seq INTEGER NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('not_risk', 'missed')),
            kind TEXT NOT NULL DEFAULT '',
            category TEXT,
            layer TEXT,
            rule TEXT NOT NULL DEFAULT '',
            quote TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (session_id, utterance_seq, verdict, kind)
        );
        CREATE INDEX risk_feedback_by_session ON risk_feedback (session_id)
        """
)


# Trainee practice on stored sessions: private runs and answers, never exported.
m006_practice = Script(
    """
        CREATE TABLE practice_runs (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            pauses TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX practice_runs_by_time ON practice_runs (started_at);
        CREATE TABLE practice_answers (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES practice_runs(id) ON DELETE CASCADE,
            utterance_seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            states TEXT NOT NULL,
            confidence REAL NOT NULL,
            reply TEXT NOT NULL,
            feedback TEXT NOT NULL,
            UNIQUE (run_id, utterance_seq)
        )
        """
)


# Who opened, exported, shared or deleted which session, when, and from where. No foreign
# key: the line that a session was deleted outlives the session.
m007_access_log = Script(
    """
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            account TEXT NOT NULL,
            action TEXT NOT NULL,
            session_id TEXT,
            origin TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX access_by_session ON access_log (session_id, id)
        """
)


MIGRATIONS: list[Migration] = [
    m001_sessions,
    m002_notes_and_audio,
    m003_egress_and_acknowledgements,
    m004_supervision,
    m005_risk_feedback,
    m006_practice,
    m007_access_log,
]


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    db: sqlite3.Connection, target: int | None = None, migrations: list[Migration] | None = None
) -> int:
    """Run the migrations not yet applied, each in its own transaction. Returns the version.

    `migrations` defaults to the session database's list; other databases pass their own.
    """
    steps = MIGRATIONS if migrations is None else migrations
    target = len(steps) if target is None else target
    current = version(db)
    if current > len(steps):
        raise RuntimeError(f"database schema {current} is newer than this program knows")
    while current < target:
        # The write lock first, then the version: another process opening the same new
        # database may have migrated it while this one waited.
        db.execute("BEGIN IMMEDIATE")
        try:
            current = version(db)
            if current < target:
                steps[current](db)
                current += 1
                db.execute(f"PRAGMA user_version = {current}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return version(db)
