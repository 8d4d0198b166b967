"""The stored sessions: list, show, export, resume or discard an interrupted one, delete."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.cli.context import Commands, Context
from copilot.cli.recording import deliver, progress_bar
from copilot.errors import CopilotError
from copilot.protection.retention import delete_session
from copilot.settings import Settings
from copilot.storage import SessionStore, access_log

if TYPE_CHECKING:
    from copilot.analysis.run import Analysed


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sessions = sub.add_parser("sessions", help="list stored sessions")
    sessions.add_argument("--client", help="only this client pseudonym")
    sessions.add_argument("--search", help="text to look for in transcripts and labels")
    sessions.add_argument("--status", choices=["complete", "incomplete", "in_progress"])

    for name, text in (
        ("show", "print a stored session's transcript"),
        ("export", "write a stored session's JSON export and/or report"),
        ("resume", "continue an interrupted analysis"),
        ("discard", "delete an interrupted session"),
        ("delete", "delete a session and everything stored with it"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("session_id")
        if name in ("export", "resume"):
            p.add_argument("--json", type=Path, metavar="OUT.json")
            p.add_argument("--report", type=Path, metavar="OUT.html")
        if name == "export":
            p.add_argument(
                "--audio", type=Path, metavar="OUT", help="a readable copy of kept audio"
            )


@HANDLERS.command("sessions")
def sessions(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.timefmt import clock

    found = ctx.store.list_sessions(client=args.client, query=args.search, status=args.status)
    if not found:
        print("no sessions")
    for s in found:
        print(
            f"{s.id}  {s.created_at:%Y-%m-%d %H:%M}  {clock(s.duration_s):>8}  "
            f"{s.status:<11} {s.client_label}" + ("  (from transcript)" if s.imported_from else "")
        )
    return 0


@HANDLERS.command("show")
def show(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.timefmt import clock

    store = ctx.store
    session = store.get(args.session_id)
    access_log.record(store, "opened", session.id, "cli", "show")
    for u in store.transcript.utterances(session.id):
        print(f"[{clock(u.start)}] {u.role}: {u.text}")
    return 0


@HANDLERS.command("export")
def export(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.analysis.run import build_export
    from copilot.report import write_json, write_report

    if not args.json and not args.report and not args.audio:
        raise CopilotError("export needs --json OUT.json, --report OUT.html and/or --audio OUT")
    store = ctx.store
    result = build_export(store, store.get(args.session_id).id)
    if args.audio:
        _export_audio(store.audio_path(result.session.id), args.audio)
    written = " and ".join(str(p) for p in (args.json, args.report, args.audio) if p)
    access_log.record(store, "exported", result.session.id, "cli", f"to {written}")
    if args.json:
        write_json(result, args.json)
    if args.report:
        write_report(result, args.report)
    return 0


def _export_audio(kept: str | None, out: Path) -> None:
    from copilot.protection.permissions import write_private
    from copilot.storage.keys import home_key
    from copilot.storage.sealed import read_sealed

    if not kept or not Path(kept).exists():
        raise CopilotError("this session kept no audio")
    write_private(out, read_sealed(Path(kept), home_key()))


@HANDLERS.command("resume")
def resume(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.pipeline import AnalyzeOptions
    from copilot.pipeline import resume as resume_session

    store = ctx.store
    store.mark_orphans_incomplete()
    session = store.get(args.session_id)
    if session.source == "live":
        result = _recover_live(store, ctx.settings, session.id)
    else:
        with progress_bar(session.duration_s or 0.0) as progress:
            options = AnalyzeOptions(chunk_s=ctx.settings.chunk_seconds)
            result = resume_session(store, session.id, options, progress)
    deliver(result, args.json, args.report)
    return 0


def _recover_live(store: SessionStore, settings: Settings, session_id: str) -> Analysed:
    """A live session cut short: keep every utterance it stored, and analyse them."""
    from copilot.analysis.run import analyse_session

    if store.get(session_id).status == "complete":
        raise CopilotError(f"session {session_id} is already complete")
    return analyse_session(store, session_id, audio_path=None, settings=settings)


@HANDLERS.command("discard")
def discard(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.store
    store.mark_orphans_incomplete()
    session = store.get(args.session_id)
    if session.status not in ("incomplete", "in_progress"):
        raise CopilotError(f"session {session.id} is {session.status}; use `delete` for that")
    delete_session(store, session.id, "cli", "discarded")
    print(f"discarded {session.id}")
    return 0


@HANDLERS.command("delete")
def delete(args: argparse.Namespace, ctx: Context) -> int:
    deleted = delete_session(ctx.store, args.session_id, "cli")
    print(f"deleted {deleted}")
    return 0
