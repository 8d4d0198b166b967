"""The tuning table for mono speaker attribution: tuning readers only; prints JSON lines.

    nice -n 10 .venv/bin/python scripts/tune_voices.py --out /tmp/tune-voices

Builds 2-minute sessions of the tuning readers (real_voices: never the evaluation readers):
the six TUNE_PAIRS clean and through a telephone line, a room and noise 15 dB down ("phone");
nine pairs (every same-sex pair and three mixed ones) with noise 10 dB down ("harsh"), the ones
not among TUNE_PAIRS also "phone"; and each reader alone (one voice; clean, phone, harsh). Each
mono mix is transcribed once with tiny.en and each window's voice vector computed once (both
cached in --out). For every session it prints the two-cluster split's centre cosine, the turn
kappa, whether two voices are heard, and the share of words given the right speaker with the
voices left to decide and with two speakers known.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import make_real_session as mrs
import real_voices as rv

from copilot.audio.features import span
from copilot.diarization import speaker_embedding, voices
from copilot.diarization.by_channel import channel_segments
from copilot.domain import Word

CONDITIONS = {
    "clean": {},
    "phone": {"telephone": True, "reverb": True, "snr_db": 15.0},
    "harsh": {"telephone": True, "reverb": True, "snr_db": 10.0},
}
FEMALE, MALE = ("367", "1998", "3331"), ("1688", "2609", "3005")


def sessions() -> list[tuple[str, tuple[str, str], int, str]]:
    """(name, readers, seed, condition); a reader alone is the pair (r, r)."""
    out = []
    for i, pair in enumerate(rv.TUNE_PAIRS):
        out += [(f"{pair[0]}-{pair[1]}", pair, 100 + i, c) for c in ("clean", "phone")]
    alone = sorted(FEMALE + MALE)
    for i, r in enumerate(alone):
        out += [(f"{r}-alone", (r, r), 150 + i, c) for c in ("clean", "phone")]
    pairs = [*itertools.combinations(FEMALE, 2), *itertools.combinations(MALE, 2)]
    pairs += [("367", "2609"), ("3331", "1688"), ("1998", "2609")]
    tuned = {frozenset(p) for p in rv.TUNE_PAIRS}
    for i, pair in enumerate(pairs):
        name = f"{pair[0]}-{pair[1]}"
        out.append((name, pair, 120 + i, "harsh"))
        if frozenset(pair) not in tuned:
            out.append((name, pair, 120 + i, "phone"))
    out += [(f"{r}-alone", (r, r), 170 + i, "harsh") for i, r in enumerate(FEMALE + MALE)]
    return out


def prepared(folder: Path, pair: tuple[str, str], seed: int, condition: str) -> Path:
    """The session's mono mix, reference and tiny.en words, built once."""
    from copilot.pipeline import load_engine

    if (folder / "words.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    options = mrs.Options(2.0, **CONDITIONS[condition])
    turns = mrs.plan(pair, seed, options)
    _stereo, mono = mrs.render(turns, seed, options)
    placed = [t for t, _ in turns]
    np.save(folder / "mono.npy", mono)
    reference = {"turns": [vars(t) for t in placed], "overlaps": mrs.overlaps(placed)}
    (folder / "reference.json").write_text(json.dumps(reference))
    segments = channel_segments(load_engine("tiny.en", 2), mono, 0.0, None)
    words = [w.model_dump() for s in segments for w in s.words]
    (folder / "words.json").write_text(json.dumps(words))
    return folder


def truth(words: list[Word], reference: dict[str, list]) -> list[str | None]:  # type: ignore[type-arg]
    """Each word's reader (None inside a listed overlap or where turns touch)."""
    out: list[str | None] = []
    for w in words:
        t = (w.start + w.end) / 2
        inside = {
            x["speaker"] for x in reference["turns"] if x["start"] - 0.15 <= t <= x["end"] + 0.15
        }
        overlapped = any(lo <= t <= hi for lo, hi in reference["overlaps"])
        out.append(next(iter(inside)) if len(inside) == 1 and not overlapped else None)
    return out


def accuracy(path: list[int], readers: list[str | None]) -> float:
    """Share of words given the right reader, under the better matching of voices to readers."""
    known = [(p, r) for p, r in zip(path, readers, strict=True) if r is not None]
    first = sorted({r for _, r in known})
    best = max(sum(1 for p, r in known if (p == 0) == (r == a)) for a in first)
    return round(best / len(known), 4)


def row(folder: Path, name: str, condition: str) -> dict[str, object]:
    words = [Word(**w) for w in json.loads((folder / "words.json").read_text())]
    reference = json.loads((folder / "reference.json").read_text())
    spans = voices.windows(words)
    cached = folder / "vectors.npy"
    if not cached.exists():
        mono = np.load(folder / "mono.npy")
        encoder = speaker_embedding.bundled()
        np.save(cached, encoder.embed([span(mono, lo, hi) for lo, hi in spans]))
    vectors = np.load(cached)
    labels, centres = voices.two_means(vectors)
    readers = truth(words, reference)
    return {
        "session": name,
        "condition": condition,
        "voices": 1 if name.endswith("alone") else 2,
        "cosine": round(float(centres[0] @ centres[1]), 3),
        "turn_kappa": round(voices.turn_kappa(spans, labels), 3),
        "heard_two": voices.heard_two(spans, labels, centres),
        "accuracy": accuracy(voices.attribute(words, spans, vectors).speakers, readers),
        "accuracy_two_known": accuracy(
            voices.attribute(words, spans, vectors, 2).speakers, readers
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="cache of sessions and words")
    args = parser.parse_args()
    for name, pair, seed, condition in sessions():
        folder = prepared(args.out / f"{name}-{condition}", pair, seed, condition)
        print(json.dumps(row(folder, name, condition)), flush=True)


if __name__ == "__main__":
    main()
