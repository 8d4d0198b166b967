"""Importing transcripts: each format keeps speakers and times; bad files store nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import supervision_support as ss

from copilot.cli import main
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.migrations import MIGRATIONS, m004_supervision, migrate
from copilot.supervision.importer import ImportOptions, import_file

TIMED: list[tuple[str, Callable[[Path], Path], bool]] = [
    ("vtt voice tags", ss.vtt_voice, True),
    ("vtt name prefixes", ss.vtt_prefix, True),
    ("srt", ss.srt, True),
    ("text with times", ss.txt_timed, False),
    ("docx with times", ss.docx_file, False),
]
ROLES = {ss.THERAPIST: "therapist", ss.CLIENT: "client"}


@pytest.mark.parametrize(("name", "make", "has_ends"), TIMED, ids=[t[0] for t in TIMED])
def test_each_format_round_trips_speakers_and_times(
    tmp_path: Path, name: str, make: Callable[[Path], Path], has_ends: bool
) -> None:
    store = SessionStore()
    result = import_file(make(tmp_path), ImportOptions(client_label="R.L."), store, Settings())
    export = result.export
    assert [u.role for u in export.utterances] == [ROLES[c[0]] for c in ss.CUES]
    assert [u.text for u in export.utterances] == [c[3] for c in ss.CUES]
    assert [u.start for u in export.utterances] == [float(int(c[1])) for c in ss.CUES] or [
        u.start for u in export.utterances
    ] == [c[1] for c in ss.CUES]
    if has_ends:
        assert [u.end for u in export.utterances] == [c[2] for c in ss.CUES]
    assert export.session.imported_from is not None
    assert not export.session.times_estimated
    assert "the speaker whose lines most often ask a question" in (export.session.diarization or "")
    # the client shows under the pseudonym; the names in the file are kept only to redact
    assert {u.speaker for u in export.utterances if u.role == "client"} == {"R.L."}
    assert store.list_sessions()[0].imported_from == export.session.imported_from


def test_an_import_gets_the_full_text_analysis_and_marks_what_needs_audio(tmp_path: Path) -> None:
    store = SessionStore()
    export = import_file(ss.vtt_voice(tmp_path), ImportOptions(), store, Settings()).export
    assert export.summary is not None and export.summary.arc
    assert export.emotions and all(e.utterance_seq % 2 == 1 for e in export.emotions)
    assert any(f.category == "suicidal_ideation" for f in export.risk_flags)
    assert {"prosody", "pauses"} <= set(export.metrics.unavailable)
    assert "silence_ratio" not in export.metrics.unavailable  # cue times carry it
    assert export.metrics.therapist_question_share == 1.0


def test_a_file_without_times_gets_estimated_times_and_says_so(tmp_path: Path) -> None:
    export = import_file(ss.txt_plain(tmp_path), ImportOptions(), SessionStore(), Settings()).export
    assert export.session.times_estimated
    starts = [u.start for u in export.utterances]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert "roles.words_per_minute" in export.metrics.unavailable
    assert "silence_ratio" in export.metrics.unavailable


def test_therapist_given_by_name_overrides_the_question_rule(tmp_path: Path) -> None:
    options = ImportOptions(therapist=ss.CLIENT.upper())
    export = import_file(ss.srt(tmp_path), options, SessionStore(), Settings()).export
    assert export.utterances[0].role == "client" and export.utterances[1].role == "therapist"
    assert "as given" in (export.session.diarization or "")


def _corrupt_docx(t: Path) -> Path:
    path = t / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    return path


BAD: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("missing", lambda t: [str(t / "gone.vtt")], "does not exist"),
    ("empty", lambda t: [str(ss._write(t / "e.vtt", []))], "empty"),
    ("wrong format", lambda t: [str(ss._write(t / "x.pdf", ["%PDF"]))], "not a transcript"),
    ("not vtt", lambda t: [str(ss._write(t / "a.vtt", ["hello there"]))], "not a WebVTT file"),
    (
        "no speakers",
        lambda t: [str(ss._write(t / "n.txt", ["just some words", "and more"]))],
        "names no speakers",
    ),
    (
        "one speaker",
        lambda t: [str(ss._write(t / "o.txt", ["Ann: hi", "Ann: so?"]))],
        "one speaker only",
    ),
    ("corrupt docx", lambda t: [str(_corrupt_docx(t))], "not a readable DOCX file"),
    (
        "unknown therapist",
        lambda t: [str(ss.srt(t)), "--therapist", "Nobody"],
        "is not a speaker",
    ),
]


@pytest.mark.parametrize(("name", "argv", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_one_line_exit_2_and_nothing_stored(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    argv: Callable[[Path], list[str]],
    needle: str,
) -> None:
    code = main(["import", *argv(tmp_path)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("session-copilot: error: ") and needle in lines[0]
    store = SessionStore()
    assert store.list_sessions() == []
    assert store.db.execute("SELECT COUNT(*) FROM redaction_names").fetchone()[0] == 0


def test_the_cli_import_lists_the_session_as_from_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(ss.vtt_prefix(tmp_path)), "--client-label", "R.L."]) == 0
    assert "from transcript: imported from a WebVTT transcript" in capsys.readouterr().out
    assert main(["sessions"]) == 0
    assert "R.L.  (from transcript)" in capsys.readouterr().out


def test_the_supervision_migration_from_empty_and_from_the_previous_schema(
    tmp_path: Path,
) -> None:
    fresh = SessionStore(path=tmp_path / "new.sqlite3")
    columns = {r[1] for r in fresh.db.execute("PRAGMA table_info(sessions)")}
    assert {"imported_from", "times_estimated"} <= columns
    raw = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    migrate(raw, target=MIGRATIONS.index(m004_supervision))
    raw.execute(
        "INSERT INTO sessions (id, client_label, created_at, source, status) "
        "VALUES ('s1', 'A.', '2026-01-01T00:00:00+00:00', 'file', 'complete')"
    )
    raw.close()
    old = SessionStore(path=tmp_path / "old.sqlite3")
    session = old.get("s1")
    assert session.imported_from is None and session.times_estimated is False
    tables = {r[0] for r in old.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"shares", "reviews", "redaction_names"} <= tables


def test_the_report_says_not_available_rather_than_zero(tmp_path: Path) -> None:
    from copilot.report import render

    timed = render(
        import_file(ss.srt(tmp_path), ImportOptions(), SessionStore(), Settings()).export
    )
    assert "pauses within turns: not available" in timed and "0 pauses within turns" not in timed
    assert "silence: not available" not in timed
    untimed = render(
        import_file(ss.txt_plain(tmp_path), ImportOptions(), SessionStore(), Settings()).export
    )
    assert "silence: not available" in untimed and "times are estimated" in untimed


def test_a_teams_docx_with_speaker_headings_and_a_couple(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in (
        "Transcript", "December 4, 2026, 2:00PM", "Okafor, Mira   0:03", "How are you both?",
        "Lind, Rebecca   0:07", "Tired.", "Lind, Tom   0:09", "We argue a lot", "at night.",
        "Okafor, Mira   0:15", "What happens then?",
    ):  # fmt: skip
        document.add_paragraph(line)
    path = tmp_path / "teams.docx"
    document.save(str(path))
    export = import_file(
        path, ImportOptions(client_label="Couple"), SessionStore(), Settings()
    ).export
    got = [(u.role, u.speaker, u.start, u.text) for u in export.utterances]
    assert got == [
        ("therapist", None, 3.0, "How are you both?"),
        ("client", "Couple (1)", 7.0, "Tired."),
        ("client", "Couple (2)", 9.0, "We argue a lot at night."),
        ("therapist", None, 15.0, "What happens then?"),
    ]
    assert "December" not in " ".join(u.text for u in export.utterances)


def test_an_imported_session_gets_reflection_prompts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = import_file(ss.vtt_voice(tmp_path), ImportOptions(), SessionStore(), Settings()).export
    capsys.readouterr()
    assert main(["reflect", export.session.id, "--no-input"]) == 0
    shown = capsys.readouterr().out
    assert "0:16" in shown or "better off without me" in shown, shown


def test_cues_cut_mid_sentence_are_joined_into_whole_utterances(tmp_path: Path) -> None:
    path = ss._write(tmp_path / "zoom.vtt", [
        "WEBVTT", "",
        "1", "00:00:01.000 --> 00:00:03.000", "Ann Lee: How have things", "",
        "2", "00:00:03.200 --> 00:00:04.000", "Ann Lee: been this week?", "",
        "3", "00:00:05.000 --> 00:00:07.000", "Bo Park: Not great. I feel flat", "",
        "4", "00:00:07.100 --> 00:00:08.000", "Bo Park: most of the time.", "",
        "5", "00:00:08.100 --> 00:00:09.000", "Bo Park: Work is hard.", "",
        "6", "00:00:20.000 --> 00:00:21.000", "Bo Park: and then", "",
    ])  # fmt: skip
    export = import_file(path, ImportOptions(), SessionStore(), Settings()).export
    assert [(u.role, u.start, u.end, u.text) for u in export.utterances] == [
        ("therapist", 1.0, 4.0, "How have things been this week?"),
        ("client", 5.0, 8.0, "Not great. I feel flat most of the time."),
        ("client", 8.1, 9.0, "Work is hard."),
        ("client", 20.0, 21.0, "and then"),
    ]


def test_a_windows_1252_srt_is_read(tmp_path: Path) -> None:
    path = tmp_path / "old.srt"
    path.write_bytes(
        "1\n00:00:01,000 --> 00:00:02,000\nDr Lee: How are you, Zoë?\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\nZoë: I’m tired.\n".encode("cp1252")
    )
    export = import_file(path, ImportOptions(), SessionStore(), Settings()).export
    assert [u.text for u in export.utterances] == ["How are you, Zoë?", "I’m tired."]
