"""What an analysis found, and what produced it: the session summary (states, arc, moments,
needs, alliance, themes) and the therapist's behaviour codes, each with its evidence.

Split from copilot.domain, which re-exports every name here; `Model` is the strict base of both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(Model):
    quote: str
    start: float
    utterance_seq: int | None = None
    note: str = ""


class StateShare(Model):
    """A state that led the client's talk, with the evidence for it (see analysis/states.py)."""

    label: str
    share: float  # share of the emotional evidence in the client's words (neutral adds none)
    utterances: int  # turns where the state read present
    evidence: float = 0.0  # accumulated evidence, in "one clear full sentence" units
    quotes: list[Evidence] = Field(default_factory=list)  # strongest first, verbatim


class StateReading(Model):
    """What the client's words expressed over a stretch (a session, or the last few turns):
    leading states; or "mixed / unclear" when no state holds a clear share; or nothing at all
    when nothing stood out (small talk), which is not a claim that nothing was felt."""

    leading: list[StateShare] = Field(default_factory=list)
    unclear: bool = False
    headline: str | None = None  # what to show: the leading states, "mixed / unclear", or None
    evidence: float = 0.0  # all the non-neutral evidence
    turns: int = 0


class ArcPoint(Model):
    start: float
    end: float
    scores: dict[str, float]
    valence: float
    arousal: float


class KeyMoment(Model):
    kind: Literal["peak", "shift", "risk"]
    start: float
    utterance_seq: int | None
    quote: str
    state: str
    confidence: float
    observation: str


class ThirdsChange(Model):
    first: dict[str, float]
    last: dict[str, float]
    observations: list[str]


class NeedsMap(Model):
    """Where the client's talk sat between seeking practical tools and seeking connection."""

    position: float | None  # -1 tools .. +1 connection; None without evidence
    tools: list[Evidence]
    connection: list[Evidence]


class AllianceCue(Model):
    aspect: Literal["goals", "tasks", "bond"]
    evidence: Evidence
    observation: str


class Theme(Model):
    name: str
    evidence: list[Evidence]


class Provenance(Model):
    engine: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_digest: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class SessionSummary(Model):
    """Observations about the client's states, each with evidence. Never a diagnosis."""

    provenance: Provenance
    dominant_states: list[StateShare] = Field(default_factory=list)
    states_unclear: bool = False  # emotional talk without a clear leading state
    arc: list[ArcPoint] = Field(default_factory=list)
    key_moments: list[KeyMoment] = Field(default_factory=list)
    change: ThirdsChange | None = None
    needs_map: NeedsMap | None = None
    observations: list[str] = Field(default_factory=list)
    # What a language model adds; empty from the local analyser.
    narrative: str | None = None
    themes: list[Theme] = Field(default_factory=list)
    expressed_needs: list[Evidence] = Field(default_factory=list)
    alliance: list[AllianceCue] = Field(default_factory=list)
    possibly_unsaid: list[Evidence] = Field(default_factory=list)
    dropped_quotes: int = 0


Behaviour = Literal[
    "open_question", "closed_question", "simple_reflection", "complex_reflection", "other"
]


class BehaviourCode(Model):
    """One therapist utterance's behaviour, coded after MITI 4.2.1, with the model's confidence."""

    utterance_seq: int
    start: float
    code: Behaviour
    confidence: float


class BehaviourFigures(Model):
    """The session's MITI summary figures from the codes, with the benchmark bands beside them."""

    counts: dict[str, int]
    utterances: int
    reflections: int
    questions: int
    reflection_to_question: float | None  # reflections per question
    percent_complex_reflections: float | None  # of reflections
    percent_open_questions: float | None  # of questions
    bands: dict[str, str | None]  # "below fair" | "fair" | "good" per figure
    thresholds: dict[str, dict[str, float]]
