"""Every bad input: one clear line on stderr, exit code 2, and nothing stored or written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from encode import encode, tone

from copilot.cli import main
from copilot.storage import SessionStore
from copilot.transcription.models import bundled_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_failure(code: int, err: str, out_json: Path, needle: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("session-copilot: error: ") and needle in lines[0]
    assert not out_json.exists()
    store = SessionStore()
    assert store.list_sessions() == []
    assert store.db.execute("SELECT COUNT(*) FROM utterances").fetchone()[0] == 0


def _tone_file(tmp: Path, channels: int = 1) -> Path:
    mono = tone(2.0, 16000)
    data = mono if channels == 1 else np.stack([mono, tone(2.0, 16000, 330.0)], axis=1)
    return encode(tmp / f"tone{channels}.wav", data, 16000)


def _bad_model(tmp: Path) -> Path:
    folder = tmp / "bad-model"
    shutil.copytree(bundled_path(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "SHA256SUMS").write_text("0" * 64 + "  model.bin\n")
    return folder


CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("missing", lambda t: [str(t / "nope.wav")], "no such file"),
    ("folder without recordings", lambda t: [str(t)], "no recordings found"),
    ("empty", lambda t: [str((t / "e.wav", (t / "e.wav").write_bytes(b""))[0])], "empty"),
    (
        "corrupt",
        lambda t: [
            str((t / "c.flac", (t / "c.flac").write_bytes(b"fLaC" + bytes(range(256)) * 8))[0])
        ],
        "not a readable audio file",
    ),
    (
        "not audio",
        lambda t: [str((t / "n.mp3", (t / "n.mp3").write_text("minutes of a meeting\n" * 40))[0])],
        "not a readable audio file",
    ),
    ("unknown model", lambda t: [str(_tone_file(t)), "--model", "huge-v9"], "unknown model"),
    (
        "digest mismatch",
        lambda t: [str(_tone_file(t)), "--model", str(_bad_model(t))],
        "does not match its expected SHA-256",
    ),
    (
        "channels on mono",
        lambda t: [str(_tone_file(t)), "--channels", "therapist,client"],
        "is mono",
    ),
    (
        "bad channel spec",
        lambda t: [str(_tone_file(t, 2)), "--channels", "left,right"],
        "not a channel spec",
    ),
]


@pytest.mark.parametrize(("name", "make_args", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    make_args: Callable[[Path], list[str]],
    needle: str,
) -> None:
    out_json = tmp_path / "out" / "session.json"
    args = make_args(tmp_path)
    code, _out, err = run(capsys, "analyze", *args, "--json", str(out_json))
    assert_clean_failure(code, err, out_json, needle)


def test_unknown_session_id_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "show", "no-such-session")
    assert code == 2 and err.strip().startswith("session-copilot: error: no session")
