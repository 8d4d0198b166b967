"""The structures of practice: what the trainee answered and the feedback they were given."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from copilot.domain import StateScore, utcnow


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StateFeedback(_Model):
    """The client's states as the model read them in one turn, beside the trainee's reading."""

    model_states: list[StateScore]  # what the model read, best first (score >= 0.5 or the top)
    quote: str  # the client's own words: the evidence
    agreed: list[str]  # states both named
    missed: list[str]  # the model read them; the trainee did not name them
    extra: list[str]  # the trainee named them; the model did not read them
    lines: list[str]


class ReplyFeedback(_Model):
    code: str  # a behaviour from copilot.analysis.behaviour.BEHAVIOURS
    label: str
    confidence: float
    names_feeling: bool
    feeling_words: list[str]
    example: str  # one complex reflection built from the client's words
    example_note: str
    lines: list[str]


class PracticeFeedback(_Model):
    states: StateFeedback
    reply: ReplyFeedback | None  # None when the trainee wrote no reply


class PracticeAnswer(_Model):
    run_id: str
    utterance_seq: int
    at: datetime = Field(default_factory=utcnow)
    states: list[str]
    confidence: float = Field(ge=0.0, le=1.0)
    reply: str
    feedback: PracticeFeedback


class PracticeRun(_Model):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    session_id: str
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    pauses: list[int]  # client utterance seqs, in time order
    answers: list[PracticeAnswer] = Field(default_factory=list)


class PracticeSummary(_Model):
    run_id: str
    session_id: str
    started_at: datetime
    answered: int
    pauses: int
    state_agreement: float | None  # share of answers naming at least one state the model read
    mean_confidence: float | None
    confidence_when_agreed: float | None
    confidence_when_not: float | None
    reply_codes: dict[str, int]
    reflections: float | None  # share of replies that were reflections
    complex_reflections: float | None  # share of reflections that were complex
    open_questions: float | None  # share of questions that were open
    named_feeling: float | None  # share of replies naming a feeling
    lines: list[str]
