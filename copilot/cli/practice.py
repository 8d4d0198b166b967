"""`session-copilot practice`: the practice flow in the terminal (prompts on stdin).

The transcript scrolls up to each pause; there the trainee names what the client feels (numbers
from the state list), how sure they are, and what they would say next; feedback follows at once.
`add_parsers(sub)` and `HANDLERS` register the command like every other command group.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError

Ask = Callable[[str], str]
Say = Callable[[str], None]


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "practice",
        help="practise reading the client and responding, on a stored session (private)",
        description="Practise on a stored session: it pauses at the key moments (and at client "
        "turns you choose); you name what the client feels and say what you would say next, and "
        "get feedback. Your answers stay on this computer and are never exported or shared.",
    )
    p.add_argument("session_id", nargs="?", help="the session to practise on")
    p.add_argument(
        "--at", default="", metavar="SEQ,SEQ", help="also pause after these client turns (#)"
    )
    p.add_argument(
        "--progress", type=Path, metavar="OUT.png", help="write your progress (.png or .svg)"
    )
    p.add_argument(
        "--make-sessions", action="store_true", help="store the project's practice sessions"
    )


@HANDLERS.command("practice")
def practice(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.store
    if args.make_sessions:
        from copilot.practice.material import store_practice_sessions

        for session_id in store_practice_sessions(store, ctx.settings):
            print(f"practice session: {session_id}")
    if args.session_id:
        run_flow(store, args.session_id, _seqs(args.at), input, print)
    if args.progress:
        from copilot.practice import progress
        from copilot.storage.practice import PracticeStore

        progress.write(progress.points(PracticeStore(store).runs()), args.progress)
        print(f"progress: {args.progress}")
    if not (args.session_id or args.progress or args.make_sessions):
        raise CopilotError("name a session to practise on (see `session-copilot sessions`)")
    return 0


def _seqs(text: str) -> list[int]:
    try:
        return [int(s) for s in text.replace(" ", "").split(",") if s]
    except ValueError as exc:
        raise CopilotError(f"--at takes turn numbers separated by commas, not {text!r}") from exc


def run_flow(store: Any, session_id: str, chosen: list[int], ask: Ask, say: Say) -> str:
    """The whole flow; returns the run id. Ends early, keeping the answers, at end of input."""
    from copilot.practice.view import PRIVATE, PracticeView

    view = PracticeView(store)
    plan = view.plan(session_id)
    run = view.start(plan["session_id"], chosen)
    say(f"Practice on {plan['client_label']} ({plan['session_id']}). {PRIVATE}")
    say(f"Pauses after client turns {', '.join(f'#{s}' for s in run['pauses'])}.\n")
    shown = 0
    utterances = plan["utterances"]
    try:
        for seq in run["pauses"]:
            upto = next(i for i, u in enumerate(utterances) if u["seq"] == seq)
            for u in utterances[shown : upto + 1]:
                say(f"  #{u['seq']:<3} {u['role']:<9} {u['text']}")
            shown = upto + 1
            states, confidence, reply = _ask_answer(plan["states"], ask, say)
            answer = view.answer(run["run_id"], seq, states, confidence, reply)
            _say_feedback(answer["feedback"], say)
    except EOFError:
        say("\n(end of input: the answers so far are kept)")
    summary = view.finish(run["run_id"])["summary"]
    say("\nPractice summary")
    for line in summary["lines"]:
        say(f"  {line}")
    return str(run["run_id"])


def _ask_answer(states: list[str], ask: Ask, say: Say) -> tuple[list[str], float, str]:
    say("\n  Pause. What does the client feel?")
    named = [f"{i:>2}) {s:<20}" for i, s in enumerate(states, 1)]
    for row in range(0, len(named), 4):
        say("  " + "".join(named[row : row + 4]).rstrip())
    while True:
        raw = ask("  states (numbers, e.g. 1,3) > ").replace(" ", "")
        try:
            picked = [states[int(n) - 1] for n in raw.split(",") if n]
        except (ValueError, IndexError):
            say(f"  numbers from 1 to {len(states)}, separated by commas")
            continue
        if picked:
            break
        say("  name at least one state")
    while True:
        raw = ask("  how sure are you, 0-100 > ").strip().rstrip("%")
        if raw.isdigit() and 0 <= int(raw) <= 100:
            break
        say("  a number from 0 to 100")
    reply = ask("  what would you say next? > ").strip()
    return picked, int(raw) / 100, reply


def _say_feedback(feedback: dict[str, Any], say: Say) -> None:
    states = feedback["states"]
    read = ", ".join(f"{s['label']} {s['score']:.0%}" for s in states["model_states"]) or "none"
    say(f"\n  The model read: {read}")
    say(f"  in: “{states['quote']}”")
    for line in states["lines"]:
        say(f"  - {line}")
    reply = feedback.get("reply")
    if reply:
        for line in reply["lines"]:
            say(f"  - {line}")
        say(f"  Example: {reply['example']}")
        say(f"  ({reply['example_note']})")
    say("")
