"""The stored sessions: list, show, export, resume or discard an interrupted one, delete."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.cli.recording import deliver, progress_bar
from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.storage import SessionStore

if TYPE_CHECKING:
    from copilot.analysis.run import Analysed


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


def sessions(args: argparse.Namespace) -> int:
    from copilot.timefmt import clock

    store = SessionStore()
    try:
        found = store.list_sessions(client=args.client, query=args.search, status=args.status)
    finally:
        store.close()
    if not found:
        print("no sessions")
    for s in found:
        print(
            f"{s.id}  {s.created_at:%Y-%m-%d %H:%M}  {clock(s.duration_s):>8}  "
            f"{s.status:<11} {s.client_label}" + ("  (from transcript)" if s.imported_from else "")
        )
    return 0


def show(args: argparse.Namespace) -> int:
    from copilot.timefmt import clock

    store = SessionStore()
    try:
        session = store.get(args.session_id)
        for u in store.utterances(session.id):
            print(f"[{clock(u.start)}] {u.role}: {u.text}")
    finally:
        store.close()
    return 0


def export(args: argparse.Namespace) -> int:
    from copilot.analysis.run import build_export
    from copilot.report import write_json, write_report

    if not args.json and not args.report:
        raise CopilotError("export needs --json OUT.json and/or --report OUT.html")
    store = SessionStore()
    try:
        result = build_export(store, store.get(args.session_id).id)
    finally:
        store.close()
    if args.json:
        write_json(result, args.json)
    if args.report:
        write_report(result, args.report)
    return 0


def resume(args: argparse.Namespace) -> int:
    from copilot.pipeline import AnalyzeOptions
    from copilot.pipeline import resume as resume_session

    store = SessionStore()
    try:
        store.mark_orphans_incomplete()
        session = store.get(args.session_id)
        if session.source == "live":
            result = _recover_live(store, session.id)
        else:
            with progress_bar(session.duration_s or 0.0) as progress:
                options = AnalyzeOptions(chunk_s=Settings.load().chunk_seconds)
                result = resume_session(store, session.id, options, progress)
        deliver(result, args.json, args.report)
    finally:
        store.close()
    return 0


def _recover_live(store: SessionStore, session_id: str) -> Analysed:
    """A live session cut short: keep every utterance it stored, and analyse them."""
    from copilot.analysis.run import analyse_session

    if store.get(session_id).status == "complete":
        raise CopilotError(f"session {session_id} is already complete")
    return analyse_session(store, session_id, audio_path=None)


def discard(args: argparse.Namespace) -> int:
    store = SessionStore()
    try:
        store.mark_orphans_incomplete()
        session = store.get(args.session_id)
        if session.status not in ("incomplete", "in_progress"):
            raise CopilotError(f"session {session.id} is {session.status}; use `delete` for that")
        store.delete(session.id)
    finally:
        store.close()
    print(f"discarded {session.id}")
    return 0


def delete(args: argparse.Namespace) -> int:
    store = SessionStore()
    try:
        session = store.get(args.session_id)
        store.delete(session.id)
    finally:
        store.close()
    print(f"deleted {session.id}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sessions": sessions,
    "show": show,
    "export": export,
    "resume": resume,
    "discard": discard,
    "delete": delete,
}
