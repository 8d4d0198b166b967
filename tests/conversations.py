"""Conversations written for the emotion tests (never real patient talk): the client's words
carry one state each, among ordinary talk, as a session would."""

from __future__ import annotations

from copilot.domain import Utterance

WORRY = [
    ("therapist", "What has been on your mind this week?"),
    ("client", "Mostly the future. I keep worrying about what is going to happen next year."),
    ("therapist", "Tell me more about that."),
    ("client", "What if I lose my job and we cannot pay the rent? I am scared of that."),
    ("client", "I lie awake at night thinking about everything that could go wrong."),
    ("therapist", "How does that feel in your body?"),
    ("client", "My heart races and my chest gets tight, I feel so nervous all the time."),
    ("client", "I took the bus here today."),
    ("client", "I'm afraid I will never get my life together."),
]
GRIEF = [
    ("therapist", "How have you been since the funeral?"),
    ("client", "My mum died in March and I still can't believe she's gone."),
    ("therapist", "That is a big loss."),
    ("client", "I miss her every single day. The house feels so empty without her."),
    ("client", "I cried for hours when I found her old letters in a drawer."),
    ("therapist", "What did the letters say?"),
    ("client", "Just ordinary things, about the garden and the weather."),
    ("client", "Some days the sadness is so heavy I can hardly get up."),
]
SMALL_TALK = [
    ("therapist", "Come in, have a seat."),
    ("client", "Thanks. The traffic was fine this morning."),
    ("therapist", "Good. Did you find parking?"),
    ("client", "Yes, there was a space right outside the building."),
    ("client", "We are painting the kitchen this weekend, a pale green I think."),
    ("therapist", "That sounds like a project."),
    ("client", "My brother is coming over on Sunday to help with it."),
]


def as_utterances(turns: list[tuple[str, str]]) -> list[Utterance]:
    out, t = [], 0.0
    for seq, (role, text) in enumerate(turns):
        dur = 0.4 * len(text.split())
        out.append(Utterance(seq=seq, role=role, start=t, end=t + dur, text=text))  # type: ignore[arg-type]
        t += dur + 1.0
    return out
