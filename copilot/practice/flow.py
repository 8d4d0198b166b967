"""The practice flow, pure: where to pause, the feedback on each answer, the summary of a run.

At each pause the trainee names what the client feels (from the state list, with a confidence)
and types what they would say next. The feedback compares their reading with the states the model
read in the client's words (the quote is the evidence), and codes their reply: which behaviour,
whether it names the client's feeling, and one example complex reflection from the client's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from copilot.analysis.behaviour import LABELS
from copilot.analysis.emotion import THERAPIST_STATES
from copilot.domain import SessionExport, StateScore, Utterance
from copilot.errors import CopilotError
from copilot.practice.examples import EXAMPLE_NOTE, example_reflection, feeling_words
from copilot.practice.models import (
    PracticeAnswer,
    PracticeFeedback,
    PracticeRun,
    PracticeSummary,
    ReplyFeedback,
    StateFeedback,
)

READ_MIN = 0.5  # a state the model would call present
MAX_READ = 3
FALLBACK_PAUSES = 4


class Coder(Protocol):
    def code(self, text: str, context: str | None) -> tuple[str, float, dict[str, float]]: ...


class PracticeError(CopilotError):
    """A practice request that cannot be met (no client turns, an unknown state, ...)."""


def client_turns(export: SessionExport) -> list[Utterance]:
    return [u for u in export.utterances if u.role == "client" and u.text.strip()]


def pause_points(export: SessionExport, chosen: Sequence[int] = ()) -> list[int]:
    """The client turns to pause after: the summary's key moments and the trainee's choices."""
    clients = {u.seq: u for u in client_turns(export)}
    if not clients:
        raise PracticeError("this session has no client turns to practise on")
    unknown = [s for s in chosen if s not in clients]
    if unknown:
        raise PracticeError(f"not client turns in this session: {', '.join(map(str, unknown))}")
    moments = export.summary.key_moments if export.summary else []
    picked = {m.utterance_seq for m in moments if m.utterance_seq in clients} | set(chosen)
    if not picked:  # no summary: the client turns the model read most strongly
        readings = sorted(export.emotions, key=lambda r: -_strength(r.states))
        picked = {r.utterance_seq for r in readings[:FALLBACK_PAUSES] if r.utterance_seq in clients}
    if not picked:  # not analysed at all: client turns spread over the session
        order = sorted(clients.values(), key=lambda u: (u.start, u.seq))
        step = max(1, len(order) // FALLBACK_PAUSES)
        picked = {u.seq for u in order[step - 1 :: step][:FALLBACK_PAUSES]}
    return sorted(picked, key=lambda s: (clients[s].start, s))


def _strength(states: Sequence[StateScore]) -> float:
    return max((s.score for s in states if s.label != "neutral"), default=0.0)


def model_read(export: SessionExport, seq: int) -> list[StateScore]:
    """The states the model read in one client turn: those it would call present, else its top."""
    reading = next((r for r in export.emotions if r.utterance_seq == seq), None)
    if reading is None or not reading.states:
        return []
    present = [s for s in reading.states if s.score >= READ_MIN][:MAX_READ]
    return present or reading.states[:1]


def state_feedback(
    export: SessionExport, seq: int, named: Sequence[str], confidence: float
) -> StateFeedback:
    unknown = [s for s in named if s not in THERAPIST_STATES]
    if unknown:
        raise PracticeError(f"not in the state list: {', '.join(unknown)}")
    turn = _turn(export, seq)
    read = model_read(export, seq)
    read_labels = [s.label for s in read]
    agreed = [s for s in named if s in read_labels]
    missed = [s for s in read_labels if s not in named]
    extra = [s for s in named if s not in read_labels]
    lines = []
    if not read:
        lines.append("The model has no reading of this turn: compare with your own sense of it.")
    elif agreed:
        lines.append(f"You and the model both read {_join(agreed)} in these words.")
    also = " also" if agreed else ""
    for s in read:
        if s.label in missed:
            lines.append(f"The model{also} read {s.label} ({s.score:.0%}) in “{turn.text}”")
    if extra:
        lines.append(
            f"You named {_join(extra)}, which the model did not read in the words: what in the "
            "client's voice or story told you that? The model reads words only."
        )
    if read and not agreed and confidence >= 0.7:
        lines.append("You were quite sure and the model read it differently: worth a second look.")
    return StateFeedback(
        model_states=read, quote=turn.text, agreed=agreed, missed=missed, extra=extra, lines=lines
    )


def reply_feedback(export: SessionExport, seq: int, reply: str, coder: Coder) -> ReplyFeedback:
    turn = _turn(export, seq)
    code, confidence, _ = coder.code(reply, turn.text)
    read = [s.label for s in model_read(export, seq)]
    lead = next((s for s in read if s != "neutral"), read[0] if read else "neutral")
    named = feeling_words(reply)
    kind = "neither a question nor a reflection" if code == "other" else f"a {LABELS[code]}"
    lines = [f"Your reply reads as {kind} ({confidence:.0%} sure)."]
    lines.append(_advice(code))
    if named:
        lines.append(f"It names a feeling: {_join(named)}.")
    else:
        lines.append(f"It does not name a feeling; the client's words carried {lead}.")
    return ReplyFeedback(
        code=code,
        label=LABELS[code],
        confidence=round(confidence, 3),
        names_feeling=bool(named),
        feeling_words=named,
        example=example_reflection(turn.text, lead),
        example_note=EXAMPLE_NOTE,
        lines=lines,
    )


_ADVICE = {
    "complex_reflection": "A complex reflection: it adds meaning to what the client said.",
    "simple_reflection": "A simple reflection: to deepen it, add what you sense underneath "
    "(a feeling, a need, what this means to them).",
    "open_question": "An open question invites the client to say more; a reflection here could "
    "show first that you heard them.",
    "closed_question": "A closed question asks for a short answer; try it as an open question "
    "or a reflection.",
    "other": "Information, affirming, structuring and the like have their place; consider "
    "whether the client first needs to feel heard.",
}


def _advice(code: str) -> str:
    return _ADVICE[code]


def answer(
    run: PracticeRun,
    export: SessionExport,
    seq: int,
    states: Sequence[str],
    confidence: float,
    reply: str,
    coder: Coder,
) -> PracticeAnswer:
    """Feedback on one answer, right after it is given."""
    if seq not in run.pauses:
        raise PracticeError(f"turn {seq} is not one of this practice's pauses")
    reply = reply.strip()
    feedback = PracticeFeedback(
        states=state_feedback(export, seq, list(states), confidence),
        reply=reply_feedback(export, seq, reply, coder) if reply else None,
    )
    return PracticeAnswer(
        run_id=run.id,
        utterance_seq=seq,
        states=list(states),
        confidence=confidence,
        reply=reply,
        feedback=feedback,
    )


def summarise(run: PracticeRun) -> PracticeSummary:
    answers = run.answers
    agreed = [a for a in answers if a.feedback.states.agreed]
    not_agreed = [a for a in answers if a.feedback.states.model_states and a not in agreed]
    replies = [a.feedback.reply for a in answers if a.feedback.reply is not None]
    codes: dict[str, int] = {}
    for r in replies:
        codes[r.code] = codes.get(r.code, 0) + 1
    reflections = codes.get("simple_reflection", 0) + codes.get("complex_reflection", 0)
    questions = codes.get("open_question", 0) + codes.get("closed_question", 0)
    summary = PracticeSummary(
        run_id=run.id,
        session_id=run.session_id,
        started_at=run.started_at,
        answered=len(answers),
        pauses=len(run.pauses),
        state_agreement=_share(len(agreed), len(agreed) + len(not_agreed)),
        mean_confidence=_mean([a.confidence for a in answers]),
        confidence_when_agreed=_mean([a.confidence for a in agreed]),
        confidence_when_not=_mean([a.confidence for a in not_agreed]),
        reply_codes=codes,
        reflections=_share(reflections, len(replies)),
        complex_reflections=_share(codes.get("complex_reflection", 0), reflections),
        open_questions=_share(codes.get("open_question", 0), questions),
        named_feeling=_share(sum(r.names_feeling for r in replies), len(replies)),
        lines=[],
    )
    summary.lines = _summary_lines(summary)
    return summary


def _summary_lines(s: PracticeSummary) -> list[str]:
    lines = [f"You answered {s.answered} of {s.pauses} pauses."]
    if s.state_agreement is not None:
        lines.append(f"Your reading shared a state with the model's in {s.state_agreement:.0%}.")
    if s.confidence_when_agreed is not None and s.confidence_when_not is not None:
        lines.append(
            f"Your confidence: {s.confidence_when_agreed:.0%} when you agreed with the model, "
            f"{s.confidence_when_not:.0%} when you did not."
        )
    if s.reflections is not None:
        lines.append(f"{s.reflections:.0%} of your replies were reflections.")
    if s.complex_reflections is not None:
        lines.append(f"{s.complex_reflections:.0%} of your reflections were complex.")
    if s.named_feeling is not None:
        lines.append(f"{s.named_feeling:.0%} of your replies named a feeling.")
    return lines


def _turn(export: SessionExport, seq: int) -> Utterance:
    for u in export.utterances:
        if u.seq == seq:
            return u
    raise PracticeError(f"no turn {seq} in this session")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _join(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)
