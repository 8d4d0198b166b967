"""The window's supervision API, called as the page calls it (through the Bridge)."""

from __future__ import annotations

from pathlib import Path

import supervision_support as ss

from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.supervision.drafts import draft_path
from copilot.window.bridge import Bridge

PASSPHRASE = "seven bridges of paper"


def _shared(tmp_path: Path) -> tuple[Bridge, Path]:
    bridge = Bridge(SessionStore(), Settings.load())
    imported = bridge.supervision.import_transcript(
        {"path": str(ss.srt(tmp_path)), "client_label": "R.L."}
    )
    session_id = imported["session_id"]
    args = {"session_id": session_id, "recipient": "Dr B", "names": "Ilse"}
    refused = bridge.supervision.share_write(
        {**args, "passphrase": PASSPHRASE, "out": str(tmp_path / "b.scshare")}
    )
    assert "preview the bundle first" in refused["error"]
    shown = bridge.supervision.share_preview(args)
    assert "Rebecca" not in shown["preview"] and shown["redacted"]["NAME"] >= 2
    written = bridge.supervision.share_write(
        {**args, "passphrase": PASSPHRASE, "out": str(tmp_path / "b.scshare")}
    )
    assert written["shares"][0]["recipient"] == "Dr B"
    return bridge, tmp_path / "b.scshare"


def test_comments_survive_a_closed_window_and_go_when_signed_off(tmp_path: Path) -> None:
    bridge, bundle = _shared(tmp_path)
    opened = bridge.supervision.open_bundle({"path": str(bundle), "passphrase": PASSPHRASE})
    assert opened["comments"] == [] and len(opened["bundle"]["utterances"]) == 8
    bridge.supervision.add_comment({"text": "Good pacing.", "at": "0:25", "tag": "structure"})
    bridge.supervision.add_comment({"text": "On the risk line.", "line": 4, "tag": "risk"})
    bad = bridge.supervision.add_comment({"text": "x", "at": "1:75"})
    assert "is not a time" in bad["error"]
    share_id = opened["bundle"]["share_id"]
    assert draft_path(share_id).is_file()
    assert b"Good pacing" not in draft_path(share_id).read_bytes()  # sealed
    again = Bridge(SessionStore(), Settings.load())  # the window closed and opened again
    reopened = again.supervision.open_bundle({"path": str(bundle), "passphrase": PASSPHRASE})
    assert [c["text"] for c in reopened["comments"]] == ["Good pacing.", "On the risk line."]
    assert reopened["comments"][1]["utterance_seq"] == 3
    again.supervision.remove_comment({"index": 0})
    signed = again.supervision.sign_off(
        {"verdict": "reviewed", "out": str(tmp_path / "r.screview"), "ratings": {"risk": "4"}},
    )
    assert signed["reply"]["ratings"] == {"risk": 4}
    assert not draft_path(share_id).exists()
    merged = bridge.supervision.merge_reply(
        {"path": str(tmp_path / "r.screview"), "passphrase": PASSPHRASE}
    )
    assert [c["text"] for c in merged["review"]["reply"]["comments"]] == ["On the risk line."]
    history = bridge.supervision.history({"session_id": merged["session_id"]})
    assert history["reviews"][0]["reply"]["verdict"] == "reviewed"
    refused = bridge.supervision.add_comment({"text": "x", "colour": "red"})
    assert refused["error"].startswith("colour: Extra inputs are not permitted")


def test_export_for_the_record_from_the_window(tmp_path: Path) -> None:
    bridge = Bridge(SessionStore(), Settings.load())
    imported = bridge.supervision.import_transcript({"path": str(ss.srt(tmp_path))})
    out, notes = tmp_path / "record.md", tmp_path / "analysis.md"
    args = {"session_id": imported["session_id"], "out": str(out), "analysis": str(notes)}
    answer = bridge.supervision.export_record({**args, "redact": True, "names": "Ilse"})
    assert answer["written"] == [str(out), str(notes)]
    text = out.read_text() + notes.read_text()
    assert "Ilse" not in text and "Rebecca" not in text and "better off without me" in text
    bad = bridge.supervision.export_record({"session_id": imported["session_id"], "out": "x.pdf"})
    assert "name it .md, .txt, .docx or .vtt" in bad["error"]


def test_shared_audio_is_playable_while_the_bundle_is_open(tmp_path: Path) -> None:
    bridge = Bridge(SessionStore(), Settings.load())
    session_id = bridge.supervision.import_transcript({"path": str(ss.srt(tmp_path))})["session_id"]
    kept = tmp_path / "kept.ogg"
    kept.write_bytes(b"OggS" + bytes(range(120)))
    SessionStore().update(session_id, audio_path=str(kept))
    args = {"session_id": session_id, "recipient": "S", "with_audio": True}
    bridge.supervision.share_preview(args)
    out = tmp_path / "b.scshare"
    bridge.supervision.share_write({**args, "passphrase": PASSPHRASE, "out": str(out)})
    supervisor = Bridge(SessionStore(), Settings.load())
    opened = supervisor.supervision.open_bundle({"path": str(out), "passphrase": PASSPHRASE})
    copy = Path(opened["audio_url"].removeprefix("file://"))
    assert copy.read_bytes() == kept.read_bytes() and copy.suffix == ".ogg"
    assert "data_b64" not in str(opened["bundle"])  # the page gets a file to play, not bytes
    supervisor.supervision.close_bundle({})
    assert not copy.exists()
