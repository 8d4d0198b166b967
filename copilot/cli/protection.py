"""Data protection: the home's file modes, retention, export-all and delete-all, the access log."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from copilot.protection import permissions
from copilot.settings import home


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "protect", help="make the data folder readable by this account only (0700 / 0600)"
    )


def at_start(command: str) -> None:
    """Before any command: new files private, the home private, and a line if it was loosened."""
    permissions.private_umask()
    permissions.ensure_home()
    line = None if command == "protect" else permissions.warning()
    if line:
        print(f"session-copilot: warning: {line}", file=sys.stderr)


def protect(args: argparse.Namespace) -> int:
    changed = permissions.tighten()
    if not permissions.POSIX:
        print("file modes do not apply on this system; the home sits in the account's AppData")
    print(f"{home()}: {len(changed)} item(s) made private" if changed else f"{home()}: private")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"protect": protect}
