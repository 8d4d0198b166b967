"""The supervisor's side: the rubric, comments and ratings, the sealed reply, and its merge into
the therapist's session."""

from __future__ import annotations

import re
import secrets
import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from copilot.errors import CopilotError, InputFileError
from copilot.storage.repository import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision.models import (
    ReviewComment,
    ReviewRecord,
    Rubric,
    ShareBundle,
    SupervisionReply,
    Verdict,
)
from copilot.supervision.parsers import seconds
from copilot.supervision.sealed import SealError, seal, unseal

_COMMENT = re.compile(
    r"^\s*(?:(?P<clock>(?:\d{1,2}:)?\d{1,2}:\d{2})|#(?P<line>\d+))\s+"
    r"(?:\[(?P<tag>[\w-]+)\]\s*)?(?P<text>\S.*)$",
    re.DOTALL,
)


@cache
def load_rubric() -> Rubric:
    """The project's own plain rubric, shipped as copilot/supervision/rubric.toml."""
    text = Path(__file__).with_name("rubric.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["scale"] = {int(k): v for k, v in data["scale"].items()}
    return Rubric.model_validate(data)


def check_tag(rubric: Rubric, tag: str | None) -> str | None:
    if tag is None or not tag.strip():
        return None
    if tag not in rubric.item_ids():
        raise CopilotError(f"no rubric item {tag!r}; the items are: {', '.join(rubric.item_ids())}")
    return tag


def parse_comment(spec: str, bundle: ShareBundle) -> ReviewComment:
    """`12:30 [empathy] text` (at a time) or `#14 [risk] text` (on line 14 of the transcript);
    the tag is optional."""
    match = _COMMENT.match(spec)
    if match is None:
        raise CopilotError(
            f"comment {spec[:40]!r}: write it as `12:30 [tag] text` or `#14 [tag] text`"
        )
    tag = check_tag(bundle.rubric, match["tag"])
    if match["line"] is not None:
        return comment_on_line(bundle, int(match["line"]), match["text"].strip(), tag)
    return ReviewComment(at=clock_seconds(match["clock"]), tag=tag, text=match["text"].strip())


def clock_seconds(text: str) -> float:
    """`12:30` or `1:02:03`, as a supervisor types a time; minutes and seconds under 60."""
    parts = text.strip().split(":")
    if not (
        2 <= len(parts) <= 3
        and all(p.isdigit() for p in parts)
        and all(int(p) < 60 for p in parts[1:])
    ):
        raise CopilotError(f"{text!r} is not a time: write it as 12:30 or 1:02:03")
    return seconds(text.strip())


def comment_on_line(bundle: ShareBundle, line: int, text: str, tag: str | None) -> ReviewComment:
    """Line numbers count from 1, as the transcript is shown."""
    if not 1 <= line <= len(bundle.utterances):
        raise CopilotError(f"there is no line {line}: the transcript has {len(bundle.utterances)}")
    u = bundle.utterances[line - 1]
    return ReviewComment(at=u.start, utterance_seq=u.seq, tag=tag, text=text)


def parse_rating(spec: str, rubric: Rubric) -> tuple[str, int | None]:
    """`empathy=3`, or `empathy=-` for not observed."""
    item, _, value = spec.partition("=")
    item = check_tag(rubric, item.strip()) or ""
    if value.strip() in ("-", "n/a", "na"):
        return item, None
    try:
        score = int(value)
    except ValueError:
        score = -1
    if score not in rubric.scale:
        raise CopilotError(f"rating {spec!r}: use {item}=1..{max(rubric.scale)} or {item}=-")
    return item, score


def verdict_of(text: str) -> Verdict:
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    if word == "reviewed":
        return "reviewed"
    if word == "needs_revision":
        return "needs_revision"
    raise CopilotError(f"verdict {text!r}: use reviewed or needs-revision")


def make_reply(
    bundle: ShareBundle,
    reviewer: str,
    comments: list[ReviewComment],
    ratings: dict[str, int | None],
    verdict: Verdict,
    note: str = "",
) -> SupervisionReply:
    return SupervisionReply(
        reply_id=secrets.token_hex(8),
        share_id=bundle.share_id,
        reviewer=reviewer.strip() or bundle.recipient,
        rubric_id=bundle.rubric.id,
        rubric_version=bundle.rubric.version,
        comments=sorted(comments, key=lambda c: (c.at is None, c.at or 0.0)),
        ratings=ratings,
        verdict=verdict,
        note=note.strip(),
    )


def reply_bytes(reply: SupervisionReply, passphrase: str) -> bytes:
    return seal("reply", reply.model_dump_json().encode("utf-8"), passphrase)


def read_sealed(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(f"{path} does not exist")
    if not path.is_file():
        raise InputFileError(f"{path} is not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc


def open_reply(path: Path, passphrase: str) -> SupervisionReply:
    plaintext = unseal(read_sealed(path), passphrase, "reply", path.name)
    try:
        return SupervisionReply.model_validate_json(plaintext)
    except ValidationError as exc:
        raise SealError(f"{path.name} is not a valid review reply") from exc


def merge_reply(store: SessionStore, path: Path, passphrase: str) -> ReviewRecord:
    """Add a supervisor's reply to the session its bundle was made from."""
    reply = open_reply(path, passphrase)
    supervision = SupervisionStore(store)
    share = supervision.share(reply.share_id)
    if share is None:
        raise CopilotError(
            f"{path.name} answers a share that was not made here (or its session was deleted)"
        )
    record = ReviewRecord(reply=reply, session_id=share.session_id)
    supervision.add_review(record)
    return record
