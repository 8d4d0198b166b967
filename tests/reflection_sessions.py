"""Two short sessions written from domain models (no audio, no speech recognition) and stored
through `SessionStore` with their analyses; the summaries come from the real local analyser."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from copilot.analysis import metrics
from copilot.analysis.summary import LocalSessionAnalyser
from copilot.domain import (
    EmotionReading,
    Provenance,
    RiskFlag,
    Session,
    SessionExport,
    StateScore,
    Utterance,
)
from copilot.storage import SessionStore

# (role, text, (label, score, valence, arousal) for client turns)
Reading = tuple[str, float, float, float]
Line = tuple[str, str, Reading | None]

PANIC: list[Line] = [
    ("therapist", "What would you like to focus on today?", None),
    ("client", "Work has been relentless and I had a panic attack on the train on Tuesday.",
     ("anxiety/fear", 0.7, -0.7, 0.8)),
    ("therapist", "That sounds frightening. What was it like on the train?", None),
    ("client", "My chest went tight and I was sure everyone was staring at me.",
     ("anxiety/fear", 0.85, -0.8, 0.9)),
    ("therapist", "Have you tried slowing your breathing when it starts? You could try counting "
     "to four.", None),
    ("client", "I just want something practical I can do when it starts, a plan.",
     ("anxiety/fear", 0.5, -0.3, 0.5)),
    ("therapist", "Let's make a plan together for the mornings.", None),
    ("client", "My goal is to get back on the train without dreading it.",
     ("anxiety/fear", 0.4, -0.3, 0.4)),
    ("therapist", "That is a clear goal.", None),
    ("client", "It helps that I trust you enough to say all this.", ("joy/relief", 0.7, 0.6, 0.3)),
    ("therapist", "I'm glad. Let's stop there for today.", None),
    ("client", "Thank you, I feel a bit lighter than when I came in.",
     ("joy/relief", 0.75, 0.7, 0.3)),
]  # fmt: skip

GRIEF: list[Line] = [
    ("therapist", "How have the last two weeks been since the funeral?", None),
    ("client", "Quiet. The house is so quiet without my mother.", ("sadness", 0.8, -0.7, 0.2)),
    ("therapist", "The quiet sounds heavy.", None),
    ("client", "Everyone keeps giving me advice, but I don't need advice, I just need someone "
     "to listen.", ("anger/irritation", 0.6, -0.5, 0.6)),
    ("therapist", "I'm here, and I'm listening. Tell me more about her.", None),
    ("client", "She used to ring me every Sunday, and on Sunday I still pick up the phone.",
     ("sadness", 0.9, -0.8, 0.3)),
    ("therapist", "That Sunday call was a part of your week.", None),
    ("client", "Some days I feel so alone in it that nothing seems worth the effort.",
     ("hopelessness", 0.7, -0.85, 0.25)),
    ("therapist", "It sounds lonely. I'm glad you told me.", None),
    ("client", "It's easier to tell you than my brother.", ("sadness", 0.4, -0.2, 0.2)),
    ("therapist", "We can keep coming back to her, week by week.", None),
    ("client", "I would like that. I miss her voice.", ("sadness", 0.7, -0.6, 0.2)),
]  # fmt: skip

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_export(
    session_id: str, script: list[Line], created: datetime = DAY, flags: Sequence[RiskFlag] = ()
) -> SessionExport:
    utterances, readings, t = [], [], 2.0
    for seq, (role, text, reading) in enumerate(script):
        end = t + max(2.0, len(text.split()) * 0.4)
        utterances.append(Utterance(seq=seq, role=role, start=t, end=end, text=text))
        if reading:
            label, score, valence, arousal = reading
            states = [StateScore(label=label, score=score),
                      StateScore(label="neutral", score=round(1 - score, 2))]  # fmt: skip
            readings.append(EmotionReading(utterance_seq=seq, start=t, states=states,
                                           valence=valence, arousal=arousal))  # fmt: skip
        t = end + 1.5
    session = Session(
        id=session_id,
        client_label="Pseudonym",
        created_at=created,
        ended_at=created + timedelta(seconds=t),
        status="complete",
        duration_s=t,
    )
    export = SessionExport(
        session=session,
        utterances=utterances,
        metrics=metrics.compute(utterances, t),
        emotions=readings,
        risk_flags=list(flags),
    )
    summary = LocalSessionAnalyser().summarise(export)
    return export.model_copy(update={"summary": summary})


def store_export(store: SessionStore, export: SessionExport) -> None:
    sid = export.session.id
    store.create(export.session)
    store.transcript.append(sid, export.utterances)
    store.analyses.save_analysis(sid, "metrics", Provenance(engine="local-metrics"), export.metrics)
    store.analyses.save_analysis(
        sid, "risk_flags", Provenance(engine="test-rules"), export.risk_flags
    )
    store.analyses.save_analysis(sid, "emotions", Provenance(engine="test"), export.emotions)
    assert export.summary is not None
    store.analyses.save_analysis(sid, "summary", export.summary.provenance, export.summary)


def grief_flag(export: SessionExport) -> RiskFlag:
    u = export.utterances[7]
    return RiskFlag(utterance_seq=u.seq, role="client", start=u.start, end=u.end,
                    category="suicidal_ideation", severity="low",
                    quote="nothing seems worth the effort", rule="test")  # fmt: skip
