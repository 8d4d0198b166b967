"""Build a two-speaker session from real read speech (../shared/data/real_speech) and its reference.

    .venv/bin/python scripts/make_real_session.py --pair 533,3080 --minutes 2 --out DIR [--seed 7]
        [--telephone] [--reverb] [--snr-db 20] [--format flac]

Writes DIR/session.<format> (stereo: the first reader on the left as "therapist", the second on
the right as "client"), DIR/session-mono.<format> (both in one channel, effects applied to the
mix) and DIR/session.json: {"turns": [{role, speaker, sex, kind, text, start, end, clip}],
"overlaps": [[start, end]], ...}, the format the benchmarks and tests read for espeak sessions.

Turns are whole clips (3-21 s of read text), alternating between the readers, who starts drawn
from the seed; gaps of 0.2-1.5 s; now and then the next reader starts 0.2-0.8 s before the other
stops (an overlap, listed in "overlaps"); now and then the listener says a few words between two
turns of the same reader (a backchannel: the opening words of one of the listener's clips, cut at
the first pause and labelled with the exact transcript's words once Whisper confirms the cut
holds those words and no more). There are only about 37-60 s per reader, so turns reuse clips:
a session longer than that repeats sentences. The same arguments give the same files.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import real_voices as rv
import speech

from copilot.evaluation import normalise_words

GAP_S = (0.2, 1.5)
OVERLAP_S = (0.2, 0.8)
BACKCHANNEL_GAP_S = (0.2, 0.6)
CUT_SPEECH_S = (0.25, 1.5)  # how much speech may come before the first pause that ends a cut
CUT_PAUSE_FRAMES = 6  # 60 ms of quiet
ROLES = ("therapist", "client")


@dataclass
class Placed:
    role: str
    speaker: str
    sex: str
    kind: str  # "turn" or "backchannel"
    text: str
    start: float
    end: float
    clip: str


@dataclass(frozen=True)
class Options:
    minutes: float = 2.0
    overlap_p: float = 0.15
    backchannel_p: float = 0.15
    telephone: bool = False
    reverb: bool = False
    snr_db: float | None = None


@cache
def cut(clip: rv.Clip) -> tuple[speech.Audio, str] | None:
    """The clip's opening words up to a pause, with their exact text: the first pause within
    1.5 s of speech where Whisper hears in the cut the transcript's first words and no more."""
    audio = rv.load(clip)
    frames = len(audio) // 160
    level = 20 * np.log10(np.sqrt(np.mean(audio[: frames * 160].reshape(frames, 160) ** 2, 1)))
    loud = level > level.max() - 30
    onset = int(np.argmax(loud))
    quiet = 0
    for i in range(onset, frames):
        quiet = quiet + 1 if not loud[i] else 0
        spoken = (i - quiet - onset) / 100
        if quiet == CUT_PAUSE_FRAMES and CUT_SPEECH_S[0] <= spoken <= CUT_SPEECH_S[1]:
            found = _labelled(audio[onset * 160 : (i - quiet // 2) * 160], clip.text)
            if found is not None:
                return found
        if spoken > CUT_SPEECH_S[1]:
            return None
    return None


def _labelled(piece: speech.Audio, text: str) -> tuple[speech.Audio, str] | None:
    from copilot.pipeline import load_engine

    heard = " ".join(s.text for s in load_engine("tiny.en", 2).transcribe(piece, offset=0.0))
    said = normalise_words(heard)
    words = text.split()
    if not said or normalise_words(" ".join(words[: len(said)])) != said:
        return None
    return piece, " ".join(words[: len(said)])


def plan(pair: tuple[str, str], seed: int, options: Options) -> list[tuple[Placed, speech.Audio]]:
    """Turns with their audio, placed on the timeline."""
    rng = random.Random(seed)
    readers = {r: list(rv.clips()[r]) for r in pair}
    for clip_list in readers.values():
        rng.shuffle(clip_list)
    drawn = dict.fromkeys(pair, 0)

    def next_clip(reader: str) -> rv.Clip:
        clip = readers[reader][drawn[reader] % len(readers[reader])]
        drawn[reader] += 1
        return clip

    role = dict(zip(pair, ROLES, strict=True))
    speaker = rng.choice(pair)
    out: list[tuple[Placed, speech.Audio]] = []
    cursor = 0.5
    while cursor < options.minutes * 60:
        clip = next_clip(speaker)
        audio = rv.load(clip)
        if out:
            cursor += _gap(out[-1][0], rng, options)
        turn = Placed(role[speaker], speaker, clip.sex, "turn", clip.text, 0.0, 0.0, clip.file)
        out.append((_at(turn, cursor, audio), audio))
        cursor = out[-1][0].end
        listener = pair[1] if speaker == pair[0] else pair[0]
        if rng.random() < options.backchannel_p:
            after = _backchannel(out, listener, role[listener], cursor, rng)
            if after is not None:
                cursor = after
                continue  # the same reader goes on after the listener's few words
        speaker = listener
    return out


def _gap(previous: Placed, rng: random.Random, options: Options) -> float:
    long_enough = previous.kind == "turn" and previous.end - previous.start > 2.0
    if long_enough and rng.random() < options.overlap_p:
        return -rng.uniform(*OVERLAP_S)
    return rng.uniform(*GAP_S)


def _backchannel(
    out: list[tuple[Placed, speech.Audio]],
    listener: str,
    role: str,
    cursor: float,
    rng: random.Random,
) -> float | None:
    """Place a few of the listener's words after `cursor`; None when none of their clips cuts."""
    cuts = [(c, found) for c in rv.clips()[listener] if (found := cut(c)) is not None]
    if not cuts:
        return None
    clip, (audio, text) = rng.choice(cuts)
    start = cursor + rng.uniform(*BACKCHANNEL_GAP_S)
    placed = Placed(role, listener, clip.sex, "backchannel", text, 0.0, 0.0, clip.file)
    out.append((_at(placed, start, audio), audio))
    return out[-1][0].end + rng.uniform(*BACKCHANNEL_GAP_S)


def _at(turn: Placed, start: float, audio: speech.Audio) -> Placed:
    turn.start, turn.end = round(start, 3), round(start + len(audio) / rv.SAMPLE_RATE, 3)
    return turn


def render(
    turns: list[tuple[Placed, speech.Audio]], seed: int, options: Options
) -> tuple[speech.Audio, speech.Audio]:
    """Stereo (a reader per channel) and mono (their sum), each through the chosen line/room."""
    total = int((max(t.end for t, _ in turns) + 1.0) * rv.SAMPLE_RATE)
    stereo = np.zeros((total, 2), np.float32)
    for turn, audio in turns:
        at = round(turn.start * rv.SAMPLE_RATE)
        stereo[at : at + len(audio), ROLES.index(turn.role)] += audio
    mono = stereo.sum(axis=1)
    rng = random.Random(seed + 1)
    out = []
    for audio in (stereo, mono):
        if options.reverb:
            audio = rv.room(audio, rng)
        if options.snr_db is not None:  # the room's noise, then the line that carries it all
            audio = rv.noise(audio, options.snr_db, rng)
        if options.telephone:
            audio = rv.telephone(audio)
        peak = float(np.max(np.abs(audio)))
        out.append((audio * min(1.0, 0.9 / peak)).astype(np.float32))
    return out[0], out[1]


def overlaps(turns: list[Placed]) -> list[list[float]]:
    spans = []
    for a, b in itertools.pairwise(turns):
        if b.start < a.end and a.speaker != b.speaker:
            spans.append([b.start, min(a.end, b.end)])
    return spans


def build(
    pair: tuple[str, str], out: Path, seed: int, options: Options, fmt: str = "flac"
) -> tuple[Path, Path, Path]:
    unknown = [r for r in pair if r not in rv.clips()]
    if unknown or pair[0] == pair[1]:
        raise SystemExit(f"--pair needs two different readers of {sorted(rv.clips())}")
    turns = plan(pair, seed, options)
    stereo, mono = render(turns, seed, options)
    placed = [t for t, _ in turns]
    stereo_path = speech.write_audio(out / f"session.{fmt}", stereo)
    mono_path = speech.write_audio(out / f"session-mono.{fmt}", mono)
    doc = {
        "turns": [asdict(t) for t in placed],
        "overlaps": overlaps(placed),
        "voices": {ROLES[0]: pair[0], ROLES[1]: pair[1]},
        "generator": {"tool": "real_speech", "seed": seed, **asdict(options)},
        "duration_s": round(len(mono) / rv.SAMPLE_RATE, 3),
    }
    reference = out / "session.json"
    reference.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return stereo_path, mono_path, reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pair", required=True, help="two reader ids, e.g. 533,3080")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("ogg", "flac", "wav"), default="flac")
    parser.add_argument("--telephone", action="store_true", help="300-3400 Hz band")
    parser.add_argument("--reverb", action="store_true", help="a room's reverberation")
    parser.add_argument("--snr-db", type=float, help="background noise this far below speech")
    args = parser.parse_args()
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    a, _, b = args.pair.partition(",")
    options = Options(args.minutes, telephone=args.telephone, reverb=args.reverb)
    options = Options(**{**asdict(options), "snr_db": args.snr_db})
    stereo, _mono, reference = build((a, b), args.out, args.seed, options, args.format)
    doc = json.loads(reference.read_text())
    print(f"{stereo} ({doc['duration_s'] / 60:.1f} min, {len(doc['turns'])} turns)")


if __name__ == "__main__":
    main()
