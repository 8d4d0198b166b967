"""Benchmark `session-copilot analyze` on generated sessions; prints one JSON object.

For the bundled demo session and a generated 20-minute session (stereo and the same audio mixed
to mono): wall time, real-time factor, peak RSS of the analysing process, WER against the
script's reference text, and speaker accuracy (share of words given the right role). Also WER
on the shared jfk.flac and stereo_diarization.wav recordings.

    .venv/bin/python scripts/bench_file.py [--minutes 20] [--out bench-out]

`--import-vtt` measures something else instead: `session-copilot import` of a one-hour WebVTT
transcript (no audio), made by repeating the demo session's dialogue in Zoom's cue format
(scripts/make_transcript.py); the full text analysis included. Median wall time and peak RSS
of three runs, each into a fresh COPILOT_HOME:

    nice -n 10 .venv/bin/python scripts/bench_file.py --import-vtt [--minutes 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "audio"
sys.path.insert(0, str(ROOT))

from copilot.audio.files import SAMPLE_RATE, probe, read_all  # noqa: E402
from copilot.evaluation import speaker_accuracy, wer  # noqa: E402

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
STEREO_DIARIZATION = {
    "therapist": "He began a confused complaint against the wizard, who had vanished behind "
    "the curtain on the left.",
    "client": "The horizon seems extremely distant.",
}


def analyze(path: Path, home: Path, extra: list[str] | None = None) -> dict[str, Any]:
    """Run the real CLI in a child process; wall time and the child's own peak RSS."""
    out = home / f"{path.stem}-{len(list(home.glob('*.json')))}.json"
    env = {**os.environ, "COPILOT_HOME": str(home)}
    command = [sys.executable, "-m", "copilot.cli", "analyze", str(path), "--json", str(out)]
    began = time.perf_counter()
    child = subprocess.Popen([*command, *(extra or [])], env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"analyze failed on {path}")
    export = json.loads(out.read_text())
    duration = probe(path).duration_s
    return {
        "wall_s": round(wall, 2),
        "audio_s": round(duration, 1),
        "rtf": round(wall / duration, 4),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "export": export,
    }


def scores(run: dict[str, Any], reference: list[dict[str, Any]]) -> dict[str, Any]:
    utterances = sorted(run.pop("export")["utterances"], key=lambda u: u["start"])
    said = " ".join(t["text"] for t in sorted(reference, key=lambda t: t["start"]))
    heard = " ".join(u["text"] for u in utterances)
    turns = [(t["role"], t["start"], t["end"]) for t in reference]
    words = [(u["role"], (w["start"] + w["end"]) / 2) for u in utterances for w in u["words"]]
    return {
        **run,
        "wer": round(wer(said, heard), 4),
        "speaker_accuracy": round(speaker_accuracy(turns, words), 4),
    }


def mono_copy(path: Path, folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    import speech

    mixed = read_all(path).mean(axis=1)
    out = folder / f"{path.stem}-mono.flac"
    speech.write_audio(out, mixed.astype("float32"), SAMPLE_RATE)
    return out


def session(minutes: float, folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    target = folder / f"generated-{minutes:g}min"
    script = ROOT / "scripts" / "make_session.py"
    subprocess.run(
        [
            sys.executable,
            str(script),
            "--minutes",
            str(minutes),
            "--out",
            str(target),
            "--format",
            "ogg",
            "--seed",
            "11",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target / "session.ogg", json.loads((target / "session.json").read_text())["turns"]


def bench_pair(path: Path, reference: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    stereo = scores(analyze(path, folder), reference)
    mono = scores(analyze(mono_copy(path, folder), folder), reference)
    return {"stereo": stereo, "mono": mono}


def hour_of_vtt(folder: Path, minutes: float) -> tuple[Path, int]:
    """The demo dialogue as a Zoom-style VTT of `minutes` (scripts/make_transcript.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_transcript import write_vtt

    path = folder / f"transcript-{minutes:g}min.vtt"
    return path, write_vtt(path, minutes)


def bench_import(path: Path, folder: Path, runs: int = 3) -> dict[str, Any]:
    walls, peaks = [], []
    for i in range(runs):
        home = folder / f"import-home-{i}"
        env = {**os.environ, "COPILOT_HOME": str(home)}
        out = folder / f"import-{i}.json"
        command = [sys.executable, "-m", "copilot.cli", "import", str(path), "--json", str(out)]
        began = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - began)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"import failed on {path}")
    export = json.loads(out.read_text())
    return {
        "runs": runs,
        "wall_s_median": round(statistics.median(walls), 2),
        "wall_s_all": [round(w, 2) for w in walls],
        "peak_rss_mb_median": round(statistics.median(peaks), 1),
        "utterances": len(export["utterances"]),
        "client_readings": len(export["emotions"]),
        "risk_flags": len(export["risk_flags"]),
        "transcript_s": export["metrics"]["duration_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--out", type=Path, help="keep generated audio and exports here")
    parser.add_argument(
        "--import-vtt", action="store_true", help="only: import and analyse a VTT transcript"
    )
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-file-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.import_vtt:
        minutes = args.minutes if args.minutes != 20.0 else 60.0
        vtt, cues = hour_of_vtt(folder, minutes)
        found = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "import_vtt": {"minutes": minutes, "cues": cues, **bench_import(vtt, folder)},
        }
        print(json.dumps(found, indent=2))
        return
    demo = ROOT / "copilot" / "demo"
    demo_reference = json.loads((demo / "demo_session.json").read_text())["turns"]
    path, reference = session(args.minutes, folder)
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "model": "tiny.en (bundled), int8, 2 threads",
        "demo": bench_pair(demo / "demo_session.ogg", demo_reference, folder),
        f"generated_{args.minutes:g}min": bench_pair(path, reference, folder),
    }
    if SHARED.is_dir():
        jfk = analyze(SHARED / "jfk.flac", folder)
        heard = " ".join(u["text"] for u in jfk.pop("export")["utterances"])
        result["jfk_wer"] = round(wer(JFK, heard), 4)
        pair = analyze(SHARED / "stereo_diarization.wav", folder)
        utterances = pair.pop("export")["utterances"]
        result["stereo_diarization_wer"] = {
            role: round(wer(text, " ".join(u["text"] for u in utterances if u["role"] == role)), 4)
            for role, text in STEREO_DIARIZATION.items()
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
