"""`analyze` end to end with the real bundled tiny.en on dialogues generated with espeak-ng."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dialogues import SHORT, render, role_text, silence
from markupsafe import escape

from copilot.cli import main
from copilot.domain import SessionExport
from copilot.evaluation import speaker_accuracy, wer
from copilot.storage import SessionStore

pytestmark = pytest.mark.model


def analyze(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def words_with_roles(export: SessionExport) -> list[tuple[str, float]]:
    return [(u.role, (w.start + w.end) / 2) for u in export.utterances for w in u.words]


def test_stereo_session_transcribed_with_roles_by_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: str
) -> None:
    path, reference = render(tmp_path, SHORT, "stereo")
    out_json, report = tmp_path / "s.json", tmp_path / "s.html"
    code, out, err = analyze(
        capsys,
        str(path),
        "--client-label",
        "C-17",
        "--json",
        str(out_json),
        "--report",
        str(report),
    )
    assert code == 0, err
    data = json.loads(out_json.read_text())
    assert {"session", "utterances", "metrics"} <= set(data)
    assert all({"role", "start", "end", "text"} <= set(u) for u in data["utterances"])
    export = SessionExport.model_validate(data)  # the export validates back into the model
    assert export.session.client_label == "C-17" and export.session.status == "complete"
    for role in ("therapist", "client"):
        heard = " ".join(u.text for u in export.utterances if u.role == role)
        assert wer(role_text(reference, role), heard) <= 0.2, (role, heard)
    turns = [(str(r["role"]), float(r["start"]), float(r["end"])) for r in reference]  # type: ignore[arg-type]
    assert speaker_accuracy(turns, words_with_roles(export)) >= 0.98
    assert export.metrics.roles["client"].turns == 4
    html = report.read_text()
    assert "worry about my job" in html and "<script" not in html.lower()
    assert all(str(escape(u.text)) in html for u in export.utterances)
    assert "C-17" in out and str(report) in out
    stored = SessionStore().list_sessions()
    assert [s.id for s in stored] == [export.session.id]


def test_channels_flag_swaps_the_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: str
) -> None:
    path, _ = render(tmp_path, SHORT[:4], "swapped", suffix=".ogg")
    out_json = tmp_path / "w.json"
    code, _out, err = analyze(
        capsys, str(path), "--channels", "client,therapist", "--json", str(out_json)
    )
    assert code == 0, err
    export = SessionExport.model_validate_json(out_json.read_text())
    first = min(export.utterances, key=lambda u: u.start)
    assert first.role == "client" and "sleeping" in first.text.lower()


def test_mono_session_is_diarized_into_two_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: str
) -> None:
    path, reference = render(tmp_path, SHORT * 2, "mono", mono=True, suffix=".mp3")
    out_json = tmp_path / "m.json"
    code, _out, err = analyze(capsys, str(path), "--json", str(out_json))
    assert code == 0, err
    export = SessionExport.model_validate_json(out_json.read_text())
    turns = [(str(r["role"]), float(r["start"]), float(r["end"])) for r in reference]  # type: ignore[arg-type]
    assert speaker_accuracy(turns, words_with_roles(export)) >= 0.9
    assert export.session.diarization and "questions" in export.session.diarization

    swapped = tmp_path / "m2.json"
    assert analyze(capsys, str(path), "--swap-roles", "--json", str(swapped))[0] == 0
    again = SessionExport.model_validate_json(swapped.read_text())
    assert speaker_accuracy(turns, words_with_roles(again)) <= 0.1


def test_silence_is_a_valid_result_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: str
) -> None:
    out_json = tmp_path / "q.json"
    code, out, err = analyze(capsys, str(silence(tmp_path, 20.0)), "--json", str(out_json))
    assert code == 0, err
    assert "No speech was found" in out
    export = SessionExport.model_validate_json(out_json.read_text())
    assert export.utterances == [] and export.risk_flags == []
    assert export.metrics.silence_ratio == 1.0


def test_jfk_is_transcribed_word_for_word(
    capsys: pytest.CaptureFixture[str], shared_audio: Path, tmp_path: Path
) -> None:
    out_json = tmp_path / "jfk.json"
    assert analyze(capsys, str(shared_audio / "jfk.flac"), "--json", str(out_json))[0] == 0
    export = SessionExport.model_validate_json(out_json.read_text())
    reference = (
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country."
    )
    assert wer(reference, " ".join(u.text for u in export.utterances)) == 0.0
    assert {u.role for u in export.utterances} == {"unknown"}  # one voice: no role is guessed


def test_two_speakers_known_skips_the_one_voice_verdict(
    capsys: pytest.CaptureFixture[str], shared_audio: Path, tmp_path: Path
) -> None:
    """jfk.flac is one voice: judged so unasked; told two people speak, the rule says so."""
    verdicts = []
    for extra in ([], ["--two-speakers"]):
        out_json = tmp_path / f"jfk{len(extra)}.json"
        code, _out, err = analyze(
            capsys, str(shared_audio / "jfk.flac"), *extra, "--json", str(out_json)
        )
        assert code == 0, err
        verdicts.append(SessionExport.model_validate_json(out_json.read_text()).session.diarization)
    assert verdicts[0] and "one voice" in verdicts[0]
    assert verdicts[1] and "questions" in verdicts[1]
