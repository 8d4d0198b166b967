"""`session-copilot`: the command line. User errors become one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from copilot import __version__, commands
from copilot.errors import CopilotError

Handler = Callable[[argparse.Namespace], int]
# Modules that add their own commands: each has `add_parsers(sub)` and `HANDLERS`. They import
# their heavy dependencies inside the handlers, so `--help` stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "copilot.reflection.cli",
    "copilot.window_cli",
    "copilot.claude_cli",
    "copilot.practice.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="session-copilot",
        description="A private, local copilot for psychotherapists. With no command, opens the "
        "window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="analyse a recorded session, offline")
    analyze.add_argument("path", type=Path, help="wav, flac, mp3, m4a, ogg/opus, webm or mp4")
    _analysis_options(analyze)
    analyze.add_argument(
        "--channels", help="stereo roles: therapist,client (default) or client,therapist"
    )
    analyze.add_argument(
        "--swap-roles", action="store_true", help="mono: swap the roles diarization assigned"
    )
    analyze.add_argument(
        "--client-label", default="Client", metavar="ALIAS", help="the client's pseudonym"
    )

    demo = sub.add_parser("demo", help="analyse the bundled demo session (no network, no key)")
    _analysis_options(demo)

    sub.add_parser("devices", help="list audio inputs (and the remembered choice)")
    live = sub.add_parser("live", help="transcribe a live session from the mic and call audio")
    live.add_argument("--mic", metavar="DEVICE", help="the therapist's microphone")
    live.add_argument("--call", metavar="DEVICE", help="the call's audio (output monitor/loopback)")
    live.add_argument(
        "--replay", type=Path, metavar="FILE", help="replay a recording instead of devices"
    )
    live.add_argument(
        "--consent",
        choices=["verbal", "written"],
        required=True,
        help="how the client consented to this recording",
    )
    live.add_argument("--consent-by", default="client", metavar="WHO", help="who consented")
    live.add_argument("--client-label", default="Client", metavar="ALIAS")
    live.add_argument("--seconds", type=float, help="stop after this many seconds")
    live.add_argument("--no-partials", action="store_true", help="final text only")
    live.add_argument("--model", metavar="NAME_OR_PATH", help="speech model (default tiny.en)")
    live.add_argument(
        "--keep-audio",
        nargs="?",
        const="ogg",
        choices=["ogg", "flac"],
        help="keep the audio after the session: ogg (Opus, small) or flac (lossless)",
    )

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
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parsers(sub)
    return parser


def handlers() -> dict[str, Handler]:
    found: dict[str, Handler] = dict(commands.HANDLERS)
    for module in COMMAND_MODULES:
        found.update(importlib.import_module(module).HANDLERS)
    return found


def _analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model", metavar="NAME_OR_PATH", help="tiny.en (bundled, default) or a model folder"
    )
    p.add_argument("--json", type=Path, metavar="OUT.json", help="write the JSON export here")
    p.add_argument("--report", type=Path, metavar="OUT.html", help="write the HTML report here")
    p.add_argument(
        "--analyser",
        choices=["local", "claude"],
        help="session analyser: local (default) or claude, which is sent a redacted transcript",
    )
    p.add_argument("--names", default="", help="names to redact before sending, comma-separated")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for transcription")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = args.command or "window"
    try:
        _warn_interrupted(name)
        return handlers()[name](args)
    except CopilotError as exc:
        print(f"session-copilot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("session-copilot: interrupted", file=sys.stderr)
        return 130


def _warn_interrupted(name: str) -> None:
    if name in ("resume", "discard", "delete", "window"):
        return
    from copilot.storage import SessionStore

    store = SessionStore()
    try:
        left = store.mark_orphans_incomplete() + store.list_sessions(status="incomplete")
    finally:
        store.close()
    seen = {s.id for s in left}
    for session_id in sorted(seen):
        print(
            f"session-copilot: session {session_id} was interrupted: "
            f"`session-copilot resume {session_id}` or `session-copilot discard {session_id}`",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
