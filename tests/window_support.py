"""What the window tests share: a scripted emotion engine and a stored, analysed session.

The emotion engine is a boundary here (the window is under test, not the classifier): it reads
states from a few cue words so that the page has something definite to show.
"""

from __future__ import annotations

from collections.abc import Sequence

from copilot.analysis.run import analyse_session
from copilot.domain import (
    Consent,
    EmotionReading,
    Note,
    Provenance,
    Session,
    StateScore,
    Utterance,
    Word,
)
from copilot.plugins import registry
from copilot.settings import Settings
from copilot.storage import SessionStore

CUES = {
    "sadness": ("flat", "sad", "lonely", "burden"),
    "anxiety/fear": ("worried", "scared", "afraid"),
    "joy/relief": ("better", "relief", "glad"),
}


class ScriptedEmotion:
    name = "scripted"

    def read(self, utterances: Sequence[Utterance]) -> list[EmotionReading]:
        readings = []
        for u in utterances:
            if u.role != "client":
                continue
            text = u.text.lower()
            hits = {label: sum(w in text for w in words) for label, words in CUES.items()}
            label, count = max(hits.items(), key=lambda kv: kv[1])
            if count == 0:
                label = "neutral"
            score = 0.8 if count else 0.6
            valence = 0.6 if label == "joy/relief" else (-0.6 if count else 0.0)
            readings.append(
                EmotionReading(
                    utterance_seq=u.seq,
                    start=u.start,
                    states=[StateScore(label=label, score=score)],
                    valence=valence,
                    arousal=0.4,
                    engine="scripted",
                )
            )
        return readings

    def provenance(self) -> Provenance:
        return Provenance(engine="scripted-emotion")


def use_scripted_emotion() -> None:
    registry().register("emotion", "scripted", ScriptedEmotion)
    settings = Settings.load()
    settings.emotion_engine = "scripted"
    settings.save()


TURNS = [
    ("therapist", "How has the week been?"),
    ("client", "Honestly I feel flat most of the time, and lonely in the evenings."),
    ("therapist", "Flat and lonely. Tell me about the evenings."),
    ("client", "Sometimes I think everyone would be better off without me."),
    ("therapist", "Thank you for telling me that. Can we stay with it for a moment?"),
    ("client", "Yes. I am worried about work too, I am scared of losing the job."),
    ("therapist", "What would help most this week?"),
    ("client", "Maybe some practical steps. Talking helps, I feel a little better now."),
]


def _utterance(seq: int, role: str, text: str, start: float) -> Utterance:
    words, t = [], start
    for w in text.split():
        words.append(Word(text=w, start=round(t, 2), end=round(t + 0.3, 2)))
        t += 0.35
    return Utterance(
        seq=seq, role=role, start=start, end=round(t, 2), text=text, words=words,  # type: ignore[arg-type]
        confidence=0.9,
    )  # fmt: skip


def stored_session(
    client_label: str = "R.K.",
    session_id: str = "20250101-0900-rk",
    turns: list[tuple[str, str]] | None = None,
) -> str:
    """A finished session, analysed by the real local analysers (emotion scripted)."""
    use_scripted_emotion()
    store = SessionStore()
    try:
        store.create(
            Session(
                id=session_id,
                client_label=client_label,
                source="file",
                source_name="generated.wav",
                model="tiny.en",
                consent=Consent(given_by="client", method="written"),
            )
        )
        utterances, t = [], 1.0
        for seq, (role, text) in enumerate(turns or TURNS):
            u = _utterance(seq, role, text, t)
            utterances.append(u)
            t = u.end + 1.2
        store.transcript.append(session_id, utterances)
        store.marks.add_note(session_id, Note(at=12.0, text="Check in about evenings next time"))
        analyse_session(store, session_id, audio_path=None, settings=Settings.load())
    finally:
        store.close()
    return session_id
