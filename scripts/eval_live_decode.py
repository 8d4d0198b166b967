"""Word error rates of the live decoding policy, without waiting for real time; prints JSON.

The live session's segmenter cuts each channel of a generated session into finals; each final is
decoded as the live session's first pass decodes it (the speaker's last seconds in front), then
the finals go through the second pass (copilot.transcription.revision) on the session's clock:
each final handed over when its first text would be out, the queues looked at every half second,
one reviser decoding the windows in turn. Printed beside `analyze` on the same audio, for the
shipped policy and each `--policy` given: the revised WER, the windows decoded, the reviser's
CPU seconds, and how long after its audio ended each final's revision came (p50 / p95). The
quick way to compare policies before a real-time run on the rig (scripts/bench_live.py), which
adds threads, devices and load: on the seed-11 session the 18 s limit alone read 1.44 x
`analyze` here and 1.39-1.53 x on the rig, no limit 1.15 here and 1.10 on the rig.

tiny.en's WER on one session moves by about a quarter under changes no listener hears, and
`analyze` moves with it: on the seed-11 session, 0.040 as generated, 0.051 with the audio 37 ms
later, 0.055 with noise at -70 dB. `--variants` decodes such copies as well and pools them, so
that a policy is judged on more than one draw of that noise.

    .venv/bin/python scripts/eval_live_decode.py [--minutes 10] [--seed 11] [--session FILE]
        [--variants] [--threads 1] [--policy 'NAME=wait_s:18,ahead_s:0,to_now:0' ...]
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from copilot.audio.files import SAMPLE_RATE  # noqa: E402
from copilot.domain import Role, Utterance  # noqa: E402
from copilot.transcription.streaming import Job  # noqa: E402

Heard = list[tuple[str, float, str]]

# Copies of the session no listener tells apart from it (--variants).
VARIANTS: dict[str, Any] = {
    "as generated": None,
    "37 ms later": lambda a: np.concatenate([np.zeros((592, 2), np.float32), a[:-592]]),
    "noise at -70 dB": lambda a: a + np.random.default_rng(0).normal(0, 10 ** (-70 / 20), a.shape),
    "0.8 of the level": lambda a: a * 0.8,
}


def finals(stereo: np.ndarray) -> list[Job]:
    """The final jobs the live segmenter makes of each channel, in the order they end."""
    from copilot.transcription.engine import SileroVad
    from copilot.transcription.streaming import StreamParams, UtteranceSegmenter

    jobs: list[Job] = []
    for channel, role in enumerate(("therapist", "client")):
        segmenter = UtteranceSegmenter(role, SileroVad(), StreamParams(partials=False))  # type: ignore[arg-type]
        audio = np.ascontiguousarray(stereo[:, channel], dtype=np.float32)
        for i in range(0, len(audio), SAMPLE_RATE // 50):
            jobs += segmenter.feed(audio[i : i + SAMPLE_RATE // 50])
        jobs += segmenter.flush()
    return sorted(jobs, key=lambda j: j.speech_end)


def first_pass(
    jobs: list[Job], engine: Any
) -> tuple[dict[int, Utterance], dict[int, Job], list[float], dict[int, float]]:
    """Each final decoded after the speaker's last seconds, as the live session's worker does;
    also when each utterance's first text is out (session time: its speech's end and the decode,
    as if decodes never queued)."""
    from copilot.transcription.context import SpeakerContext, decode_final
    from copilot.transcription.hallucinations import join_words

    heard: dict[Role, SpeakerContext] = {}
    out: dict[int, Utterance] = {}
    decoded_from: dict[int, Job] = {}
    times: list[float] = []
    out_at: dict[int, float] = {}
    for job in jobs:
        began = time.perf_counter()
        context = heard.setdefault(job.role, SpeakerContext())
        segments = decode_final(engine, context, job.audio, job.start)
        times.append(time.perf_counter() - began)
        words = [w for s in segments for w in s.words]
        if not words:
            continue
        seq = len(out)
        out[seq] = Utterance(
            seq=seq, role=job.role, start=words[0].start, end=words[-1].end, text=join_words(words),
            words=words,
        )  # fmt: skip
        decoded_from[seq] = job
        out_at[seq] = job.speech_end + times[-1]
    return out, decoded_from, times, out_at


def second_pass(
    first: dict[int, Utterance],
    jobs: dict[int, Job],
    out_at: dict[int, float],
    stereo: np.ndarray,
    engine: Any,
    queue_options: dict[str, float],
) -> tuple[dict[int, Utterance], list[float], list[float]]:
    """The finals revised window by window on the session's clock, as the reviser thread does:
    each final handed over when its first text is out, the queues looked at every half second
    (MONITOR_EVERY_S), a window reaching back over revised finals for context, and one reviser
    decoding the windows in turn. Returns the revised utterances, each window's decode time and
    each final's wait for its revision (from the end of its audio)."""
    from copilot.diarization.by_channel import channel_segments
    from copilot.live.options import RING_S
    from copilot.live.session import MONITOR_EVERY_S
    from copilot.transcription.revision import Final, RevisionQueue, assign, revised

    out = dict(first)
    times: list[float] = []
    waits: list[float] = []
    queues: dict[str, RevisionQueue] = {}
    free_at = 0.0  # when the reviser is done with the windows handed to it so far

    def revise(role: str, due: list[Final], lo_s: float, hi_s: float, now: float) -> None:
        nonlocal free_at
        channel = 0 if role == "therapist" else 1
        lo, hi = round(lo_s * SAMPLE_RATE), round(hi_s * SAMPLE_RATE)
        own = np.ascontiguousarray(stereo[lo:hi, channel])
        other = np.ascontiguousarray(stereo[lo:hi, 1]) if role == "therapist" else None
        began = time.perf_counter()
        words = assign(channel_segments(engine, own, lo_s, other), due)
        times.append(time.perf_counter() - began)
        free_at = max(free_at, now) + times[-1]
        waits.extend(free_at - final.end for final in due)
        for final in due:
            after = revised(out[final.seq], words.get(final.seq, []))
            out[final.seq] = after or out[final.seq]

    def submit(now: float, everything: bool = False) -> None:
        for role, waiting in queues.items():
            if waiting.finals and (everything or waiting.due(now)):
                taken = waiting.take(float("inf") if everything else now)
                to_now = queue_options.get("to_now", 1.0) and not everything  # as the session
                newest = min(now, len(stereo) / SAMPLE_RATE) if to_now else None
                revise(role, taken, *waiting.window(taken, max(0.0, now - RING_S), newest), now)

    options = {k: v for k, v in queue_options.items() if k != "to_now"}  # RevisionQueue's own
    arrivals = sorted((at, seq) for seq, at in out_at.items())
    tick = 0.0
    for at, seq in arrivals:
        while tick < at:
            submit(tick)
            tick += MONITOR_EVERY_S
        job = jobs[seq]
        if job.role not in queues:
            queues[job.role] = RevisionQueue(**options)  # type: ignore[arg-type]
        waiting = queues[job.role]
        waiting.add(Final(seq, job.start, job.start + len(job.audio) / SAMPLE_RATE))
        submit(at)
    submit(len(stereo) / SAMPLE_RATE, everything=True)
    return out, times, waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--session", type=Path, help="a session.flac with its session.json")
    parser.add_argument("--variants", action="store_true", help="pool copies no one hears apart")
    parser.add_argument("--threads", type=int, default=1, help="the first pass's (as live_threads)")
    parser.add_argument(
        "--policy",
        action="append",
        metavar="NAME=KEY:VALUE,...",
        help="a second-pass policy to compare: RevisionQueue's options, and to_now:0 for a "
        "window that ends at its last final (e.g. 'first limit=wait_s:18,ahead_s:0,to_now:0'); "
        "the shipped one ('as shipped') is always measured",
    )
    args = parser.parse_args()
    policies: dict[str, dict[str, float]] = {"as shipped": {}}
    for spec in args.policy or []:
        name, _, pairs = spec.partition("=")
        policies[name] = {k: float(v) for k, v in (p.split(":") for p in pairs.split(",") if p)}
    import speech

    from copilot.pipeline import load_engine

    folder = Path(tempfile.mkdtemp(prefix="eval-live-"))
    os.environ["COPILOT_HOME"] = str(folder / "home")
    path = args.session
    if path is None:
        make = [sys.executable, str(ROOT / "scripts" / "make_session.py"), "--out", str(folder)]
        make += ["--minutes", str(args.minutes), "--seed", str(args.seed), "--format", "flac"]
        subprocess.run(make, check=True, stdout=subprocess.DEVNULL)
        path = folder / "session.flac"
    turns = json.loads(path.with_suffix(".json").read_text())["turns"]
    stereo, _rate = speech.read_audio(path)
    engines = load_engine("tiny.en", args.threads), load_engine("tiny.en", 1, slot="second pass")
    if not args.variants:
        report = evaluate(path, stereo.astype(np.float32), turns, engines, policies)
        print(json.dumps(report, indent=2))
        return
    reports = {}
    for name, change in VARIANTS.items():
        copy = path
        if change is not None:
            copy = speech.write_audio(folder / "variant.flac", change(stereo).astype(np.float32))
        reports[name] = evaluate(copy, speech.read_audio(copy)[0], turns, engines, policies)
    pooled: dict[str, Any] = {
        key: round(statistics.mean(r[key] for r in reports.values()), 4)
        for key in ("first_pass_wer", "offline_wer")
    }
    for name in policies:
        wer = statistics.mean(r[name]["revised_wer"] for r in reports.values())
        pooled[name] = {
            "revised_wer": round(wer, 4),
            "revised_over_offline": round(wer / pooled["offline_wer"], 3),
            "cpu_s": round(sum(r[name]["cpu_s"] for r in reports.values()), 1),
        }
    print(json.dumps({"variants": reports, "mean": pooled}, indent=2))


def evaluate(
    path: Path,
    stereo: np.ndarray,
    turns: list[dict[str, Any]],
    engines: tuple[Any, Any],
    policies: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """The first pass once, then the second pass under each policy (RevisionQueue's options)."""
    from bench_live import offline_wer
    from live_measures import role_wer

    stereo = stereo.astype(np.float32)
    jobs = finals(stereo)
    cpu = time.process_time()  # the whole process: any thread a decode keeps busy counts
    first, decoded_from, first_times, out_at = first_pass(jobs, engines[0])
    first_cpu = time.process_time() - cpu

    def heard(utterances: dict[int, Utterance]) -> Heard:
        return [(u.role, u.start, u.text) for u in utterances.values()]

    offline = offline_wer(path, turns)
    first_wer = role_wer(turns, heard(first))
    report: dict[str, Any] = {
        "minutes": round(len(stereo) / SAMPLE_RATE / 60, 2),
        "finals": len(jobs),
        "offline_wer": round(offline, 4),
        "first_pass_wer": round(first_wer, 4),
        "first_pass_over_offline": round(first_wer / offline, 3) if offline else None,
        "first_pass_decode_p50_ms": round(1000 * statistics.median(first_times)),
        "first_pass_decode_p95_ms": round(1000 * float(np.percentile(first_times, 95))),
        "first_pass_cpu_s": round(first_cpu, 1),
        "first_pass_cpu_over_wall": round(first_cpu / sum(first_times), 2),
    }
    for name, options in policies.items():
        cpu = time.process_time()
        second, times, waits = second_pass(first, decoded_from, out_at, stereo, engines[1], options)
        second_cpu = time.process_time() - cpu
        revised_wer = role_wer(turns, heard(second))
        report[name] = {
            "options": options,
            "revised_wer": round(revised_wer, 4),
            "revised_over_offline": round(revised_wer / offline, 3) if offline else None,
            "windows": len(times),
            "decode_p50_s": round(statistics.median(times), 2) if times else None,
            "cpu_s": round(second_cpu, 1),
            "cpu_share_of_one_core": round(second_cpu / (len(stereo) / SAMPLE_RATE), 3),
            "revised_after_p50_s": round(statistics.median(waits), 1) if waits else None,
            "revised_after_p95_s": round(float(np.percentile(waits, 95)), 1) if waits else None,
            "revised_utterances": sum(first[s].text != second[s].text for s in first),
        }
    return report


if __name__ == "__main__":
    main()
