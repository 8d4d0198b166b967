"""`session-copilot`: the command line. User errors become one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Protocol

from copilot import __version__
from copilot.cli import (
    claude,
    live,
    lock,
    practice,
    protection,
    recording,
    reflection,
    risk,
    sessions,
    supervision,
    window,
)
from copilot.cli.context import Commands, Context, Handler
from copilot.errors import CopilotError


class CommandGroup(Protocol):
    """A module of this package: its commands' parsers, and a handler for each command. It
    imports its heavy dependencies inside the handlers, so `--help` stays fast."""

    HANDLERS: Commands

    def add_parsers(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


# Every command group, in the order `--help` lists them. A new group: one module, one line.
GROUPS: tuple[CommandGroup, ...] = (
    recording, live, sessions, reflection, practice, window, claude, supervision, risk,
    protection, lock,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="session-copilot",
        description="A private, local copilot for psychotherapists. With no command, opens the "
        "window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def handlers() -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for group in GROUPS:
        found.update(group.HANDLERS)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = args.command or "window"
    try:
        protection.at_start(name)
        lock.refuse_when_locked(name)
        with Context() as ctx:  # the command's one settings and store
            protection.enforce_retention(name, ctx)
            _warn_interrupted(name, ctx)
            return handlers()[name](args, ctx)
    except CopilotError as exc:
        print(f"session-copilot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("session-copilot: interrupted", file=sys.stderr)
        return 130


def _warn_interrupted(name: str, ctx: Context) -> None:
    if name in ("resume", "discard", "delete", "window", "delete-all", "protect", "lock", "unlock"):
        return
    store = ctx.store
    left = store.mark_orphans_incomplete() + store.list_sessions(status="incomplete")
    seen = {s.id for s in left}
    for session_id in sorted(seen):
        print(
            f"session-copilot: session {session_id} was interrupted: "
            f"`session-copilot resume {session_id}` or `session-copilot discard {session_id}`",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
