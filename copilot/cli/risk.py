"""`session-copilot risk-feedback`: the therapist's marks on the risk detector.

    risk-feedback list [--session ID]                 the marks stored on this machine
    risk-feedback mark ID SEQ {not-risk,missed} [--kind K] [--note TEXT]
    risk-feedback unmark ID SEQ {not-risk,missed} [--kind K]
    risk-feedback export OUT.json [--session ID]      a file the therapist may choose to share

Marks stay on this machine; `export` writes only the marked sentences, the detector's reading
of them and the verdicts (no session id, label or time). Nothing is sent anywhere.
`add_parsers(sub)` adds the command; `HANDLERS` maps it to its handler.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import get_args

from copilot.cli.context import Commands, Context
from copilot.domain import RiskKind, RiskVerdict
from copilot.errors import CopilotError

VERDICTS: dict[str, RiskVerdict] = {"not-risk": "not_risk", "missed": "missed"}


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("risk-feedback", help="mark risk flags as not risk or missed; export marks")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the marks stored on this machine")
    listing.add_argument("--session", metavar="SESSION_ID")
    for name in ("mark", "unmark"):
        m = actions.add_parser(name, help=f"{name} a sentence of a stored session")
        m.add_argument("session_id")
        m.add_argument("utterance_seq", type=int, metavar="SEQ")
        m.add_argument("verdict", choices=sorted(VERDICTS))
        m.add_argument("--kind", choices=get_args(RiskKind), help="which flag, or the kind missed")
        if name == "mark":
            m.add_argument("--note", default="", help="why, in a few words")
    export = actions.add_parser("export", help="write the marks to a file you may share")
    export.add_argument("out", type=Path, metavar="OUT.json")
    export.add_argument("--session", metavar="SESSION_ID", help="only this session's marks")


@HANDLERS.command("risk-feedback")
def risk_feedback_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.analysis.risk.feedback import MarkRequest, make_mark, write_export
    from copilot.storage.risk_feedback import RiskFeedbackStore

    store = ctx.store
    marks = RiskFeedbackStore(store)
    if args.action == "mark":
        request = MarkRequest(
            session_id=args.session_id, utterance_seq=args.utterance_seq,
            verdict=VERDICTS[args.verdict], kind=args.kind, note=args.note,
        )  # fmt: skip
        mark = make_mark(store, request)
        marks.mark(mark)
        print(f"marked {mark.verdict.replace('_', ' ')}: {mark.quote}")
    elif args.action == "unmark":
        verdict = VERDICTS[args.verdict]
        if not marks.unmark(args.session_id, args.utterance_seq, verdict, args.kind):
            raise CopilotError(f"no such mark on utterance {args.utterance_seq}")
        print("unmarked")
    elif args.action == "list":
        for m in marks.marks(args.session):
            kind = m.kind or "-"
            print(f"{m.session_id}\t{m.utterance_seq}\t{m.verdict}\t{kind}\t{m.quote}")
    else:
        document = write_export(args.out, marks.marks(args.session))
        print(f"wrote {len(document.marks)} marks to {args.out} (nothing was sent)")
    return 0
