"""The structures of clinical supervision: rubric, share bundle, supervisor's reply, review record.

A bundle and a reply each cross from one person's computer to another's, so each names its
format and validates strictly on arrival (unknown fields refused).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from copilot.domain import (
    Consent,
    EmotionReading,
    Model,
    RiskFlag,
    SessionMetrics,
    SessionSummary,
    TranscriptFormat,
    Utterance,
    utcnow,
)

BUNDLE_FORMAT: Literal["session-copilot-share/1"] = "session-copilot-share/1"
REPLY_FORMAT: Literal["session-copilot-review/1"] = "session-copilot-review/1"
Verdict = Literal["reviewed", "needs_revision"]
VERDICT_WORDS: dict[str, str] = {"reviewed": "reviewed", "needs_revision": "needs revision"}


class RubricItem(Model):
    id: str
    name: str
    aspect: str
    description: str


class Rubric(Model):
    id: str
    version: int
    title: str
    scale: dict[int, str]  # score -> what it means
    items: list[RubricItem]

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]


class SharedSession(Model):
    """What a supervisor learns about the session itself: no id, no file path, no audio path."""

    client_label: str
    date: str  # the day the session was made, yyyy-mm-dd
    duration_s: float | None
    language: str = "en"
    imported_from: TranscriptFormat | None = None
    roles_rule: str | None = None  # how roles were assigned, stated in words
    consent: Consent | None = None


class SharedAudio(Model):
    name: str
    mime: str
    data_b64: str


class ShareBundle(Model):
    """A session for a supervisor, redacted. Never holds notes, journal entries or check-ins."""

    format: Literal["session-copilot-share/1"] = BUNDLE_FORMAT
    share_id: str
    made_at: datetime = Field(default_factory=utcnow)
    recipient: str
    session: SharedSession
    utterances: list[Utterance]
    metrics: SessionMetrics
    emotions: list[EmotionReading] = Field(default_factory=list)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    summary: SessionSummary | None = None
    redacted: dict[str, int] = Field(default_factory=dict)  # kind -> distinct values replaced
    rubric: Rubric
    audio: SharedAudio | None = None


class ReviewComment(Model):
    """A supervisor's comment at a time in the session, or on one line of the transcript."""

    at: float | None = None
    utterance_seq: int | None = None
    tag: str | None = None  # a rubric item id
    text: str = Field(min_length=1, max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)


class SupervisionReply(Model):
    """What goes back to the therapist: comments, ratings and a sign-off."""

    format: Literal["session-copilot-review/1"] = REPLY_FORMAT
    reply_id: str
    share_id: str
    reviewer: str = Field(min_length=1, max_length=120)
    rubric_id: str
    rubric_version: int
    comments: list[ReviewComment] = Field(default_factory=list)
    ratings: dict[str, int | None] = Field(default_factory=dict)  # None: not observed
    verdict: Verdict
    note: str = ""
    signed_at: datetime = Field(default_factory=utcnow)


class ReviewRecord(Model):
    """A reply merged into the session it came from: the session's history of reviews."""

    reply: SupervisionReply
    session_id: str
    merged_at: datetime = Field(default_factory=utcnow)


class ShareRecord(Model):
    id: str
    session_id: str
    made_at: datetime
    recipient: str
    path: str
    with_audio: bool
    payload_sha256: str
