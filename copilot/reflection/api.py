"""The therapist's own side for the window: plain dicts and lists, ready for JSON.

The bridge calls these with the window's store, journal and settings (the session database is
only read here) and hands the results to the page as they are; below, each function's
page-facing arguments, which follow the store, journal and settings it needs. A problem the
therapist can cause raises a `CopilotError` whose message is one readable line (the bridge
turns it into {"error": ...}). Everything written here goes to the private journal
(journal.sqlite3), never to the session database; the session database is only read.

- `prompts_for(session_id)` -> {"session_id", "client_label", "private", "notice",
  "prompts": [{"id", "aspect", "facet", "start", "time", "speaker", "quote", "truncated",
  "seen", "question", "wording", "answer"}]}
  3–5 prompts on moments of the session ("answer" is the latest one saved, or ""); "notice" is
  one line when Claude's wording was asked for and did not arrive, else None.
- `save_answers(session_id, answers)` -> {"saved", "entries": [entry...]}
  `answers` maps prompt id -> text, or is a list of {"prompt_id", "answer", "question"?}
  ("question": the wording the therapist saw, when it was Claude's). Empty answers are skipped;
  an id that is not one of this session's prompts is refused. Closes the session's reminder.
- `journal_entries(session_id=None)` -> [{"id", "session_id", "prompt_id", "aspect",
  "question", "moment_start", "utterance_seq", "answer", "created_at"}]
- `checkin_form(kind="post", instrument_path=None)` -> {"id", "version", "title", "kind",
  "validated", "credit", "note", "instructions", "response": {"min", "max", "labels"},
  "items": [{"id", "text"}], "load": {...}, "load_text"}
  The form to show: the built-in "post" (under a minute) or "periodic" check-in, or an
  instrument file's; "note" says when it is not a validated instrument.
- `submit_checkin(answers, kind="post", instrument_path=None, session_id=None)` ->
  {"id", "at", "instrument", "scores": [{"scale", "name", "score", "low", "high", "band",
  "attention"}], "suggestions": [str], "load": {...}, "load_text"}
  `answers` maps item id -> whole number, or is a list in item order. "suggestions" are gentle
  lines for the therapist's eyes only, when a score is in a band marked for attention.
- `load_today(day=None)` -> {"day", "sessions", "mean_intensity", "peak_intensity",
  "sessions_with_risk", "risk_flags", "gaps_min", "detail": [...], "text"}
- `trend_series(weeks=26)` -> {"series": [{"instrument_id", "instrument_title", "scale", "name",
  "low", "high", "bands": [{"label", "at_least", "attention"}], "points": [{"week", "mean",
  "n"}]}], "suggestions": [str], "svg": str | None}
- `reminders_due()` -> [{"session_id", "due_at", "snoozes", "notice"}]
- `snooze_reminder(session_id, minutes=20)` -> {"session_id", "due_at", "snoozes", "notice"}
- `dismiss_reminder(session_id)` -> {"session_id", "closed": bool}
- `session_ended(session_id)` -> {"reminder": {...} | None}: at a session's end, when the
  therapist wants reminders; it never raises and never waits on anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from copilot.domain import ReflectionPrompt
from copilot.errors import CopilotError
from copilot.reflection import reminders
from copilot.reflection.checkins import (
    CheckInStore,
    describe_load,
    load_context,
    record_checkin,
)
from copilot.reflection.instruments import (
    AnswerError,
    Instrument,
    Kind,
    answers_from_list,
    builtin,
    load_instrument,
)
from copilot.reflection.journal import JournalEntry, JournalError, JournalStore
from copilot.reflection.prompts import prompts_for_session
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.timefmt import clock

PRIVATE = (
    "Private: your answers go to your journal, apart from the session data, and are never "
    "exported or shared unless you include one."
)
KINDS: tuple[Kind, ...] = ("post", "periodic")

Result = dict[str, Any]
Answers = Mapping[str, str] | Sequence[Mapping[str, Any]]


# reflection prompts and the journal ------------------------------------------------------------


def prompts_for(
    store: SessionStore, journal: JournalStore, settings: Settings, session_id: str
) -> Result:
    session = store.get(session_id)
    prompts, notice = prompts_for_session(store, session.id, settings)
    saved = {e.prompt_id: e.answer for e in journal.entries.select(session.id)}
    return {
        "session_id": session.id,
        "client_label": session.client_label,
        "private": PRIVATE,
        "notice": notice,
        "prompts": [_prompt(p, saved.get(p.id, "")) for p in prompts],
    }


def _prompt(p: ReflectionPrompt, answer: str) -> Result:
    data = p.model_dump(mode="json", exclude={"session_id", "utterance_seq"})
    return {**data, "time": clock(p.start), "answer": answer}


def save_answers(
    store: SessionStore, journal: JournalStore, session_id: str, answers: Answers
) -> Result:
    session = store.get(session_id)
    prompts, _ = prompts_for_session(store, session.id, Settings(session_analyser="local"))
    by_id = {p.id: p for p in prompts}
    entries = [
        journal.entries.add(_entry(session.id, by_id, prompt_id, text, question))
        for prompt_id, text, question in _answer_rows(answers)
        if text.strip()
    ]
    if entries:
        reminders.close(journal, session.id)
    return {"saved": len(entries), "entries": [e.model_dump(mode="json") for e in entries]}


def _answer_rows(answers: Answers) -> list[tuple[str, str, str | None]]:
    if isinstance(answers, Mapping):
        return [(str(k), _text(v), None) for k, v in answers.items()]
    rows = []
    for row in answers:
        if not isinstance(row, Mapping) or "prompt_id" not in row:
            raise JournalError("each answer needs a prompt_id and an answer")
        question = row.get("question")
        rows.append((str(row["prompt_id"]), _text(row.get("answer")), _opt_text(question)))
    return rows


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise JournalError("an answer must be text")
    return value.strip()


def _opt_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _entry(
    session_id: str,
    prompts: dict[str, ReflectionPrompt],
    prompt_id: str,
    answer: str,
    question: str | None,
) -> JournalEntry:
    prompt = prompts.get(prompt_id)
    if prompt is None:
        raise JournalError(f"prompt {prompt_id!r} is not one of session {session_id}'s prompts")
    return JournalEntry(
        session_id=session_id,
        prompt_id=prompt.id,
        aspect=prompt.aspect,
        question=question or prompt.question,
        moment_start=prompt.start,
        utterance_seq=prompt.utterance_seq,
        answer=answer,
    )


def journal_entries(journal: JournalStore, session_id: str | None = None) -> list[Result]:
    return [e.model_dump(mode="json") for e in journal.entries.select(session_id)]


# check-ins -------------------------------------------------------------------------------------


def _instrument(kind: str | None, instrument_path: str | Path | None) -> Instrument:
    if instrument_path:
        instrument = load_instrument(Path(instrument_path))
        if kind and instrument.kind != kind:
            raise CopilotError(f"{instrument.title} is a {instrument.kind} check-in, not {kind}")
        return instrument
    if kind not in KINDS:
        raise CopilotError(f"a check-in is 'post' or 'periodic', not {kind!r}")
    return builtin("post" if kind == "post" else "periodic")


def _note(instrument: Instrument) -> str | None:
    if instrument.validated:
        return None
    return "Not a validated instrument: its items and bands help you follow your own trend."


def checkin_form(
    store: SessionStore, kind: str = "post", instrument_path: str | Path | None = None
) -> Result:
    instrument = _instrument(kind, instrument_path)
    context = load_context(store)
    scale = instrument.response
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title,
        "kind": instrument.kind,
        "validated": instrument.validated,
        "credit": instrument.credit,
        "note": _note(instrument),
        "instructions": instrument.instructions,
        "response": {
            "min": scale.min,
            "max": scale.max,
            "labels": {str(k): v for k, v in sorted(scale.labels.items())},
        },
        "items": [{"id": i.id, "text": i.text} for i in instrument.items],
        "load": context.model_dump(mode="json"),
        "load_text": describe_load(context),
    }


def submit_checkin(
    store: SessionStore,
    journal: JournalStore,
    answers: Mapping[str, int] | Sequence[int],
    kind: str = "post",
    instrument_path: str | Path | None = None,
    session_id: str | None = None,
) -> Result:
    from copilot.reflection.trends import suggestions

    instrument = _instrument(kind, instrument_path)
    if isinstance(answers, Mapping):
        given = {str(k): v for k, v in answers.items()}
    elif isinstance(answers, Sequence) and not isinstance(answers, str):
        given = answers_from_list(instrument, list(answers))
    else:
        raise AnswerError("answers are a list in item order or a map from item id to number")
    result, context = record_checkin(store, journal, instrument, given, session_id)
    return {
        "id": result.id,
        "at": result.at.isoformat(),
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "title": instrument.title,
            "note": _note(instrument),
            "credit": instrument.credit,
        },
        "scores": [s.model_dump(mode="json", exclude={"bands", "scoring"}) for s in result.scores],
        "suggestions": suggestions([result]),
        "load": context.model_dump(mode="json"),
        "load_text": describe_load(context),
    }


def load_today(store: SessionStore, day: str | None = None) -> Result:
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise CopilotError(f"{day!r} is not a date (YYYY-MM-DD)") from None
    context = load_context(store, when)
    return {**context.model_dump(mode="json"), "text": describe_load(context)}


# trends ----------------------------------------------------------------------------------------


def trend_series(journal: JournalStore, weeks: int = 26) -> Result:
    from copilot.reflection.trends import layout, suggestions, to_svg, weekly

    if not isinstance(weeks, int) or weeks < 1:
        raise CopilotError("weeks must be a whole number of at least 1")
    found = CheckInStore(journal).list()
    series = weekly(found, weeks) if found else []
    return {
        "series": [t.model_dump(mode="json") for t in series],
        "suggestions": suggestions(found),  # for the therapist's screen only
        "svg": to_svg(layout(series)) if series else None,
    }


# reminders -------------------------------------------------------------------------------------


def _reminder(r: reminders.Reminder) -> Result:
    return {**r.model_dump(mode="json"), "notice": r.notice()}


def reminders_due(store: SessionStore, journal: JournalStore, settings: Settings) -> list[Result]:
    return [_reminder(r) for r in reminders.due(journal, store=store, settings=settings)]


def snooze_reminder(
    journal: JournalStore, session_id: str, minutes: float = reminders.SNOOZE_MIN
) -> Result:
    if not isinstance(minutes, int | float) or not 1 <= minutes <= 24 * 60:
        raise CopilotError("snooze for 1 minute to 24 hours")
    return _reminder(reminders.snooze(journal, session_id, float(minutes)))


def dismiss_reminder(journal: JournalStore, session_id: str) -> Result:
    return {"session_id": session_id, "closed": reminders.close(journal, session_id)}


def session_ended(journal: JournalStore, settings: Settings, session_id: str) -> Result:
    made = reminders.schedule(journal, session_id, settings)
    return {"reminder": _reminder(made) if made else None}
