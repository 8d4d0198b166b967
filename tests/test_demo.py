"""`session-copilot demo`: the whole pipeline on the bundled session, offline."""

from __future__ import annotations

import json
import socket
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from copilot.audio.files import probe
from copilot.cli import main
from copilot.domain import SessionExport
from copilot.evaluation import wer

DEMO = Path(str(files("copilot") / "demo"))


def reference() -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = json.loads((DEMO / "demo_session.json").read_text())["turns"]
    return turns


def test_demo_session_ships_small_and_of_the_right_length() -> None:
    audio = DEMO / "demo_session.ogg"
    assert audio.stat().st_size < 2 * 1024 * 1024
    info = probe(audio)
    assert info.channels == 2
    assert 120 <= info.duration_s <= 240
    roles = {t["role"] for t in reference()}
    assert roles == {"therapist", "client"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any connection that leaves this machine fails the test."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")):
            return real_connect(self, address)
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.mark.model
def test_demo_runs_offline_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_network: list[object]
) -> None:
    out_json, report = tmp_path / "demo.json", tmp_path / "demo.html"
    code = main(["demo", "--json", str(out_json), "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert no_network == []
    assert str(report) in out and "Demo client" in out
    export = SessionExport.model_validate_json(out_json.read_text())
    turns = reference()
    for role in ("therapist", "client"):
        said = " ".join(t["text"] for t in turns if t["role"] == role)
        heard = " ".join(u.text for u in export.utterances if u.role == role)
        assert wer(said, heard) <= 0.2, (role, heard)
    burden = [f for f in export.risk_flags if f.category == "suicidal_ideation" and not f.negated]
    assert burden, export.risk_flags
    spoken_at = next(t["start"] for t in turns if "better off without me" in t["text"])
    assert any(abs(f.start - spoken_at) < 3 for f in burden)
    assert all(f.role == "client" for f in export.risk_flags)
    # No false alarm: every flag stands on one of the client's turns that hold risk language
    # (a low mood, worry or shame alone is not risk).
    risky = [
        t["start"]
        for t in turns
        if any(p in t["text"] for p in ("burden", "better off without me", "disappear"))
    ]
    strays = [f for f in export.risk_flags if not any(abs(f.start - s) < 3 for s in risky)]
    assert not strays, strays
    # The client's low, worried, guilty talk is read as states, each with its quotes.
    assert export.summary is not None and export.summary.dominant_states
    assert all(s.quotes for s in export.summary.dominant_states)
    quotes = list(_quotes(export.summary.model_dump()))
    assert quotes and all(any(q in u.text for u in export.utterances) for q in quotes), quotes
    assert "RISK" in out
    html = report.read_text()
    assert "better off without me" in html and "<script" not in html.lower()


def _quotes(node: object) -> Any:
    """Every `quote` anywhere in a dumped summary."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote" and isinstance(value, str):
                yield value
            else:
                yield from _quotes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _quotes(item)


def test_demo_voices_are_clearly_different() -> None:
    from copilot.audio.features import measure
    from copilot.audio.files import read_all

    stereo = read_all(DEMO / "demo_session.ogg")
    therapist, client = (measure(stereo[:, ch]).pitch_hz for ch in (0, 1))
    assert therapist is not None and client is not None
    assert abs(12 * np.log2(therapist / client)) >= 5  # semitones apart
