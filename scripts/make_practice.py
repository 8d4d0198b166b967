"""Store and analyse the project's practice sessions in COPILOT_HOME's database.

    .venv/bin/python scripts/make_practice.py              # text only: practice --make-sessions
    .venv/bin/python scripts/make_practice.py --audio DIR  # spoken by espeak-ng, audio kept

With --audio each session is rendered by the project's session builder (scripts/speech.py: two
espeak-ng voices, therapist left, client right, seeded gaps, no backchannels), written as Opus,
and stored with the script's own text at the times each turn was spoken; the audio is kept so
practice can play it. A session already stored under the same id is left as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech

from copilot.errors import SessionNotFound
from copilot.practice.material import PRACTICE, store_practice_session, store_practice_sessions
from copilot.settings import Settings
from copilot.storage import SessionStore

SEED = 20
QUIET = speech.Gaps(long_p=0.0, backchannel_p=0.0, backchannel_same_p=0.0)


def spoken(store: SessionStore, settings: Settings, out: Path) -> list[str]:
    made = []
    for name, turns in PRACTICE.items():
        try:
            store.get(name)
            continue
        except SessionNotFound:
            pass
        stereo, placed = speech.render_dialogue(
            [speech.Turn(role, text) for role, text in turns], SEED, gaps=QUIET
        )
        audio = speech.write_audio(out / f"{name}.ogg", stereo)
        timings = [(p.start, p.end) for p in placed]
        made.append(store_practice_session(store, settings, name, timings, audio.resolve()))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=Path, metavar="DIR", help="speak them; keep the audio here")
    args = parser.parse_args()
    settings = Settings.load()
    with SessionStore() as store:
        if args.audio:
            args.audio.mkdir(parents=True, exist_ok=True)
            made = spoken(store, settings, args.audio)
        else:
            made = store_practice_sessions(store, settings)
    print(json.dumps({"stored": made}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
