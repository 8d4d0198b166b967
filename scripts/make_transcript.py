"""Write the demo session's dialogue (scripts/demo_dialogue.py, fictional) as a Zoom-style WebVTT
transcript: `Name: text` cues of at most 12 words, timed at 150 words a minute, repeated until
`--minutes` are filled. The material for the import benchmark and the supervision screenshots.

    .venv/bin/python scripts/make_transcript.py --minutes 60 --out transcript.vtt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = {"therapist": "Dr Mira Okafor", "client": "Sam Rivers"}  # invented for the transcript


def _clock(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_vtt(path: Path, minutes: float) -> int:
    """Write the transcript; returns how many cues it holds."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo_dialogue import DIALOGUE

    lines, t, cues = ["WEBVTT", ""], 0.5, 0
    while t < minutes * 60:
        for turn in DIALOGUE:
            words = turn.text.split()
            for i in range(0, len(words), 12):
                part = " ".join(words[i : i + 12])
                said = max(1.0, len(part.split()) / 2.5)
                cues += 1
                lines += [str(cues), f"{_clock(t)} --> {_clock(t + said)}"]
                lines += [f"{NAMES[turn.role]}: {part}", ""]
                t += said + 0.2
            t += 0.6
            if t >= minutes * 60:
                break
    path.write_text("\n".join(lines), encoding="utf-8")
    return cues


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(f"{write_vtt(args.out, args.minutes)} cues: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
