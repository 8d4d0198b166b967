"""`session-copilot lock` and `unlock`, and the one check every other command passes first."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError
from copilot.protection import lock as app_lock
from copilot.settings import Settings, home

# What runs while locked: the lock itself, the window (it opens on its lock screen) and the
# file-mode repair, which reads no session.
WHILE_LOCKED = ("lock", "unlock", "window", "protect")


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    locking = sub.add_parser(
        "lock", help="lock the app now: the window shows nothing and commands refuse to read"
    )
    locking.add_argument(
        "--after",
        type=int,
        metavar="MINUTES",
        help="instead: lock the window after MINUTES without a key or mouse (0: never)",
    )
    sub.add_parser("unlock", help="unlock the app with the passphrase")


def refuse_when_locked(command: str) -> None:
    """Before any command that reads session data: one line and exit 2 while locked."""
    if command not in WHILE_LOCKED:
        app_lock.refuse_if_locked(home())


@HANDLERS.command("lock")
def lock(args: argparse.Namespace, ctx: Context) -> int:
    folder = home()
    if args.after is not None:
        return _set_idle(folder, args.after, ctx.settings)
    found = app_lock.lock(folder, "cli")
    print(f"locked since {found.since:%H:%M} ({found.by}); a live session keeps recording; "
          "`session-copilot unlock` asks for the passphrase")  # fmt: skip
    return 0


def _set_idle(folder: Path, minutes: int, settings: Settings) -> int:
    if minutes < 0:
        raise CopilotError("--after needs 0 (never) or a number of minutes")
    if minutes and not app_lock.can_lock(folder):
        raise CopilotError(app_lock.NEEDS_PASSPHRASE)
    settings.lock_after_minutes = minutes
    settings.save()
    print(f"the window locks after {minutes} idle minute(s)" if minutes else "no idle lock")
    return 0


@HANDLERS.command("unlock")
def unlock(args: argparse.Namespace, ctx: Context) -> int:
    """The passphrase from COPILOT_PASSPHRASE (scripts; the weaker choice) or typed."""
    folder = home()
    if not app_lock.is_locked(folder):
        print("not locked")
        return 0
    passphrase = os.environ.get("COPILOT_PASSPHRASE")
    if passphrase is None:
        if not sys.stdin.isatty():
            raise CopilotError("unlock: type the passphrase at a terminal")
        passphrase = getpass.getpass(f"Passphrase for {folder}: ")
    app_lock.unlock(folder, passphrase)
    print("unlocked")
    return 0
