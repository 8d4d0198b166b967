"""The window's supervision API: sharing and merging on the therapist's side, and the
supervisor's read-only review with comments, ratings and sign-off.

The bridge passes every `supervision(action, args)` call from the page to `call`; arguments and
answers are JSON-able dicts. The bundle a supervisor has open (and its passphrase, needed to seal
the reply) is held here in memory only; the comments in progress also go to a sealed draft
(copilot.supervision.drafts) so that a closed window loses none.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError
from copilot.storage.repository import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision import drafts
from copilot.supervision.models import ReviewComment, ShareBundle
from copilot.supervision.sealed import Sealer

Result = dict[str, Any]
ACTIONS = (
    "import_transcript",
    "export_record",
    "share_preview", "share_write", "history", "merge_reply",
    "open_bundle", "add_comment", "remove_comment", "sign_off", "close_bundle",
)  # fmt: skip


def _names(text: str | list[str] | None) -> list[str]:
    if isinstance(text, list):
        return [str(n).strip() for n in text if str(n).strip()]
    return [n.strip() for n in str(text or "").split(",") if n.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "supervisor"


class SupervisionView:
    def __init__(self, store: Callable[[], SessionStore], lock: threading.RLock):
        self._store = store
        self._lock = lock
        self._open: ShareBundle | None = None
        self._secret = ""
        self._comments: list[ReviewComment] = []
        self._sealer: Sealer | None = None
        self._review_lock = threading.Lock()
        self._previewed: tuple[tuple[str, str, tuple[str, ...], bool], ShareBundle] | None = None

    def call(self, action: str, args: dict[str, Any]) -> Result:
        if action not in ACTIONS:
            raise CopilotError(f"unknown supervision action {action!r}")
        answer: Result = getattr(self, action)(**args)
        return answer

    # the therapist's side -------------------------------------------------------------------

    def import_transcript(
        self, path: str, client_label: str = "Client", therapist: str | None = None
    ) -> Result:
        from copilot.supervision.importer import ImportOptions, import_file

        label = str(client_label or "").strip() or "Client"
        options = ImportOptions(therapist=str(therapist or "").strip() or None, client_label=label)
        with self._lock:
            result = import_file(Path(str(path or "").strip()), options, self._store())
        return {"session_id": result.export.session.id, "notices": result.notices}

    def export_record(
        self, session_id: str, out: str = "", format: str | None = None, analysis: str = "",
        redact: bool = False, names: Any = None,
    ) -> Result:  # fmt: skip
        from copilot.supervision.exports import write_record

        target = Path(out.strip()) if str(out or "").strip() else None
        notes = Path(analysis.strip()) if str(analysis or "").strip() else None
        with self._lock:
            written = write_record(
                self._store(), session_id, target, format or None, notes,
                _names(names) if redact else None,
            )  # fmt: skip
        return {"written": [str(p) for p in written]}

    def share_preview(
        self, session_id: str, recipient: str, names: Any = None, with_audio: bool = False
    ) -> Result:
        from copilot.supervision.bundle import ShareRequest, build_bundle, preview_text

        request = ShareRequest(recipient, _names(names), bool(with_audio))
        with self._lock:
            store = self._store()
            session = store.get(session_id)
            bundle = build_bundle(store, session.id, request)
        # What is written is the very bundle previewed, so the preview is exact.
        self._previewed = (_key(session.id, request), bundle)
        default = (
            Path.home() / f"session-{session.created_at:%Y-%m-%d}-for-{_slug(recipient)}.scshare"
        )
        from copilot.supervision.show import bundle_text

        return {
            "preview": preview_text(bundle),
            "readable": bundle_text(bundle),
            "redacted": bundle.redacted,
            "default_out": str(default),
        }

    def share_write(
        self, session_id: str, recipient: str, passphrase: str, out: str, names: Any = None,
        with_audio: bool = False,
    ) -> Result:  # fmt: skip
        from copilot.supervision.bundle import ShareRequest, write_bundle

        if not str(out or "").strip():
            raise CopilotError("say where to write the bundle")
        request = ShareRequest(recipient, _names(names), bool(with_audio))
        with self._lock:
            store = self._store()
            sid = store.get(session_id).id
            if self._previewed is None or self._previewed[0] != _key(sid, request):
                raise CopilotError("preview the bundle first: it is written as the preview shows")
            record = write_bundle(store, sid, self._previewed[1], str(passphrase), Path(out))
            self._previewed = None
        return {"path": record.path, "recipient": record.recipient, **self.history(sid)}

    def history(self, session_id: str) -> Result:
        with self._lock:
            supervision = SupervisionStore(self._store())
            shares, reviews = supervision.shares(session_id), supervision.reviews(session_id)
        return {
            "shares": [s.model_dump(mode="json", exclude={"session_id"}) for s in shares],
            "reviews": [r.model_dump(mode="json") for r in reviews],
        }

    def merge_reply(self, path: str, passphrase: str) -> Result:
        from copilot.supervision.review import merge_reply

        with self._lock:
            record = merge_reply(self._store(), Path(str(path)), str(passphrase))
        return {"session_id": record.session_id, "review": record.model_dump(mode="json")}

    # the supervisor's side ------------------------------------------------------------------

    def open_bundle(self, path: str, passphrase: str) -> Result:
        from copilot.supervision.bundle import open_bundle

        where = Path(str(path or "").strip())
        bundle = open_bundle(where, str(passphrase))
        self._open, self._secret = bundle, str(passphrase)
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

    def add_comment(
        self,
        text: str,
        at: str | float | None = None,
        line: int | None = None,
        tag: str | None = None,
    ) -> Result:
        from copilot.supervision.review import check_tag, clock_seconds, comment_on_line

        bundle = self._bundle()
        text = str(text or "").strip()
        if not text:
            raise CopilotError("the comment is empty")
        tag = check_tag(bundle.rubric, tag or None)
        if line is not None:
            comment = comment_on_line(bundle, int(line), text, tag)
        elif at is not None and str(at).strip():
            when = float(at) if isinstance(at, int | float) else clock_seconds(str(at))
            comment = ReviewComment(at=when, tag=tag, text=text)
        else:
            comment = ReviewComment(tag=tag, text=text)
        with self._review_lock:  # two quick clicks arrive on two threads
            self._comments.append(comment)
            return self._keep_draft()

    def remove_comment(self, index: int) -> Result:
        with self._review_lock:
            if not 0 <= int(index) < len(self._comments):
                raise CopilotError("no such comment")
            del self._comments[int(index)]
            return self._keep_draft()

    def _comments_answer(self) -> Result:
        return {"comments": [c.model_dump(mode="json") for c in self._comments]}

    def _keep_draft(self) -> Result:
        if self._open is not None and self._sealer is not None:
            drafts.save(self._sealer, self._open.share_id, self._comments)
        return self._comments_answer()

    def sign_off(
        self, verdict: str, out: str, ratings: dict[str, Any] | None = None, note: str = "",
        reviewer: str = "",
    ) -> Result:  # fmt: skip
        from copilot.supervision.bundle import write_bytes_atomic
        from copilot.supervision.review import make_reply, parse_rating, reply_bytes, verdict_of

        bundle = self._bundle()
        if not str(out or "").strip():
            raise CopilotError("say where to write the reply")
        scores = dict(
            parse_rating(f"{item}={'-' if value in (None, '', '-') else value}", bundle.rubric)
            for item, value in (ratings or {}).items()
        )
        reply = make_reply(
            bundle, str(reviewer), list(self._comments), scores, verdict_of(str(verdict)), str(note)
        )
        write_bytes_atomic(Path(out), reply_bytes(reply, self._secret))
        drafts.discard(bundle.share_id)
        drafts.clear_listening()
        return {"path": str(Path(out).resolve()), "reply": reply.model_dump(mode="json")}

    def close_bundle(self) -> Result:
        drafts.clear_listening()
        self._open, self._secret, self._comments = None, "", []
        self._sealer = None
        return {"ok": True}


def _key(session_id: str, r: Any) -> tuple[str, str, tuple[str, ...], bool]:
    return (session_id, r.recipient.strip(), tuple(r.names), r.with_audio)
