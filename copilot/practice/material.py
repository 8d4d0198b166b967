"""Practice sessions the project writes: fictional clients, text only (no audio is pretended).

Each is stored as a finished session (source "demo", its name saying it is a practice script)
and analysed by the local analysers, so that practice pauses at its key moments as on any other.
`scripts/make_practice.py --audio DIR` speaks them with espeak-ng first (the project's session
builder), keeps the audio and places each written turn where it was spoken, so practice can play
them; the text stays the script's own, not a transcription.
The therapist's lines are there to keep the exchange natural; the trainee answers at the client's.
"""

from __future__ import annotations

from pathlib import Path

from copilot.domain import Consent, Session, Utterance, Word
from copilot.errors import SessionNotFound
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

WORDS_PER_S, GAP_S = 2.6, 0.9
T, C = "therapist", "client"

PRACTICE: dict[str, list[tuple[str, str]]] = {
    "practice-work": [
        (T, "What would you like to focus on today?"),
        (C, "Work, I suppose. I've started dreading Mondays so much that I can't enjoy Sundays."),
        (T, "The dread spills over into the weekend."),
        (
            C,
            "My new manager checks everything I do. Yesterday she rewrote my whole report in "
            "front of the team.",
        ),
        (T, "What was that like?"),
        (C, "Humiliating. I just sat there and smiled, and then I cried in the toilets."),
        (T, "You held it together in the room."),
        (
            C,
            "I always do. And then I go home and snap at my partner over nothing, which makes me "
            "feel even worse.",
        ),
        (T, "How does your partner respond?"),
        (
            C,
            "He's patient, but I can tell he's getting tired of it. I'm scared I'll push him away.",
        ),
        (T, "What would you want to be different?"),
        (C, "I'd like to be able to say something to her, calmly, instead of swallowing it."),
    ],
    "practice-loss": [
        (T, "How have the last couple of weeks been?"),
        (C, "Quiet. Too quiet. Since the dog died the house feels empty when I get home."),
        (T, "He was part of every day."),
        (C, "Fourteen years. People say he was only a dog, so I don't talk about it."),
        (T, "What do you miss most?"),
        (C, "The walks. He got me out of the house when nothing else could."),
        (T, "And now there's no reason to go out."),
        (C, "I haven't been out for a walk since. I just sit, and the days blur into each other."),
        (T, "Is there anyone you can talk to about him?"),
        (
            C,
            "My sister called on Sunday and actually asked about him. It was such a relief to "
            "be asked.",
        ),
    ],
    "practice-change": [
        (T, "Last time you mentioned wanting to cut down on drinking. Where are you with that?"),
        (
            C,
            "Honestly, I don't know. Part of me wants to stop, and part of me thinks it's the "
            "only thing that gets me through the evening.",
        ),
        (T, "Both of those are true for you."),
        (C, "My daughter asked me why I'm always tired. I didn't know what to say to her."),
        (T, "What went through your mind when she asked?"),
        (C, "That I'm turning into my father. I swore I never would."),
        (T, "That's a painful thought."),
        (C, "I managed three evenings without a drink last week, and I was proud of that."),
        (T, "How did you do it?"),
        (
            C,
            "I went to the gym straight from work so I didn't pass the shop. But I'm not sure I "
            "can keep it up.",
        ),
    ],
}


Timing = tuple[float, float]


def practice_session(
    name: str, timings: list[Timing] | None = None
) -> tuple[Session, list[Utterance]]:
    """A practice session's record and turns: at the given (start, end) times when its audio was
    generated, else at a steady reading pace."""
    spoken = timings is not None
    session = Session(
        id=name,
        client_label=f"Practice: {name.split('-', 1)[1]}",
        source="demo",
        source_name="practice script, spoken by espeak-ng"
        if spoken
        else "practice script (text only, written by the project)",
        consent=Consent(given_by="fictional client", method="written", note="practice script"),
    )
    utterances, t = [], 1.0
    for seq, (role, text) in enumerate(PRACTICE[name]):
        start, end = timings[seq] if timings else (t, t + len(text.split()) / WORDS_PER_S)
        step = (end - start) / max(1, len(text.split()))
        words = [
            Word(text=w, start=round(start + i * step, 2), end=round(start + (i + 1) * step, 2))
            for i, w in enumerate(text.split())
        ]
        utterances.append(
            Utterance(seq=seq, role=role, start=round(start, 2), end=round(end, 2), text=text,
                      words=words)
        )  # fmt: skip
        t = end + GAP_S
    return session, utterances


def store_practice_session(
    store: SessionStore,
    settings: Settings,
    name: str,
    timings: list[Timing] | None = None,
    audio: Path | None = None,
) -> str:
    """Store and analyse one practice session (its generated audio kept, when there is one)."""
    from copilot.analysis.run import analyse_session

    session, utterances = practice_session(name, timings)
    store.create(session)
    store.transcript.append(session.id, utterances)
    if audio is not None:
        store.update(session.id, audio_path=str(audio))
    analyse_session(store, session.id, audio_path=audio, settings=settings)
    return session.id


def store_practice_sessions(store: SessionStore, settings: Settings) -> list[str]:
    """Store and analyse the text-only practice sessions not stored yet; returns their ids."""
    made = []
    for name in PRACTICE:
        try:
            store.get(name)
        except SessionNotFound:
            made.append(store_practice_session(store, settings, name))
    return made
