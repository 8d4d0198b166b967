"""The structures that cross modules: stored, exported, shown.

Everything here is a pydantic model so that a whole session exports to JSON and validates back.
Times are seconds from the start of the session; datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.findings import (
    AllianceCue,
    ArcPoint,
    Behaviour,
    BehaviourCode,
    BehaviourFigures,
    Evidence,
    KeyMoment,
    Model,
    NeedsMap,
    Provenance,
    SessionSummary,
    StateReading,
    StateShare,
    Theme,
    ThirdsChange,
)

Role = Literal["therapist", "client", "unknown"]
ROLES: tuple[Role, ...] = ("therapist", "client", "unknown")

SessionStatus = Literal["in_progress", "complete", "incomplete", "discarded"]
SessionSource = Literal["file", "live", "demo"]
TranscriptFormat = Literal["vtt", "srt", "txt", "docx"]
ConsentMethod = Literal["verbal", "written"]

RiskCategory = Literal[
    "suicidal_ideation",
    "self_harm",
    "harm_to_others",
    "abuse_neglect",
    "immediate_danger",
    "suicidal_behaviour",
    "intrusive_thoughts",
]
# The fine kind a clinician names (see copilot.analysis.risk.kinds for the ladder).
RiskKind = Literal[
    "passive_wish",
    "active_ideation",
    "method",
    "intent",
    "plan",
    "preparatory",
    "means_access",
    "imminence",
    "attempt",
    "self_harm",
    "harm_thought",
    "harm_intent",
    "harm_means",
    "abuse",
    "neglect",
    "intrusive_thought",
]
RiskLayer = Literal["rules", "learned", "both"]
RiskSeverity = Literal["low", "moderate", "high"]

EXPORT_FORMAT = "session-copilot/1"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Word(Model):
    text: str
    start: float
    end: float
    probability: float = 1.0
    overlap: bool = False  # mono: said while the other speaker talked too, speaker uncertain


class Utterance(Model):
    """One finalised stretch of one speaker's talk."""

    seq: int
    role: Role
    start: float
    end: float
    text: str
    words: list[Word] = Field(default_factory=list)
    confidence: float | None = None
    channel: int | None = None
    speaker: str | None = None
    original_text: str | None = None  # set when the therapist corrected the text

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


class Consent(Model):
    given_by: str
    method: ConsentMethod
    recorded_at: datetime = Field(default_factory=utcnow)
    note: str = ""


class Session(Model):
    id: str
    client_label: str
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    source: SessionSource = "file"
    source_name: str | None = None
    status: SessionStatus = "in_progress"
    duration_s: float | None = None
    model: str | None = None
    channel_roles: list[Role] | None = None
    diarization: str | None = None  # how roles were assigned, stated in words
    consent: Consent | None = None
    language: str = "en"
    # Set when the session came from a transcript file without audio: which kind of file.
    imported_from: TranscriptFormat | None = None
    times_estimated: bool = False  # the file had no times: they were estimated from word counts


class RoleMetrics(Model):
    talk_time_s: float
    talk_ratio: float
    words: int
    words_per_minute: float | None
    utterances: int
    turns: int
    mean_turn_s: float | None
    median_response_latency_s: float | None
    responses: int


class Gap(Model):
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class Monologue(Model):
    role: Role
    start: float
    end: float
    duration_s: float
    words: int


class SessionMetrics(Model):
    duration_s: float
    speech_s: float
    silence_s: float
    silence_ratio: float
    silences: list[Gap]  # stretches of shared silence of at least SILENCE_MIN_S
    pauses: int  # within-turn pauses of at least PAUSE_MIN_S
    overlap_s: float
    roles: dict[str, RoleMetrics]
    turns: int
    longest_monologue: Monologue | None
    therapist_question_share: float | None
    # Measures this session's material cannot support (no audio, no word times, no times at
    # all): shown as "not available", never as zero. Names are field names, "role.field" inside
    # `roles`, or "prosody".
    unavailable: list[str] = Field(default_factory=list)


class StateScore(Model):
    label: str
    score: float


class EmotionReading(Model):
    """The client's emotional states in one utterance, read by an emotion engine."""

    utterance_seq: int
    start: float
    states: list[StateScore]  # best first
    valence: float  # -1 (unpleasant) .. +1 (pleasant)
    arousal: float  # 0 (calm) .. 1 (activated)
    in_context: bool = False  # a short turn read with the turns around it
    engine: str = "local"


class ProsodyReading(Model):
    utterance_seq: int
    loudness_db: float | None
    pitch_hz: float | None
    pitch_variability_st: float | None
    speech_rate_wps: float | None
    pause_before_s: float | None
    relative: dict[str, float] = Field(default_factory=dict)  # z-scores against the baseline
    observations: list[str] = Field(default_factory=list)


class RiskExemplar(Model):
    """A curated sentence the learned layer found close in meaning, with its similarity."""

    kind: RiskKind
    text: str
    similarity: float


class RiskFlag(Model):
    """Flags stored before kinds existed load with `kind` None and `layer` "rules"."""

    utterance_seq: int
    role: Role
    start: float
    end: float
    category: RiskCategory
    severity: RiskSeverity
    quote: str
    rule: str  # the rule that fired; empty when only the learned layer did
    negated: bool = False
    reported_speech: bool = False
    acknowledged_at: datetime | None = None
    kind: RiskKind | None = None
    past: bool = False
    child_involved: bool = False
    layer: RiskLayer = "rules"
    score: float | None = None  # the learned layer's margin (risk exemplars over everyday)
    exemplars: list[RiskExemplar] = Field(default_factory=list)


RiskVerdict = Literal["not_risk", "missed"]


class RiskMark(Model):
    """What a therapist said of one flag or one missed sentence: all a shared file carries."""

    verdict: RiskVerdict
    quote: str
    kind: RiskKind | None = None
    category: RiskCategory | None = None
    layer: RiskLayer | None = None
    rule: str = ""
    note: str = ""


class RiskFeedback(RiskMark):
    """A therapist's mark on the detector: a flag that was not risk, or a sentence it missed.

    Stored locally, never sent anywhere; exported only when the therapist chooses to."""

    session_id: str
    utterance_seq: int
    created_at: datetime = Field(default_factory=utcnow)


# Export fields private to whoever ran the analysis: left out of anything shared unless chosen.
PRIVATE_EXPORT_FIELDS: frozenset[str] = frozenset({"therapist_behaviour", "behaviour_figures"})


class SessionExport(Model):
    """A whole session as one document: what `--json` writes and what validates back."""

    format: str = EXPORT_FORMAT
    session: Session
    utterances: list[Utterance]
    metrics: SessionMetrics
    emotions: list[EmotionReading] = Field(default_factory=list)
    prosody: list[ProsodyReading] = Field(default_factory=list)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    summary: SessionSummary | None = None
    notes: list[Note] = Field(default_factory=list)
    # The therapist's own behaviours (private: see PRIVATE_EXPORT_FIELDS and for_sharing()).
    therapist_behaviour: list[BehaviourCode] = Field(default_factory=list)
    behaviour_figures: BehaviourFigures | None = None

    def for_sharing(self, include_behaviour: bool = False) -> SessionExport:
        """A copy fit to leave the therapist's hands: the behaviour codes and figures only when
        the therapist chose to include them."""
        if include_behaviour:
            return self.model_copy()
        return self.model_copy(update={"therapist_behaviour": [], "behaviour_figures": None})


class Note(Model):
    """A private note the therapist typed during the session, time-stamped into it."""

    at: float
    text: str
    created_at: datetime = Field(default_factory=utcnow)


SessionExport.model_rebuild()


Aspect = Literal["felt", "pull", "alliance", "needs", "care"]


class ReflectionPrompt(BaseModel):
    """A reflection question on one moment of a session, for the therapist alone."""

    model_config = ConfigDict(extra="forbid")

    id: str  # stable for the same session, aspect and moment
    session_id: str
    aspect: Aspect
    facet: str = ""  # alliance: goals | tasks | bond; needs: tools | connection
    start: float
    utterance_seq: int | None
    speaker: Role
    quote: str  # verbatim from the transcript
    truncated: bool = False  # the quote is the opening of a longer utterance
    seen: str = ""  # what the analysis noticed there, if anything (about the client)
    question: str
    wording: str = "local"


# Every public name, those re-exported from copilot.findings included.
__all__ = [
    "EXPORT_FORMAT",
    "PRIVATE_EXPORT_FIELDS",
    "ROLES",
    "AllianceCue",
    "ArcPoint",
    "Aspect",
    "Behaviour",
    "BehaviourCode",
    "BehaviourFigures",
    "Consent",
    "ConsentMethod",
    "EmotionReading",
    "Evidence",
    "Gap",
    "KeyMoment",
    "Model",
    "Monologue",
    "NeedsMap",
    "Note",
    "ProsodyReading",
    "Provenance",
    "ReflectionPrompt",
    "RiskCategory",
    "RiskExemplar",
    "RiskFeedback",
    "RiskFlag",
    "RiskKind",
    "RiskLayer",
    "RiskSeverity",
    "RiskVerdict",
    "Role",
    "RoleMetrics",
    "Session",
    "SessionExport",
    "SessionMetrics",
    "SessionSource",
    "SessionStatus",
    "SessionSummary",
    "StateReading",
    "StateScore",
    "StateShare",
    "Theme",
    "ThirdsChange",
    "TranscriptFormat",
    "Utterance",
    "Word",
    "utcnow",
]
