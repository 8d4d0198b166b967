"""Generate a two-voice therapy-like session of a given length (espeak-ng), with its script.

    .venv/bin/python scripts/make_session.py --minutes 10 --out DIR [--seed 7] [--format ogg]

Writes DIR/session.<format> (stereo, 16 kHz: therapist left, client right) and DIR/session.json
({"turns": [{role, text, start, end}], ...}). Lines are composed from the fragments below, so a
long session rarely repeats a sentence; the same seed gives the same session.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech

PEOPLE = ("my sister", "my manager", "my partner", "my father", "my mother", "my best friend")
PLACES = ("at work", "at home", "on the bus", "at the shop", "in the evenings", "at weekends")
FEELINGS = ("anxious", "tired", "frustrated", "lonely", "hopeful", "calmer", "sad", "restless")
ACTIVITIES = (
    "going for a walk",
    "cooking dinner",
    "reading before bed",
    "calling a friend",
    "writing in my notebook",
    "working in the garden",
)

CLIENT = (
    "This week I felt {feeling} most of the time, especially {place}.",
    "I had an argument with {person} and I keep thinking about it.",
    "I tried {activity} like we discussed, and it helped a little.",
    "When I talk to {person} I notice my chest gets tight.",
    "I slept badly on Tuesday and the whole day felt heavy.",
    "Honestly I am not sure things are getting better, but I am still trying.",
    "I felt {feeling} when {person} did not call me back.",
    "Some mornings I do not want to get out of bed at all.",
    "I was proud of myself for saying no {place} for once.",
    "I keep worrying that people will see me as a failure.",
    "It was easier to breathe after {activity} on Sunday.",
    "I think I avoid {person} because I am afraid of another fight.",
    "Work has been busy and I come home with nothing left.",
    "I noticed the thought again that I am never good enough.",
    "Yesterday was a good day, I felt almost {feeling}.",
)
THERAPIST = (
    "What did you notice in your body when that happened?",
    "It sounds like that left you feeling {feeling}.",
    "How did you respond to {person} in that moment?",
    "What would you say to a friend who felt that way?",
    "Let us slow down and stay with that feeling for a moment.",
    "When you say that, what goes through your mind?",
    "You mentioned {activity}. How did it go this time?",
    "That took courage. What made it possible?",
    "How have things been {place} since we last met?",
    "What would a small step forward look like this week?",
    "It makes sense that you feel {feeling} after a week like that.",
    "Can you tell me more about what happened with {person}?",
    "On a scale from one to ten, how strong was that worry?",
    "What helped you get through the hardest moment?",
)
OPENING = ("therapist", "Welcome back. How has your week been?")
CLOSING = (
    ("therapist", "We are nearly out of time. What would you like to take from today?"),
    ("client", "I want to remember to be a bit kinder to myself."),
    ("therapist", "That sounds like a good place to stop. See you next week."),
)
MEAN_GAP_S = 1.6  # speech.Gaps: mostly 0.4 to 1.5 s, longer pauses and backchannels


def compose(template: str, rng: random.Random, role: str) -> str:
    """A line from a template; the therapist speaks of the client's people as "your"."""
    values = {
        "person": rng.choice(PEOPLE),
        "place": rng.choice(PLACES),
        "feeling": rng.choice(FEELINGS),
        "activity": rng.choice(ACTIVITIES),
    }
    if role == "therapist":
        values = {k: v.replace("my ", "your ") for k, v in values.items()}
    return template.format(**values)


def script(minutes: float, seed: int, cache: Path | None) -> list[speech.Turn]:
    """Alternating turns until their speech and pauses fill `minutes`."""
    rng = random.Random(seed)
    target = minutes * 60
    turns = [speech.Turn(*OPENING)]
    spoken = _seconds(turns[0], cache) + MEAN_GAP_S
    closing = [speech.Turn(role, text) for role, text in CLOSING]
    tail = sum(_seconds(t, cache) + MEAN_GAP_S for t in closing)
    recent: list[str] = []
    while spoken + tail < target:
        role = "client" if turns[-1].role == "therapist" else "therapist"
        pool = CLIENT if role == "client" else THERAPIST
        text = compose(rng.choice(pool), rng, role)
        if text in recent:
            continue
        recent = [*recent[-12:], text]
        turn = speech.Turn(role, text)
        turns.append(turn)
        spoken += _seconds(turn, cache) + MEAN_GAP_S
    return [*turns, *closing]


def _seconds(turn: speech.Turn, cache: Path | None) -> float:
    audio = speech.synth(turn.text, speech.VOICES[turn.role], cache_dir=cache)
    return len(audio) / speech.SAMPLE_RATE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("ogg", "flac", "wav"), default="flac")
    parser.add_argument("--bleed-db", type=float, help="mix each side into the other, dB down")
    args = parser.parse_args()
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    cache = args.out / ".speech-cache"
    turns = script(args.minutes, args.seed, cache)
    stereo, placed = speech.render_dialogue(
        turns, args.seed, bleed_db=args.bleed_db, cache_dir=cache
    )
    audio_path = speech.write_audio(args.out / f"session.{args.format}", stereo)
    speech.reference_json(
        placed,
        args.out / "session.json",
        generator={"tool": "espeak-ng", "version": speech.espeak_version(), "seed": args.seed},
        duration_s=len(stereo) / speech.SAMPLE_RATE,
    )
    print(f"{audio_path} ({len(stereo) / speech.SAMPLE_RATE / 60:.1f} min, {len(placed)} turns)")


if __name__ == "__main__":
    main()
