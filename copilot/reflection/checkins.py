"""Running a check-in: asking the items, scoring them, storing the answers in the journal.

Each check-in is stored with the instrument's id, version and file digest (which exact wording
was answered) and the day's load beside it: how emotionally intense the day's sessions were,
how many carried risk flags, and how much time there was between them. The load is read from
the session database but stored only in the journal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from copilot.domain import EmotionReading, RiskFlag, Session, SessionSummary, utcnow
from copilot.fields import prefixed_fields
from copilot.reflection import reminders
from copilot.reflection.instruments import Instrument, Kind, ScaleScore, score
from copilot.storage.journal import JournalStore
from copilot.storage.repository import SessionStore


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionLoad(_Model):
    session_id: str
    started: datetime
    ended: datetime | None
    intensity: float | None  # mean over the client's readings of (|valence| + arousal) / 2
    peak_intensity: float | None
    risk_flags: int


class LoadContext(_Model):
    """The day's sessions as the analysis saw them: information beside a check-in, no score."""

    day: date
    sessions: int
    mean_intensity: float | None
    peak_intensity: float | None
    sessions_with_risk: int
    risk_flags: int
    gaps_min: list[float]  # minutes from the end of one session to the start of the next
    detail: list[SessionLoad] = Field(default_factory=list)

    @property
    def shortest_gap_min(self) -> float | None:
        return min(self.gaps_min) if self.gaps_min else None


class CheckIn(_Model):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = Field(default_factory=utcnow)
    kind: Kind
    instrument_id: str
    instrument_version: str
    instrument_digest: str
    instrument_title: str
    session_id: str | None = None
    answers: dict[str, int]
    scores: list[ScaleScore]
    context: LoadContext | None = None


# load context ----------------------------------------------------------------------------------


def intensity(reading: EmotionReading) -> float:
    """How strongly felt a reading was, 0..1: distance from neutral valence, and activation."""
    return (abs(reading.valence) + reading.arousal) / 2


def session_load(store: SessionStore, session: Session) -> SessionLoad:
    readings = store.analyses.latest_list(session.id, "emotions", EmotionReading)
    values = [intensity(r) for r in readings]
    if not values:  # an analyser's summary without per-utterance readings
        summary = store.analyses.latest_as(session.id, "summary", SessionSummary)
        values = [(abs(p.valence) + p.arousal) / 2 for p in (summary.arc if summary else [])]
    flags = store.analyses.latest_list(session.id, "risk_flags", RiskFlag)
    ended = session.ended_at
    if ended is None and session.duration_s:
        ended = session.created_at + timedelta(seconds=session.duration_s)
    return SessionLoad(
        session_id=session.id,
        started=session.created_at,
        ended=ended,
        intensity=round(sum(values) / len(values), 3) if values else None,
        peak_intensity=round(max(values), 3) if values else None,
        risk_flags=sum(1 for f in flags if not f.negated),
    )


def load_context(store: SessionStore, day: date | None = None) -> LoadContext:
    """The load of the sessions that started on this local day (today by default)."""
    day = day or datetime.now().astimezone().date()
    sessions = [s for s in store.list_sessions() if s.created_at.astimezone().date() == day]
    loads = sorted((session_load(store, s) for s in sessions), key=lambda x: x.started)
    intensities = [x.intensity for x in loads if x.intensity is not None]
    peaks = [x.peak_intensity for x in loads if x.peak_intensity is not None]
    gaps = []
    for before, after in pairwise(loads):
        end = before.ended or before.started
        gaps.append(round(max(0.0, (after.started - end).total_seconds() / 60), 1))
    return LoadContext(
        day=day,
        sessions=len(loads),
        mean_intensity=round(sum(intensities) / len(intensities), 3) if intensities else None,
        peak_intensity=max(peaks) if peaks else None,
        sessions_with_risk=sum(1 for x in loads if x.risk_flags),
        risk_flags=sum(x.risk_flags for x in loads),
        gaps_min=gaps,
        detail=loads,
    )


def describe_load(context: LoadContext) -> str:
    if not context.sessions:
        return f"{context.day}: no sessions recorded."
    parts = [f"{context.day}: {context.sessions} session(s)"]
    if context.mean_intensity is not None:
        parts.append(f"emotional intensity {context.mean_intensity:.2f} (0 calm … 1 intense)")
    if context.sessions_with_risk:
        parts.append(f"{context.sessions_with_risk} with risk language")
    if context.shortest_gap_min is not None:
        parts.append(f"shortest gap between sessions {context.shortest_gap_min:.0f} min")
    return ", ".join(parts) + "."


# running and storing ---------------------------------------------------------------------------


def make_checkin(
    instrument: Instrument,
    answers: dict[str, int],
    context: LoadContext | None = None,
    session_id: str | None = None,
    at: datetime | None = None,
) -> CheckIn:
    return CheckIn(
        at=at or utcnow(),
        kind=instrument.kind,
        **prefixed_fields(instrument, CheckIn, "instrument_"),
        session_id=session_id,
        answers=answers,
        scores=score(instrument, answers),
        context=context,
    )


def record_checkin(
    store: SessionStore,
    journal: JournalStore,
    instrument: Instrument,
    answers: dict[str, int],
    session_id: str | None = None,
) -> tuple[CheckIn, LoadContext]:
    """Score a check-in against today's load, keep it in the journal, and close the reminder of
    the session it follows. The one way the window and the command line record one."""
    session = store.get(session_id).id if session_id else None
    context = load_context(store)
    result = make_checkin(instrument, answers, context, session)
    CheckInStore(journal).save(result)
    if session:
        reminders.close(journal, session)
    return result, context


def ask(
    instrument: Instrument, read: Callable[[str], str], write: Callable[[str], None]
) -> dict[str, int]:
    """Ask each item on a terminal; a bad answer is asked again with the reason."""
    scale = instrument.response
    write(f"{instrument.title} — {scale.hint()}")
    if instrument.instructions:
        write(instrument.instructions)
    if not instrument.validated:
        write("(The project's own items; not a validated instrument.)")
    answers: dict[str, int] = {}
    for number, item in enumerate(instrument.items, 1):
        while True:
            text = read(f"{number}/{len(instrument.items)} {item.text} [{scale.min}-{scale.max}] ")
            value = _whole(text)
            if value is not None and scale.min <= value <= scale.max:
                answers[item.id] = value
                break
            write(f"   please answer with a whole number from {scale.min} to {scale.max}")
    return answers


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


class CheckInStore:
    """Check-ins in the journal database (its SQL is copilot.storage.journal's)."""

    def __init__(self, journal: JournalStore):
        self._rows = journal.checkins

    def save(self, checkin: CheckIn) -> None:
        row = checkin.model_dump(mode="json")
        self._rows.insert({**row, "at": checkin.at})

    def list(self, since: datetime | None = None, kinds: Sequence[Kind] = ()) -> list[CheckIn]:
        return [CheckIn.model_validate(r) for r in self._rows.select(since, kinds)]
