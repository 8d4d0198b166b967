"""`session-copilot open SESSION_ID`: the window, opened on the review of one stored session.

`session-copilot` with no command opens the window too (`window` below). Both import
the window module only inside the handler, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

from copilot.cli.context import Commands, Context

HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    opened = sub.add_parser("open", help="open the window on the review of a stored session")
    opened.add_argument("session_id", metavar="SESSION_ID", help="an id or its first characters")


@HANDLERS.command("open")
def open_review(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.window.host import open_window

    return open_window(ctx.store, ctx.journal, ctx.settings, review_session_id=args.session_id)


@HANDLERS.command("window")
def window(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.window.host import open_window

    return open_window(ctx.store, ctx.journal, ctx.settings)
