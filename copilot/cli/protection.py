"""Data protection: the home's file modes, retention, export-all and delete-all, the access log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError
from copilot.protection import permissions
from copilot.settings import RETAINED_KINDS, Retention, Settings, home
from copilot.storage import keys

HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "protect", help="make the data folder readable by this account only (0700 / 0600)"
    )
    kept = sub.add_parser("retention", help="list (--preview) or remove (--apply) what is due")
    action = kept.add_mutually_exclusive_group()
    action.add_argument("--preview", action="store_true", help="list what would go (default)")
    action.add_argument("--apply", action="store_true", help="remove what is due now")
    action.add_argument(
        "--keep",
        nargs="+",
        metavar="KIND=DAYS",
        help=f"set how long to keep each kind ({', '.join(RETAINED_KINDS)}); DAYS or forever",
    )
    kept.add_argument("--client", help="with --keep: a rule for this client label only")
    export = sub.add_parser("export-all", help="export every session and the journal to DIR")
    export.add_argument("dir", type=Path, metavar="DIR")
    sub.add_parser(
        "passphrase",
        help="set or change the passphrase that unlocks the data (there is no recovery without it)",
    )
    log = sub.add_parser("access-log", help="who opened, exported or deleted which session")
    log.add_argument("--session", metavar="SESSION_ID", help="only this session")
    log.add_argument("--limit", type=int, default=50, help="newest N lines (default 50; 0: all)")
    wipe = sub.add_parser("delete-all", help="erase every session, the journal and settings")
    wipe.add_argument("--yes", action="store_true", help="do not ask (for scripts)")


def at_start(command: str) -> None:
    """Before any command: new files private, the home private, and a line if it was loosened."""
    permissions.private_umask()
    permissions.ensure_home()
    line = None if command == "protect" else permissions.warning()
    if line:
        print(f"session-copilot: warning: {line}", file=sys.stderr)


def enforce_retention(command: str, ctx: Context) -> None:
    """Retention runs at every start (the window also runs it daily)."""
    from copilot.protection import retention

    if command in _NO_RETENTION or not retention.active(ctx.settings):
        return
    gone = retention.apply(ctx.store, retention.plan(ctx.store, ctx.settings), "cli")
    if gone:
        print(
            f"session-copilot: retention removed {gone} item(s) that were due "
            "(`session-copilot retention --preview` lists what is next)",
            file=sys.stderr,
        )


@HANDLERS.command("retention")
def retention(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.protection import retention

    settings = ctx.settings
    if args.keep:
        return _set_keep(settings, args.keep, args.client)
    store = ctx.store
    due = retention.plan(store, settings)
    if args.apply:
        retention.apply(store, due, "cli")
    verb = "removed" if args.apply else "due now"
    print(f"{len(due)} item(s) {verb}" + (":" if due else ""))
    for item in due:
        print("  " + item.line())
    return 0


def _set_keep(settings: Settings, pairs: list[str], client: str | None) -> int:
    changes: dict[str, int | str] = {}
    for pair in pairs:
        kind, _, days = pair.partition("=")
        if kind not in RETAINED_KINDS or not (days == "forever" or days.isdigit()):
            raise CopilotError(f"--keep {pair}: use KIND=DAYS or KIND=forever, KIND one of "
                               f"{', '.join(RETAINED_KINDS)}")  # fmt: skip
        changes[kind] = days if days == "forever" else int(days)
    if client:
        old = settings.retention_by_client.get(client, Retention())
        settings.retention_by_client[client] = old.model_copy(update=changes)
    else:
        settings.retention = settings.retention.model_copy(update=changes)
    settings.save()
    rule = settings.retention_by_client[client] if client else settings.retention
    print(f"retention for {client or 'every client'}: {rule.model_dump(exclude_none=True)}")
    return 0


@HANDLERS.command("export-all")
def export_all(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.protection.leaving import export_all as write_all

    ids = write_all(ctx.store, ctx.journal, args.dir)
    print(f"exported {len(ids)} session(s) and the journal to {args.dir}")
    return 0


@HANDLERS.command("passphrase")
def passphrase(args: argparse.Namespace, ctx: Context) -> int:
    """The new passphrase from COPILOT_PASSPHRASE_NEW (scripts) or typed twice."""
    import getpass
    import os

    folder = home()
    keys.data_key(folder)  # unlocked first (keyring, COPILOT_PASSPHRASE or the old passphrase)
    new = os.environ.get("COPILOT_PASSPHRASE_NEW")
    if new is None:
        if not sys.stdin.isatty():
            raise CopilotError("passphrase: type it at a terminal, or set COPILOT_PASSPHRASE_NEW")
        new = getpass.getpass("New passphrase: ")
        if getpass.getpass("Again: ") != new:
            raise CopilotError("the two passphrases differ; nothing changed")
    if len(new) < 8:
        raise CopilotError("a passphrase needs at least 8 characters; nothing changed")
    keys.set_passphrase(folder, new)
    print(f"the data in {folder} now opens with this passphrase (and the keyring, if any); "
          "without either there is no way back in")  # fmt: skip
    return 0


@HANDLERS.command("access-log")
def read_access_log(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.storage import access_log

    store = ctx.store
    found = access_log.entries(store, args.session, limit=max(args.limit, 0) or None)
    if not found:
        print("the access log is empty")
    for entry in found:
        print(entry.line())
    return 0


@HANDLERS.command("delete-all")
def delete_all(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.protection.leaving import delete_all as erase_home

    folder = home()
    if not args.yes:
        if not sys.stdin.isatty():
            raise CopilotError("delete-all erases every session: add --yes when not at a terminal")
        answer = input(f"Erase every session, the journal and settings in {folder}? "
                       "Type DELETE ALL to confirm: ")  # fmt: skip
        if answer.strip() != "DELETE ALL":
            print("nothing deleted")
            return 1
    print(f"erased {erase_home(folder)} file(s) under {folder}")
    return 0


@HANDLERS.command("protect")
def protect(args: argparse.Namespace, ctx: Context) -> int:
    changed = permissions.tighten()
    if not permissions.POSIX:
        print("file modes do not apply on this system; the home sits in the account's AppData")
    print(f"{home()}: {len(changed)} item(s) made private" if changed else f"{home()}: private")
    if keys.unprotected(home()):
        print("the data key is stored unprotected beside the data: "
              "run `session-copilot passphrase` to protect it")  # fmt: skip
    return 0


_NO_RETENTION = ("retention", "delete-all", "protect", "export-all", "access-log", "passphrase")
