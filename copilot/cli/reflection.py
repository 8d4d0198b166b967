"""`session-copilot reflect`, `checkin` and `trends`: the therapist's own side, on a terminal.

`add_parsers(sub)` adds the three commands to the main parser; `HANDLERS` maps each to its
handler. Heavy modules load inside the handlers so that `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError

if TYPE_CHECKING:
    from copilot.domain import ReflectionPrompt
    from copilot.reflection.checkins import CheckIn
    from copilot.reflection.instruments import Instrument
    from copilot.storage.journal import JournalStore

PRIVATE = (
    "Private: your answers go to your journal (journal.sqlite3), apart from the session data, "
    "and are never exported unless you include one."
)


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reflect_p = sub.add_parser("reflect", help="reflection prompts on a session, for you alone")
    reflect_p.add_argument(
        "session_id", nargs="?", help="the session; without one, list the sessions waiting"
    )
    reflect_p.add_argument(
        "--answers", type=Path, metavar="FILE",
        help="answers from a file: JSON list in prompt order, or text blocks separated by ---",
    )  # fmt: skip
    reflect_p.add_argument("--no-input", action="store_true", help="only print the prompts")
    reflect_p.add_argument(
        "--snooze", type=float, nargs="?", const=20.0, metavar="MINUTES",
        help="remind me later (default 20 minutes)",
    )  # fmt: skip
    reflect_p.add_argument("--dismiss", action="store_true", help="drop this session's reminder")

    checkin_p = sub.add_parser("checkin", help="a short check-in on how you are doing")
    checkin_p.add_argument(
        "--instrument", type=Path, metavar="FILE", help="an instrument file (.toml or .json)"
    )
    checkin_p.add_argument(
        "--kind", choices=["post", "periodic"], default=None,
        help="the built-in after-session check-in (default) or the periodic one",
    )  # fmt: skip
    checkin_p.add_argument("--answers", metavar="1,3,2,...", help="answers in item order")
    checkin_p.add_argument("--session", metavar="SESSION_ID", help="the session it follows")

    trends_p = sub.add_parser("trends", help="your check-ins over the weeks")
    trends_p.add_argument("--out", type=Path, metavar="FILE.svg|FILE.png", help="write a picture")
    trends_p.add_argument("--weeks", type=int, default=26, help="how many weeks back (26)")


# reflect -----------------------------------------------------------------------------------------


@HANDLERS.command("reflect")
def reflect(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.reflection import reminders
    from copilot.reflection.prompts import prompts_for_session, render

    settings = ctx.settings
    if args.session_id is None:
        return _waiting(ctx)
    store = ctx.store
    session = store.get(args.session_id)
    if args.snooze is not None or args.dismiss:
        return _reminder(ctx.journal, session.id, args.snooze)
    prompts, notice = prompts_for_session(store, session.id, settings)
    if notice:
        print(f"session-copilot: {notice}", file=sys.stderr)
    if not prompts:
        print("This session has too little transcript to ground reflection prompts on.")
        return 0
    print(f"Reflection on session {session.id} · {session.client_label}\n{PRIVATE}\n")
    interactive = not args.answers and not args.no_input and sys.stdin.isatty()
    if not args.answers and not interactive:
        print("\n\n".join(render(p, i) for i, p in enumerate(prompts, 1)))
        return 0
    answers = _answers_file(args.answers, len(prompts)) if args.answers else _ask(prompts)
    saved = _save(ctx.journal, session.id, prompts, answers)
    reminders.close(ctx.journal, session.id)
    print(f"saved {saved} answer(s) to your private journal")
    return 0


def _waiting(ctx: Context) -> int:
    from copilot.reflection import reminders

    found = reminders.due(ctx.journal, store=ctx.store, settings=ctx.settings)
    if not found:
        print("no session is waiting for your reflection")
    for reminder in found:
        print(reminder.notice())
    return 0


def _reminder(journal: JournalStore, session_id: str, snooze_min: float | None) -> int:
    from copilot.reflection import reminders

    if snooze_min is not None:
        due = reminders.snooze(journal, session_id, snooze_min)
        print(f"reminder for session {session_id} snoozed until {due.due_at.astimezone():%H:%M}")
    elif reminders.close(journal, session_id):
        print(f"reminder for session {session_id} dismissed")
    else:
        print(f"no open reminder for session {session_id}")
    return 0


def _answers_file(path: Path, count: int) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CopilotError(f"cannot read answers file {path}: {exc.strerror}") from exc
    if path.suffix.lower() == ".json":
        answers = _json_answers(text, path)
    else:
        blocks = "\n".join(text.splitlines()).split("\n---\n")
        answers = [b.strip() for b in blocks]
    if len(answers) > count:
        raise CopilotError(f"{path} has {len(answers)} answers for {count} prompts")
    return answers + [""] * (count - len(answers))


def _json_answers(text: str, path: Path) -> list[str]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CopilotError(f"answers file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(a, str) for a in data):
        raise CopilotError(f"answers file {path} must hold a JSON list of strings")
    return [a.strip() for a in data]


def _ask(prompts: list[ReflectionPrompt]) -> list[str]:
    from copilot.reflection.prompts import render

    print("Write as much or as little as you like; an empty line ends an answer, and an empty")
    print("first line skips the prompt.\n")
    answers: list[str] = []
    try:
        for number, prompt in enumerate(prompts, 1):
            print(render(prompt, number))
            lines: list[str] = []
            answers.append("")
            while (line := input("   > ")).strip():
                lines.append(line)
                answers[-1] = "\n".join(lines)
            print()
    except (EOFError, KeyboardInterrupt):  # stopping early keeps what was written so far
        print("\n(stopped: keeping what you wrote)")
    return answers + [""] * (len(prompts) - len(answers))


def _save(
    journal: JournalStore, session_id: str, prompts: list[ReflectionPrompt], answers: list[str]
) -> int:
    from copilot.reflection.journal import JournalEntry

    saved = 0
    for prompt, answer in zip(prompts, answers, strict=True):
        if not answer:
            continue
        journal.entries.add(
            JournalEntry(
                session_id=session_id, prompt_id=prompt.id, aspect=prompt.aspect,
                question=prompt.question, moment_start=prompt.start,
                utterance_seq=prompt.utterance_seq, answer=answer,
            )
        )  # fmt: skip
        saved += 1
    return saved


# checkin -----------------------------------------------------------------------------------------


@HANDLERS.command("checkin")
def checkin(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.reflection import instruments as ins
    from copilot.reflection.checkins import ask, describe_load, record_checkin
    from copilot.reflection.trends import suggestions

    instrument = ins.load_instrument(args.instrument) if args.instrument else None
    instrument = instrument or ins.builtin(args.kind or "post")
    if args.kind and instrument.kind != args.kind:
        raise CopilotError(f"{args.instrument} is a {instrument.kind} check-in, not {args.kind}")
    if args.answers:
        answers = ins.parse_answers(instrument, args.answers)
    elif sys.stdin.isatty():
        try:
            answers = ask(instrument, input, print)
        except (EOFError, KeyboardInterrupt):
            raise CopilotError("the check-in was not finished; nothing was saved") from None
    else:
        raise CopilotError("checkin needs a terminal, or its answers with --answers 1,3,2,...")
    result, context = record_checkin(ctx.store, ctx.journal, instrument, answers, args.session)
    _show(result, instrument, describe_load(context), suggestions([result]))
    return 0


def _show(result: CheckIn, instrument: Instrument, load: str, gentle: list[str]) -> None:
    for s in result.scores:
        band = f" — {s.band}" if s.band else ""
        print(f"{s.name}: {s.score:g} (of {s.low:g}–{s.high:g}){band}")
    print(f"Load: {load}")
    if instrument.credit:
        print(instrument.credit)
    if not instrument.validated and "not validated" not in instrument.credit:
        print("This instrument is not marked as validated.")
    for line in gentle:
        print(f"\n{line}")
    print("\nSaved to your private journal.")


# trends ------------------------------------------------------------------------------------------


@HANDLERS.command("trends")
def trends(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.reflection.checkins import CheckInStore
    from copilot.reflection.trends import describe, suggestions, weekly, write

    found = CheckInStore(ctx.journal).list()
    if not found:
        if args.out:
            raise CopilotError("no check-ins yet: run `session-copilot checkin` first")
        print("no check-ins yet: run `session-copilot checkin` after a session")
        return 0
    series = weekly(found, args.weeks)
    if args.out:
        write(series, args.out)
        print(f"trends: {args.out}")
    else:
        print(describe(series))
    for line in suggestions(found):  # on the screen only, never into the picture
        print(f"\n{line}")
    return 0
