"""`session-copilot summarise` (a stored session's summary, by the local analyser or by Claude)
and `session-copilot egress` (what left the machine).

`add_parsers(sub)` adds both commands to the main parser; `HANDLERS` maps each to its handler.
Heavy modules load inside the handlers so that `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.storage import SessionStore

if TYPE_CHECKING:
    from copilot.analysis.run import Analysed
    from copilot.domain import SessionExport, SessionSummary


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summarise_p = sub.add_parser(
        "summarise", help="summarise a stored session (local, or Claude when asked for)"
    )
    summarise_p.add_argument("session_id")
    summarise_p.add_argument(
        "--analyser", choices=["local", "claude"],
        help="local (the default unless the settings say claude) or claude, which is sent a "
        "redacted transcript",
    )  # fmt: skip
    summarise_p.add_argument(
        "--names", default="", metavar="A,B", help="names to redact before sending, comma-separated"
    )
    summarise_p.add_argument(
        "--preview", action="store_true",
        help="print exactly what would be sent to Claude, and send nothing",
    )  # fmt: skip

    egress_p = sub.add_parser("egress", help="list every request that sent session data away")
    egress_p.add_argument("--session", metavar="SESSION_ID", help="only this session")
    egress_p.add_argument("--limit", type=int, metavar="N", help="only the newest N")
    egress_p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def names_of(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


@HANDLERS.command("summarise")
def summarise_command(args: argparse.Namespace, ctx: Context) -> int:
    settings = ctx.settings
    analyser = args.analyser or settings.session_analyser
    if analyser not in ("local", "claude"):
        raise CopilotError(f"unknown session analyser {analyser!r}: use local or claude")
    names = names_of(args.names)
    store = ctx.store
    session_id = store.get(args.session_id).id
    from copilot.supervision.redact import names_for

    names = names_for(store, session_id, names)  # with the names an imported file gave
    if args.preview:
        if analyser != "claude":
            raise CopilotError("--preview shows what Claude would be sent: use --analyser claude")
        return _preview(store, session_id, settings, names)
    result = _with_local_summary(store, session_id, settings, names)
    if analyser == "claude":
        from copilot.analysis.run import summarise

        summarise(store, result, "claude", names, settings)
    for notice in result.notices:
        print(f"session-copilot: {notice}", file=sys.stderr)
    print(summary_lines(result.export))
    return 1 if result.notices else 0


def _with_local_summary(
    store: SessionStore, session_id: str, settings: Settings, names: list[str]
) -> Analysed:
    """The stored session with its local summary: the latest one kept, else made now."""
    from copilot.analysis.run import Analysed, build_export, summarise
    from copilot.domain import SessionSummary

    export = build_export(store, session_id)
    stored = store.analyses.latest_analysis(session_id, "summary", engine="local")
    result = Analysed(export.model_copy(update={"summary": None}))
    if stored is not None:
        local = SessionSummary.model_validate(stored)
        result.export = export.model_copy(update={"summary": local})
    else:
        summarise(store, result, "local", names, settings)
    return result


def _preview(store: SessionStore, session_id: str, settings: Settings, names: list[str]) -> int:
    from copilot.analysis.claude_client import destination
    from copilot.analysis.claude_plan import plan
    from copilot.analysis.claude_preview import preview_requests, preview_text
    from copilot.analysis.run import build_export

    export = build_export(store, session_id)
    if not export.utterances:
        raise CopilotError(f"session {session_id} has no transcript to send")
    bodies = preview_requests(export, settings, names)
    print(preview_text(bodies, destination()))
    counts = plan(export, settings, names).redaction.counts
    replaced = ", ".join(f"{n} {kind.lower()}" for kind, n in sorted(counts.items())) or "nothing"
    print(
        f"session-copilot: preview only, nothing was sent. Replaced: {replaced}. "
        "Names the patterns cannot know: add them with --names.",
        file=sys.stderr,
    )
    return 0


def summary_lines(export: SessionExport) -> str:
    """The summary as text; Claude's reading, when there is one, below the local figures."""
    from copilot.cli.recording import summary_text

    lines = [summary_text(export)]
    s = export.summary
    if s is not None:
        lines.append(f"summary by: {_by(s)}")
    if s is not None and s.provenance.engine == "claude":
        lines.extend(_claude_lines(s))
    return "\n".join(lines)


def _by(s: SessionSummary) -> str:
    p = s.provenance
    parts = [p.engine, p.model or ""]
    if p.prompt_name:
        parts.append(f"prompt {p.prompt_name} {(p.prompt_digest or '')[:12]}")
    return " · ".join(x for x in parts if x)


def _claude_lines(s: SessionSummary) -> list[str]:
    from copilot.timefmt import clock

    lines = []
    if s.narrative:
        lines += ["", s.narrative]
    for theme in s.themes:
        quotes = "; ".join(f"[{clock(e.start)}] “{e.quote}”" for e in theme.evidence[:2])
        lines.append(f"theme: {theme.name} — {quotes}")
    for e in s.expressed_needs:
        lines.append(f"need: {e.note} — [{clock(e.start)}] “{e.quote}”")
    for cue in s.alliance:
        lines.append(
            f"alliance ({cue.aspect}): {cue.observation} — "
            f"[{clock(cue.evidence.start)}] “{cue.evidence.quote}”"
        )
    for e in s.possibly_unsaid:
        lines.append(f"possibly unsaid: {e.note} — [{clock(e.start)}] “{e.quote}”")
    if s.dropped_quotes:
        lines.append(
            f"{s.dropped_quotes} quote(s) in Claude's answer were not found in the transcript "
            "and were left out, with any claim that rested on them alone"
        )
    return lines


@HANDLERS.command("egress")
def egress_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot import egress

    if args.limit is not None and args.limit < 1:
        raise CopilotError("--limit must be at least 1")
    store = ctx.store
    session_id = store.get(args.session).id if args.session else None
    entries = egress.list_entries(store, session_id, args.limit)
    if args.json:
        print(json.dumps([e.model_dump(mode="json") for e in entries], indent=2))
        return 0
    if not entries:
        print("nothing has been sent: the egress log is empty")
        return 0
    print("when                 session   model              status            in/out tokens"
          "  cached r/w     cost USD  prompt              payload sha256")  # fmt: skip
    for e in entries:
        print(
            f"{e.at.astimezone():%Y-%m-%d %H:%M:%S}  {(e.session_id or '-')[:8]:8}  "
            f"{e.model[:17]:17}  {e.status:16}  {e.input_tokens:>6}/{e.output_tokens:<6}  "
            f"{e.cache_read_tokens:>5}/{e.cache_write_tokens:<5}  {e.cost_usd:>9.4f}  "
            f"{e.prompt_name[:12]}@{e.prompt_digest[:6]}  {e.payload_sha256[:16]}"
        )
        if e.error:
            print(f"    {e.error}")
    t = egress.totals(entries)
    print(
        f"{t.requests} request(s); tokens in {t.input_tokens}, out {t.output_tokens}, cache read "
        f"{t.cache_read_tokens}, cache write {t.cache_write_tokens}; "
        f"estimated cost ${t.cost_usd:.4f}"
    )
    return 0
