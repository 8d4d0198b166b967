"""Build the bundled demo session from `demo_dialogue.py`: stereo Opus plus its reference turns.

    .venv/bin/python scripts/make_demo.py [--out copilot/demo]

Therapist on the left channel, client on the right. The gaps are seeded, so a rebuild on the same
espeak-ng and libopus gives the same turns and times.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import speech
from demo_dialogue import DIALOGUE, SEED

ROOT = Path(__file__).resolve().parents[1]
BITRATE = 24_000
SPEED = 170  # words per minute: keeps the demo under four minutes


def build(out_dir: Path) -> dict[str, object]:
    stereo, placed = speech.render_dialogue(DIALOGUE, SEED, speed=SPEED)
    audio_path = speech.write_audio(out_dir / "demo_session.ogg", stereo, bitrate=BITRATE)
    duration = len(stereo) / speech.SAMPLE_RATE
    generator = {
        "script": "scripts/make_demo.py",
        "synthesiser": speech.espeak_version(),
        "speed": SPEED,
        "seed": SEED,
        "channels": {"therapist": 0, "client": 1},
        "codec": f"opus {BITRATE // 1000} kbit/s",
    }
    ref_path = speech.reference_json(
        placed, out_dir / "demo_session.json", generator=generator, duration_s=duration
    )
    return {
        "audio": str(audio_path),
        "reference": str(ref_path),
        "duration_s": round(duration, 2),
        "bytes": audio_path.stat().st_size,
        "turns": len(placed),
        "words": sum(len(t.text.split()) for t in placed),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "copilot" / "demo")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
