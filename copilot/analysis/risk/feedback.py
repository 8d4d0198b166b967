"""The file a therapist may choose to share so the detector can improve: their marks, no more.

Each mark carries the sentence as transcribed, what the detector said of it (kind, layer, rule)
and the therapist's verdict and note. No session id, client label, time or other sentence goes
in. Nothing is sent: the file is written where the therapist says, and sharing it is their act.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from copilot.analysis.risk.kinds import category_of
from copilot.analysis.risk.learned import model_id
from copilot.domain import (
    RiskFeedback,
    RiskFlag,
    RiskKind,
    RiskMark,
    RiskVerdict,
    utcnow,
)
from copilot.errors import CopilotError, SessionNotFound
from copilot.fields import shared_fields
from copilot.storage import SessionStore

FORMAT: Literal["session-copilot-risk-feedback/1"] = "session-copilot-risk-feedback/1"


class FeedbackExport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["session-copilot-risk-feedback/1"] = FORMAT
    exported_at: datetime = Field(default_factory=utcnow)
    detector: str  # which learned layer the marks were made against
    marks: list[RiskMark]


def shared(marks: Sequence[RiskFeedback]) -> FeedbackExport:
    return FeedbackExport(
        detector=model_id(),
        # A shared mark is the stored one less where it was made (session, utterance, time).
        marks=[RiskMark(**m.model_dump(include=set(RiskMark.model_fields))) for m in marks],
    )


def write_export(path: Path, marks: Sequence[RiskFeedback]) -> FeedbackExport:
    document = shared(marks)
    try:
        path.write_text(document.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CopilotError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return document


class MarkRequest(BaseModel):
    """What a therapist says of one sentence of a stored session, from the window or the command
    line alike: "not_risk" names one of its flags (by kind, or its only one); "missed" names a
    client sentence no flag covered (the kind is optional)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str
    utterance_seq: int
    verdict: RiskVerdict
    kind: RiskKind | None = None
    note: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _no_kind(cls, value: object) -> object:
        return value or None  # the page sends "" when no kind is chosen


def make_mark(store: SessionStore, request: MarkRequest) -> RiskFeedback:
    session_id, utterance_seq = request.session_id, request.utterance_seq
    verdict, kind, note = request.verdict, request.kind, request.note
    utterance = next(
        (u for u in store.transcript.utterances(session_id) if u.seq == utterance_seq), None
    )
    if utterance is None:
        raise SessionNotFound(f"no utterance {utterance_seq} in session {session_id!r}")
    flags = [
        f
        for f in store.analyses.latest_list(session_id, "risk_flags", RiskFlag)
        if f.utterance_seq == utterance_seq and (kind is None or f.kind == kind)
    ]
    if verdict == "missed":
        mark = RiskMark(
            verdict=verdict,
            quote=utterance.text,
            kind=kind,
            category=category_of(kind) if kind else None,
            note=note,
        )
    elif len(flags) != 1:
        found = "no flag" if not flags else f"{len(flags)} flags (name the kind)"
        raise CopilotError(f"utterance {utterance_seq} has {found} to mark as not risk")
    else:
        (flag,) = flags
        mark = RiskMark(verdict=verdict, note=note, **shared_fields(flag, RiskMark))
    return RiskFeedback(**mark.model_dump(), session_id=session_id, utterance_seq=utterance_seq)
