"""`session-copilot import`, `share`, `open-share`, `merge-review`, `reviews` and `transcript`.

`add_parsers(sub)` adds the commands to the main parser; `HANDLERS` maps each to its handler.
Heavy modules load inside the handlers so that `--help` stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.cli.context import Commands, Context
from copilot.errors import CopilotError, InputFileError
from copilot.storage import access_log

if TYPE_CHECKING:
    from copilot.supervision.models import ReviewComment, ShareBundle, SupervisionReply

PASSPHRASE_ENV = "COPILOT_SHARE_PASSPHRASE"


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import a transcript (VTT, SRT, text, DOCX) without audio")
    imp.add_argument("path", type=Path, metavar="FILE")
    imp.add_argument("--therapist", metavar="NAME", help="the therapist's speaker name in the file")
    imp.add_argument("--client-label", default="Client", metavar="ALIAS", help="the pseudonym")
    imp.add_argument("--format", choices=["vtt", "srt", "txt", "docx"], help="default: by suffix")
    imp.add_argument("--names", default="", metavar="A,B", help="more names to redact on sharing")
    imp.add_argument(
        "--consent", choices=["verbal", "written"], help="how the client consented to the recording"
    )
    imp.add_argument("--consent-by", default="client", metavar="WHO", help="who consented")
    imp.add_argument("--json", type=Path, metavar="OUT.json", help="write the JSON export here")
    imp.add_argument("--report", type=Path, metavar="OUT.html", help="write the HTML report here")

    share = sub.add_parser("share", help="make an encrypted, redacted bundle for a supervisor")
    share.add_argument("session_id")
    share.add_argument("--for", dest="recipient", required=True, metavar="NAME")
    share.add_argument("--out", type=Path, metavar="FILE", help="the bundle to write")
    share.add_argument("--names", default="", metavar="A,B", help="names to redact, A,B")
    share.add_argument("--with-audio", action="store_true", help="include the kept audio")
    share.add_argument("--preview", action="store_true", help="print what it would hold, only")
    _passphrase_option(share)

    opened = sub.add_parser("open-share", help="read a bundle as a supervisor, comment, sign off")
    opened.add_argument("path", type=Path, metavar="FILE")
    _passphrase_option(opened)
    opened.add_argument(
        "--comment", action="append", default=[], metavar="'12:30 [tag] text'",
        help="a comment at a time, or on a line: '#14 [tag] text' (repeatable)",
    )  # fmt: skip
    opened.add_argument("--rate", action="append", default=[], metavar="ITEM=N", help="1..4 or -")
    opened.add_argument("--verdict", help="reviewed or needs-revision")
    opened.add_argument("--note", default="", help="a closing note for the therapist")
    opened.add_argument("--reviewer", default="", metavar="NAME", help="default: the bundle's")
    opened.add_argument("--reply", type=Path, metavar="OUT", help="write the sealed reply here")
    opened.add_argument(
        "--save-audio",
        type=Path,
        metavar="FILE",
        help="write the bundle's audio here, if it has any",
    )
    opened.add_argument(
        "--interactive", action="store_true",
        help="comment, rate and sign off line by line on the terminal (needs --reply)",
    )  # fmt: skip

    merge = sub.add_parser("merge-review", help="merge a supervisor's reply into its session")
    merge.add_argument("path", type=Path, metavar="FILE")
    _passphrase_option(merge)

    reviews = sub.add_parser("reviews", help="a session's shares and supervision reviews")
    reviews.add_argument("session_id")

    tr = sub.add_parser("transcript", help="export a transcript (md, txt, docx, vtt) and analysis")
    tr.add_argument("session_id")
    tr.add_argument("--out", type=Path, metavar="FILE", help="the transcript: .md .txt .docx .vtt")
    tr.add_argument("--format", choices=["md", "txt", "docx", "vtt"], help="default: by suffix")
    tr.add_argument("--analysis", type=Path, metavar="OUT.md", help="the analysis as Markdown")
    tr.add_argument("--redact", action="store_true", help="redact as a share bundle is redacted")
    tr.add_argument("--names", default="", metavar="A,B", help="names to redact, comma-separated")


def _passphrase_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--passphrase-file", type=Path, metavar="FILE",
        help=f"read the passphrase from a file (or set {PASSPHRASE_ENV}); else it is asked for",
    )  # fmt: skip


def names_of(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    """From --passphrase-file, the environment, or asked on the terminal (twice when new)."""
    if args.passphrase_file is not None:
        try:
            text: str = args.passphrase_file.read_text(encoding="utf-8")
            return text.rstrip("\r\n")
        except OSError as exc:
            raise InputFileError(f"cannot read {args.passphrase_file}: {exc.strerror}") from exc
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CopilotError(f"no passphrase: give --passphrase-file FILE or set {PASSPHRASE_ENV}")
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CopilotError("the two passphrases differ; nothing was written")
    return first


@HANDLERS.command("import")
def import_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.cli.recording import deliver
    from copilot.domain import Consent
    from copilot.supervision.importer import ImportOptions, import_file

    settings = ctx.settings
    options = ImportOptions(
        therapist=args.therapist, client_label=args.client_label, format=args.format,
        names=names_of(args.names), analyser=settings.session_analyser,
        consent=Consent(given_by=args.consent_by, method=args.consent) if args.consent else None,
    )  # fmt: skip
    store = ctx.store
    result = import_file(args.path, options, store, settings)
    print(f"from transcript: {result.export.session.diarization}")
    deliver(result, args.json, args.report)  # as analyze: the home's report is kept sealed
    return 0


@HANDLERS.command("share")
def share_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.supervision.bundle import ShareRequest, build_bundle, preview_text, write_bundle

    if not args.preview and args.out is None:
        raise CopilotError("share needs --out FILE (or --preview to see what it would hold)")
    request = ShareRequest(args.recipient, names_of(args.names), args.with_audio)
    store = ctx.store
    session_id = store.get(args.session_id).id
    bundle = build_bundle(store, session_id, request)
    if args.preview:
        print(preview_text(bundle))
        print("session-copilot: preview only, nothing was written", file=sys.stderr)
        return 0
    record = write_bundle(store, session_id, bundle, passphrase(args, confirm=True), args.out)
    access_log.record(store, "shared", session_id, "cli", f"for {record.recipient}: {args.out}")
    print(f"bundle for {record.recipient}: {args.out}")
    print("Tell the supervisor the passphrase by another channel (phone, in person), never with "
          "the file.")  # fmt: skip
    return 0


@HANDLERS.command("open-share")
def open_share_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.supervision.bundle import open_bundle
    from copilot.supervision.review import make_reply, parse_comment, parse_rating, verdict_of
    from copilot.supervision.show import bundle_text

    secret = passphrase(args)
    bundle = open_bundle(args.path, secret)
    comments = [parse_comment(c, bundle) for c in args.comment]
    ratings = dict(parse_rating(r, bundle.rubric) for r in args.rate)
    if args.save_audio is not None:
        _save_audio(bundle, args.save_audio)
    if args.interactive:
        return _interactive(args, bundle, secret, comments, ratings)
    if args.reply is None:
        if comments or ratings or args.verdict:
            raise CopilotError("comments, ratings and a verdict go back with --reply OUT")
        print(bundle_text(bundle))
        return 0
    if not args.verdict:
        raise CopilotError("sign off with --verdict reviewed or --verdict needs-revision")
    reply = make_reply(
        bundle, args.reviewer, comments, ratings, verdict_of(args.verdict), args.note
    )
    return _write_reply(args.reply, reply, secret)


def _save_audio(bundle: ShareBundle, out: Path) -> None:
    import base64

    from copilot.supervision.bundle import write_bytes_atomic

    if bundle.audio is None:
        raise CopilotError("this bundle holds no audio: the therapist shared it without")
    write_bytes_atomic(out, base64.b64decode(bundle.audio.data_b64))
    print(f"audio ({bundle.audio.mime}): {out}")


def _write_reply(out: Path, reply: SupervisionReply, secret: str) -> int:
    from copilot.supervision.bundle import write_bytes_atomic
    from copilot.supervision.review import reply_bytes

    write_bytes_atomic(out, reply_bytes(reply, secret))
    print(
        f"reply for the therapist: {out} ({len(reply.comments)} comment(s), verdict: "
        f"{reply.verdict.replace('_', ' ')}); sealed with the bundle's passphrase"
    )
    return 0


def _interactive(
    args: argparse.Namespace,
    bundle: ShareBundle,
    secret: str,
    comments: list[ReviewComment],
    ratings: dict[str, int | None],
) -> int:
    from copilot.supervision.interactive import Draft, review_loop
    from copilot.supervision.show import bundle_text

    if args.reply is None:
        raise CopilotError("--interactive writes its reply to --reply OUT: give one")
    print(bundle_text(bundle))
    draft = Draft(bundle, args.reviewer, comments, ratings, args.note)
    reply = review_loop(draft, _lines(), print)
    if reply is None:
        print("no reply written")
        return 0
    return _write_reply(args.reply, reply, secret)


def _lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ")
        except EOFError:
            return


@HANDLERS.command("merge-review")
def merge_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.supervision.review import merge_reply
    from copilot.supervision.show import review_text

    store = ctx.store
    record = merge_reply(store, args.path, passphrase(args))
    print(f"merged into session {record.session_id}")
    print(review_text(record))
    return 0


@HANDLERS.command("reviews")
def reviews_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.storage.supervision import SupervisionStore
    from copilot.supervision.show import review_text

    store = ctx.store
    session_id = store.get(args.session_id).id
    supervision = SupervisionStore(store)
    shares, reviews = supervision.shares(session_id), supervision.reviews(session_id)
    for s in shares:
        audio = ", with audio" if s.with_audio else ""
        print(f"shared {s.made_at:%Y-%m-%d %H:%M} with {s.recipient}{audio}: {s.path}")
    for record in reviews:
        print(review_text(record))
    if not shares and not reviews:
        print("not shared, no reviews")
    return 0


@HANDLERS.command("transcript")
def transcript_command(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.supervision.exports import write_record

    if args.out is None and args.analysis is None:
        raise CopilotError("transcript needs --out FILE and/or --analysis OUT.md")
    names = names_of(args.names) if args.redact else None
    store = ctx.store
    written = write_record(store, args.session_id, args.out, args.format, args.analysis, names)
    detail = "to " + " and ".join(str(p) for p in written)
    access_log.record(store, "exported", store.get(args.session_id).id, "cli", detail)
    for path in written:
        print(f"written: {path}")
    return 0
