"""The supervision view: importing, exporting, sharing and merging on the therapist's side, and
the supervisor's read-only review with comments, ratings and sign-off.

The page calls `SC.api('supervision.<name>', {...})`: one dict of arguments, validated by its
form here, and a JSON-able dict back. The bundle a supervisor has open (and its passphrase,
needed to seal the reply) is held here in memory only; the comments in progress also go to a
sealed draft (copilot.supervision.drafts) so that a closed window loses none.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from copilot.errors import CopilotError
from copilot.settings import Settings
from copilot.storage import access_log
from copilot.storage.supervision import SupervisionStore
from copilot.supervision import drafts
from copilot.supervision.models import ReviewComment, ShareBundle
from copilot.supervision.sealed import Sealer
from copilot.window.current import Args, LockedStore, StoreView
from copilot.window.support import Result, answers


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImportForm(Form):
    path: str
    client_label: str = "Client"
    therapist: str | None = None


class SessionForm(Form):
    session_id: str


class ExportForm(SessionForm):
    out: str = ""
    format: str | None = None
    analysis: str = ""
    redact: bool = False
    names: str = ""


class ShareForm(SessionForm):
    recipient: str
    names: str = ""
    with_audio: bool = False

    def key(self, session_id: str) -> tuple[str, str, tuple[str, ...], bool]:
        return (session_id, self.recipient.strip(), tuple(_names(self.names)), self.with_audio)


class ShareWriteForm(ShareForm):
    passphrase: str
    out: str


class FileForm(Form):
    path: str
    passphrase: str


class CommentForm(Form):
    text: str
    at: str | float | None = None
    line: int | None = None
    tag: str | None = None


class IndexForm(Form):
    index: int


class SignOffForm(Form):
    verdict: str
    out: str
    ratings: dict[str, str | int | None] = {}
    note: str = ""
    reviewer: str = ""


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _path(text: str) -> Path | None:
    return Path(text.strip()) if text.strip() else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "supervisor"


class SupervisionApi(StoreView):
    def __init__(self, db: LockedStore, settings: Settings):
        super().__init__(db, settings)
        self._open: ShareBundle | None = None
        self._secret = ""
        self._comments: list[ReviewComment] = []
        self._sealer: Sealer | None = None
        self._review_lock = threading.Lock()
        self._previewed: tuple[tuple[str, str, tuple[str, ...], bool], ShareBundle] | None = None

    # the therapist's side -------------------------------------------------------------------

    @answers
    def import_transcript(self, args: Args = None) -> Result:
        from copilot.supervision.importer import ImportOptions, import_file

        form = ImportForm.model_validate(args or {})
        label = form.client_label.strip() or "Client"
        options = ImportOptions(
            therapist=(form.therapist or "").strip() or None, client_label=label
        )
        with self._db as store:
            result = import_file(Path(form.path.strip()), options, store, self._settings)
        return {"session_id": result.export.session.id, "notices": result.notices}

    @answers
    def export_record(self, args: Args = None) -> Result:
        from copilot.supervision.exports import write_record

        f = ExportForm.model_validate(args or {})
        names = _names(f.names) if f.redact else None
        with self._db as store:
            written = write_record(
                store,
                f.session_id,
                _path(f.out),
                f.format or None,
                _path(f.analysis),
                names,
            )
            detail = "to " + " and ".join(str(p) for p in written)
            access_log.record(store, "exported", store.get(f.session_id).id, "window", detail)
        return {"written": [str(p) for p in written]}

    @answers
    def share_preview(self, args: Args = None) -> Result:
        from copilot.supervision.bundle import ShareRequest, build_bundle, preview_text
        from copilot.supervision.show import bundle_text

        form = ShareForm.model_validate(args or {})
        request = ShareRequest(form.recipient, _names(form.names), form.with_audio)
        with self._db as store:
            session = store.get(form.session_id)
            bundle = build_bundle(store, session.id, request)
        # What is written is the very bundle previewed, so the preview is exact.
        self._previewed = (form.key(session.id), bundle)
        name = f"session-{session.created_at:%Y-%m-%d}-for-{_slug(form.recipient)}.scshare"
        default = Path.home() / name

        return {
            "preview": preview_text(bundle),
            "readable": bundle_text(bundle),
            "redacted": bundle.redacted,
            "default_out": str(default),
        }

    @answers
    def share_write(self, args: Args = None) -> Result:
        from copilot.supervision.bundle import write_bundle

        form = ShareWriteForm.model_validate(args or {})
        out = _path(form.out)
        if out is None:
            raise CopilotError("say where to write the bundle")
        with self._db as store:
            sid = store.get(form.session_id).id
            if self._previewed is None or self._previewed[0] != form.key(sid):
                raise CopilotError("preview the bundle first: it is written as the preview shows")
            record = write_bundle(store, sid, self._previewed[1], form.passphrase, out)
            access_log.record(store, "shared", sid, "window", f"for {record.recipient}: {out}")
            self._previewed = None
        return {"path": record.path, "recipient": record.recipient, **self._history(sid)}

    @answers
    def history(self, args: Args = None) -> Result:
        return self._history(SessionForm.model_validate(args or {}).session_id)

    def _history(self, session_id: str) -> Result:
        with self._db as store:
            supervision = SupervisionStore(store)
            shares, reviews = supervision.shares(session_id), supervision.reviews(session_id)
        return {
            "shares": [s.model_dump(mode="json", exclude={"session_id"}) for s in shares],
            "reviews": [r.model_dump(mode="json") for r in reviews],
        }

    @answers
    def merge_reply(self, args: Args = None) -> Result:
        from copilot.supervision.review import merge_reply

        form = FileForm.model_validate(args or {})
        with self._db as store:
            record = merge_reply(store, Path(form.path.strip()), form.passphrase)
        return {"session_id": record.session_id, "review": record.model_dump(mode="json")}

    # the supervisor's side ------------------------------------------------------------------

    @answers
    def open_bundle(self, args: Args = None) -> Result:
        from copilot.supervision.bundle import open_bundle

        form = FileForm.model_validate(args or {})
        where = Path(form.path.strip())
        bundle = open_bundle(where, form.passphrase)
        self._open, self._secret = bundle, form.passphrase
        self._sealer = Sealer(self._secret)
        self._comments = drafts.load(bundle.share_id, self._secret)
        shown = bundle.model_dump(mode="json", exclude={"audio"})
        audio = drafts.listening_copy(bundle)
        return {
            "bundle": shown,
            "audio_url": audio.as_uri() if audio else None,
            "default_reply": str(where.with_suffix(".screview")),
            **self._comments_answer(),
        }

    def _bundle(self) -> ShareBundle:
        if self._open is None:
            raise CopilotError("open a share bundle first")
        return self._open

    @answers
    def add_comment(self, args: Args = None) -> Result:
        from copilot.supervision.review import check_tag, clock_seconds, comment_on_line

        form = CommentForm.model_validate(args or {})
        bundle = self._bundle()
        text, at = form.text.strip(), form.at
        if not text:
            raise CopilotError("the comment is empty")
        tag = check_tag(bundle.rubric, form.tag or None)
        if form.line is not None:
            comment = comment_on_line(bundle, form.line, text, tag)
        elif at is not None and str(at).strip():
            when = float(at) if isinstance(at, int | float) else clock_seconds(at)
            comment = ReviewComment(at=when, tag=tag, text=text)
        else:
            comment = ReviewComment(tag=tag, text=text)
        with self._review_lock:  # two quick clicks arrive on two threads
            self._comments.append(comment)
            return self._keep_draft()

    @answers
    def remove_comment(self, args: Args = None) -> Result:
        index = IndexForm.model_validate(args or {}).index
        with self._review_lock:
            if not 0 <= index < len(self._comments):
                raise CopilotError("no such comment")
            del self._comments[index]
            return self._keep_draft()

    def _comments_answer(self) -> Result:
        return {"comments": [c.model_dump(mode="json") for c in self._comments]}

    def _keep_draft(self) -> Result:
        if self._open is not None and self._sealer is not None:
            drafts.save(self._sealer, self._open.share_id, self._comments)
        return self._comments_answer()

    @answers
    def sign_off(self, args: Args = None) -> Result:
        from copilot.supervision.bundle import write_bytes_atomic
        from copilot.supervision.review import make_reply, parse_rating, reply_bytes, verdict_of

        form = SignOffForm.model_validate(args or {})
        bundle = self._bundle()
        out = _path(form.out)
        if out is None:
            raise CopilotError("say where to write the reply")
        scores = dict(
            parse_rating(f"{item}={'-' if value in (None, '', '-') else value}", bundle.rubric)
            for item, value in form.ratings.items()
        )
        verdict = verdict_of(form.verdict)
        reply = make_reply(bundle, form.reviewer, list(self._comments), scores, verdict, form.note)
        write_bytes_atomic(out, reply_bytes(reply, self._secret))
        drafts.discard(bundle.share_id)
        drafts.clear_listening()
        return {"path": str(out.resolve()), "reply": reply.model_dump(mode="json")}

    @answers
    def close_bundle(self, args: Args = None) -> Result:
        drafts.clear_listening()
        self._open, self._secret, self._comments = None, "", []
        self._sealer = None
        return {"ok": True}
