"""Share bundles, the supervisor's reply and its merge; exports for the record."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import supervision_support as ss

from copilot import egress
from copilot.cli import main
from copilot.domain import Note
from copilot.reflection.journal import JournalEntry, JournalStore
from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision.bundle import ShareRequest, build_bundle, bundle_bytes, write_bundle
from copilot.supervision.importer import ImportOptions, import_file
from copilot.supervision.sealed import MAGIC, unseal

PASSPHRASE = "lantern orchard velvet nine"
JOURNAL_TEXT = "I felt a knot of fear when she said that, and wanted to rescue her."
NOTE = "private: ask about the sister next time"


@pytest.fixture
def session_id(tmp_path: Path) -> str:
    store = SessionStore()
    export = import_file(
        ss.vtt_voice(tmp_path), ImportOptions(client_label="R.L."), store, Settings()
    ).export
    sid = export.session.id
    store.marks.add_note(sid, Note(at=20.0, text=NOTE))
    journal = JournalStore()
    entry = JournalEntry(
        session_id=sid, prompt_id="p1", aspect="affective", question="How?", answer=JOURNAL_TEXT
    )
    journal.entries.add(entry)
    journal.close()
    store.close()
    return sid


@pytest.fixture
def passfile(tmp_path: Path) -> Path:
    path = tmp_path / "pass.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bundle_holds_no_names_no_journal_and_no_notes(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "for-supervisor.scshare"
    code, _, err = run(
        capsys, "share", session_id, "--for", "Dr Ada Brennan", "--out", str(out),
        "--names", "Ilse", "--passphrase-file", str(passfile),
    )  # fmt: skip
    assert code == 0, err
    sealed = out.read_bytes()
    assert sealed.startswith(MAGIC) and b"Rebecca" not in sealed
    plain = unseal(sealed, PASSPHRASE, "bundle").decode("utf-8")
    for secret in ("Rebecca", "Lind", "Mira", "Okafor", "Ilse", "07700", JOURNAL_TEXT, NOTE):
        assert secret.lower() not in plain.lower(), secret
    bundle = json.loads(plain)
    assert bundle["recipient"] == "Dr Ada Brennan" and bundle["audio"] is None
    assert "[NAME_" in plain and "[PHONE_" in plain
    assert bundle["utterances"][3]["text"].startswith("Sometimes I think everyone")
    assert bundle["risk_flags"] and bundle["summary"]["key_moments"]
    assert bundle["rubric"]["items"]
    # the log holds the attempt, and its digest is the digest of what the preview shows
    store = SessionStore()
    [entry] = egress.list_entries(store, session_id)
    assert entry.status == "ok" and "Dr Ada Brennan" in entry.destination
    assert entry.payload_sha256 == hashlib.sha256(plain.encode("utf-8")).hexdigest()
    assert SupervisionStore(store).shares(session_id)[0].recipient == "Dr Ada Brennan"


def test_the_preview_prints_exactly_the_bundle_and_writes_nothing(
    session_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, _ = run(capsys, "share", session_id, "--for", "Dr B", "--preview")
    assert code == 0
    shown = json.loads(printed)
    assert shown["format"] == "session-copilot-share/1" and "Rebecca" not in printed
    store = SessionStore()
    bundle = build_bundle(store, session_id, ShareRequest("Dr B"))
    made = datetime.fromisoformat(shown["made_at"].replace("Z", "+00:00"))
    same = bundle.model_copy(update={"share_id": shown["share_id"], "made_at": made})
    assert bundle_bytes(same).decode("utf-8") == printed.rstrip("\n")
    assert egress.list_entries(store) == []


def test_a_wrong_passphrase_is_one_line_and_exit_2(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    out = tmp_path / "b.scshare"
    store = SessionStore()
    write_bundle(
        store, session_id, build_bundle(store, session_id, ShareRequest("S")), PASSPHRASE, out
    )
    monkeypatch.setenv("COPILOT_SHARE_PASSPHRASE", "not the passphrase at all")
    code, printed, err = run(capsys, "open-share", str(out))
    assert code == 2 and printed == ""
    assert err.strip().splitlines() == ["session-copilot: error: wrong passphrase for b.scshare"]


@pytest.mark.parametrize("where", ["header", "ciphertext", "truncated"])
def test_a_tampered_bundle_is_refused(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    out = tmp_path / "b.scshare"
    store = SessionStore()
    write_bundle(
        store, session_id, build_bundle(store, session_id, ShareRequest("S")), PASSPHRASE, out
    )
    data = bytearray(out.read_bytes())
    if where == "header":
        at = data.index(b'"cipher"')
        data[at + 1 : at + 7] = b"cypher"
    elif where == "ciphertext":
        data[-100] ^= 0x01
    else:
        del data[-1]
    out.write_bytes(bytes(data))
    code, _, err = run(capsys, "open-share", str(out), "--passphrase-file", str(passfile))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "was changed after it was made: refused" in err


def test_comments_from_the_supervisor_appear_in_the_therapists_review_after_merging(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, reply = tmp_path / "b.scshare", tmp_path / "reply.screview"
    assert run(capsys, "share", session_id, "--for", "Dr Ada Brennan", "--out", str(out),
               "--passphrase-file", str(passfile))[0] == 0  # fmt: skip
    code, shown, _ = run(capsys, "open-share", str(out), "--passphrase-file", str(passfile))
    assert code == 0 and "#4    [0:16]" in shown and "Rebecca" not in shown
    code, _, err = run(
        capsys, "open-share", str(out), "--passphrase-file", str(passfile),
        "--comment", "0:16 [risk] You stayed with it; ask about a plan.",
        "--comment", "#1 [empathy] A warm, open start.",
        "--rate", "empathy=3", "--rate", "risk=-", "--verdict", "needs-revision",
        "--note", "Revisit safety planning together.", "--reply", str(reply),
    )  # fmt: skip
    assert code == 0, err
    assert run(capsys, "merge-review", str(reply), "--passphrase-file", str(passfile))[0] == 0
    store = SessionStore()
    [record] = SupervisionStore(store).reviews(session_id)
    r = record.reply
    assert r.verdict == "needs_revision" and r.reviewer == "Dr Ada Brennan"
    assert r.ratings == {"empathy": 3, "risk": None}
    assert [(c.at, c.utterance_seq, c.tag) for c in r.comments] == [
        (1.0, 0, "empathy"), (16.0, None, "risk"),
    ]  # fmt: skip
    code, listed, _ = run(capsys, "reviews", session_id)
    assert "NEEDS REVISION by Dr Ada Brennan" in listed and "[risk] You stayed with it" in listed
    # a second merge of the same reply changes nothing
    code, _, err = run(capsys, "merge-review", str(reply), "--passphrase-file", str(passfile))
    assert code == 2 and "merged already" in err
    assert len(SupervisionStore(store).reviews(session_id)) == 1


def test_bad_supervisor_input_is_one_line(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.scshare"
    run(capsys, "share", session_id, "--for", "S", "--out", str(out),
        "--passphrase-file", str(passfile))  # fmt: skip
    base = [
        "open-share",
        str(out),
        "--passphrase-file",
        str(passfile),
        "--reply",
        str(tmp_path / "r"),
    ]
    for extra, needle in (
        (["--comment", "0:16 [nonsense] x", "--verdict", "reviewed"], "no rubric item 'nonsense'"),
        (["--comment", "#99 fine", "--verdict", "reviewed"], "there is no line 99"),
        (["--rate", "empathy=7", "--verdict", "reviewed"], "use empathy=1..4"),
        (["--verdict", "great"], "use reviewed or needs-revision"),
        ([], "sign off with --verdict"),
    ):
        code, _, err = run(capsys, *base, *extra)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r").exists()


def test_exports_for_the_record_and_their_redaction(
    session_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in ("md", "txt", "vtt", "docx"):
        code, _, err = run(capsys, "transcript", session_id, "--out", str(tmp_path / f"t.{suffix}"))
        assert code == 0, err
    assert "[0:16] R.L.: Sometimes I think" in (tmp_path / "t.txt").read_text()
    assert (
        "**[0:01] Therapist:** How has the week been for you, Rebecca?"
        in (tmp_path / "t.md").read_text()
    )
    # the WebVTT export imports back with the same roles and times
    again = import_file(
        tmp_path / "t.vtt", ImportOptions(therapist="Therapist"), SessionStore(), Settings()
    )
    assert [(u.role, u.start, u.end) for u in again.export.utterances] == [
        ("therapist" if who == ss.THERAPIST else "client", a, b) for who, a, b, _ in ss.CUES
    ]
    import docx

    paragraphs = [p.text for p in docx.Document(str(tmp_path / "t.docx")).paragraphs]
    assert (
        "[0:05] R.L.: Honestly I feel flat most of the time, and lonely in the evenings."
        in paragraphs
    )
    code, _, _ = run(
        capsys, "transcript", session_id, "--out", str(tmp_path / "r.md"), "--redact",
        "--analysis", str(tmp_path / "a.md"),
    )  # fmt: skip
    assert code == 0
    redacted = (tmp_path / "r.md").read_text() + (tmp_path / "a.md").read_text()
    assert "Rebecca" not in redacted and "07700" not in redacted and "[NAME_1]" in redacted
    analysis = (tmp_path / "a.md").read_text()
    assert "pauses within turns: not available" in analysis
    assert "suicidal ideation" in analysis


def test_the_interactive_review_on_a_terminal(
    session_id: str, tmp_path: Path, passfile: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import io

    out, reply = tmp_path / "b.scshare", tmp_path / "r.screview"
    run(capsys, "share", session_id, "--for", "Dr B", "--out", str(out),
        "--passphrase-file", str(passfile))  # fmt: skip
    typed = "\n".join([
        "#2 [empathy] Reflect the loneliness back.", "0:99 nonsense", "#4 [bogus] x",
        "rate risk=2", "rate empathy=9", "note Keep going.", "12:00 a general thought", "undo",
        "list", "reviewed",
    ])  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(typed + "\n"))
    code, shown, err = run(
        capsys, "open-share", str(out), "--passphrase-file", str(passfile), "--interactive",
        "--reply", str(reply),
    )  # fmt: skip
    assert code == 0, err
    assert shown.count("not taken:") == 3  # a bad time, a bad tag, a rating off the scale
    assert "reply for the therapist" in shown
    run(capsys, "merge-review", str(reply), "--passphrase-file", str(passfile))
    [record] = SupervisionStore(SessionStore()).reviews(session_id)
    assert [(c.utterance_seq, c.tag, c.text) for c in record.reply.comments] == [
        (1, "empathy", "Reflect the loneliness back.")
    ]
    assert record.reply.ratings == {"risk": 2} and record.reply.note == "Keep going."
    assert record.reply.verdict == "reviewed"


def test_audio_goes_only_when_chosen(
    session_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore()
    with pytest.raises(Exception, match="no kept audio"):
        build_bundle(store, session_id, ShareRequest("S", with_audio=True))
    kept = tmp_path / "kept.ogg"
    kept.write_bytes(b"OggS" + bytes(range(200)))
    store.update(session_id, audio_path=str(kept))
    assert build_bundle(store, session_id, ShareRequest("S")).audio is None
    bundle = build_bundle(store, session_id, ShareRequest("S", with_audio=True))
    assert bundle.audio is not None and bundle.audio.mime == "audio/ogg"
    import base64

    assert base64.b64decode(bundle.audio.data_b64) == kept.read_bytes()
    from copilot.supervision.bundle import preview_text

    assert "<204 bytes of audio>" in preview_text(bundle)
    from copilot.supervision.bundle import write_bundle

    write_bundle(store, session_id, bundle, PASSPHRASE, tmp_path / "a.scshare")
    saved = tmp_path / "heard.ogg"
    argv = ["open-share", str(tmp_path / "a.scshare"), "--save-audio", str(saved)]
    monkeypatch.setenv("COPILOT_SHARE_PASSPHRASE", PASSPHRASE)
    assert main(argv) == 0
    assert saved.read_bytes() == kept.read_bytes()


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda h: {**h, "n": 3}, "out of range"),
        (lambda h: {**h, "n": 2**24}, "out of range"),
        (lambda h: {**h, "nonce": "AAAA"}, "malformed"),
        (lambda h: {**h, "kind": "reply"}, "is a reply file, not a bundle file"),
        (lambda h: {**h, "v": 2}, "needs a newer Session Copilot"),
        (lambda h: {k: v for k, v in h.items() if k != "salt"}, "header is incomplete"),
    ],
)
def test_a_crafted_header_is_refused_in_one_line(
    change: Any, needle: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import struct

    from copilot.supervision.sealed import read_header, seal

    sealed = seal("bundle", b"{}", PASSPHRASE)
    header, _, body = read_header(sealed, "x")
    raw = json.dumps(change(header)).encode()
    path = tmp_path / "crafted.scshare"
    path.write_bytes(MAGIC + struct.pack(">I", len(raw)) + raw + body)
    code, _, err = run(capsys, "open-share", str(path), "--passphrase-file", str(_pass(tmp_path)))
    assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err, err


def _pass(tmp_path: Path) -> Path:
    path = tmp_path / "p.txt"
    path.write_text(PASSPHRASE)
    return path


def test_the_claude_preview_of_an_import_redacts_the_files_speaker_names(
    session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, err = run(capsys, "summarise", session_id, "--analyser", "claude", "--preview")
    assert code == 0, err
    assert "Sometimes I think everyone" in shown
    for name in ("Rebecca", "Lind", "Okafor", "Mira"):
        assert name not in shown, name


def test_on_a_terminal_the_passphrase_is_asked_twice_and_must_match(
    session_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    typed = iter([PASSPHRASE, PASSPHRASE + "x", PASSPHRASE, PASSPHRASE])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    out = tmp_path / "b.scshare"
    code, _, err = run(capsys, "share", session_id, "--for", "S", "--out", str(out))
    assert code == 2 and "the two passphrases differ" in err and not out.exists()
    code, _, err = run(capsys, "share", session_id, "--for", "S", "--out", str(out))
    assert code == 0, err
    assert unseal(out.read_bytes(), PASSPHRASE, "bundle")


def test_sealed_kept_audio_goes_readable_and_the_share_is_in_the_access_log(
    session_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import base64

    from copilot.settings import home
    from copilot.storage import access_log
    from copilot.storage.keys import home_key
    from copilot.storage.sealed import write_sealed

    audio = b"OggS" + bytes(range(200))
    sealed = home() / "audio" / "kept.ogg.sealed"  # kept audio as a live session leaves it
    write_sealed(sealed, home_key(), audio)
    store = SessionStore()
    store.update(session_id, audio_path=str(sealed))
    bundle = build_bundle(store, session_id, ShareRequest("S", with_audio=True))
    store.close()
    assert bundle.audio is not None and bundle.audio.mime == "audio/ogg"
    assert base64.b64decode(bundle.audio.data_b64) == audio
    passfile = tmp_path / "pass"
    passfile.write_text(PASSPHRASE)
    out = tmp_path / "b.scshare"
    argv = ["share", session_id, "--for", "S", "--out", str(out)]
    assert main([*argv, "--passphrase-file", str(passfile)]) == 0
    store = SessionStore()
    (entry,) = access_log.entries(store, session_id)
    store.close()
    assert (entry.action, entry.origin) == ("shared", "cli") and str(out) in entry.detail
