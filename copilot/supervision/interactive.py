"""The supervisor's review on a terminal, one line at a time (`open-share FILE --interactive`).

Lines read:
    12:30 [tag] text     a comment at a time        #14 [tag] text   a comment on line 14
    rate ITEM=N          a rating (N 1..4, or -)    list             what is written so far
    undo                 drop the last comment      note TEXT        the closing note
    reviewed | needs-revision                       sign off, and end
    quit                 end without a reply
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from copilot.errors import CopilotError
from copilot.supervision.models import ReviewComment, ShareBundle, SupervisionReply
from copilot.supervision.review import make_reply, parse_comment, parse_rating, verdict_of
from copilot.timefmt import clock

HELP = __doc__.split("Lines read:\n", 1)[1] if __doc__ else ""


@dataclass
class Draft:
    bundle: ShareBundle
    reviewer: str = ""
    comments: list[ReviewComment] = field(default_factory=list)
    ratings: dict[str, int | None] = field(default_factory=dict)
    note: str = ""

    def summary(self) -> str:
        lines = [
            f"{clock(c.at) if c.at is not None else 'general'}"
            f"{f' [{c.tag}]' if c.tag else ''} {c.text}"
            for c in self.comments
        ]
        rated = ", ".join(f"{k}={'-' if v is None else v}" for k, v in self.ratings.items())
        return "\n".join([*lines, f"ratings: {rated or 'none'}", f"note: {self.note or 'none'}"])


def review_loop(
    draft: Draft, lines: Iterable[str], say: Callable[[str], None]
) -> SupervisionReply | None:
    """Read lines until a verdict (the reply) or `quit` / the end of input (None)."""
    say(HELP)
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        try:
            reply = _step(draft, line, say)
        except CopilotError as exc:
            say(f"not taken: {exc}")
            continue
        if reply is not None or line == "quit":
            return reply
    return None


def _step(draft: Draft, line: str, say: Callable[[str], None]) -> SupervisionReply | None:
    word, _, rest = line.partition(" ")
    if line in ("reviewed", "needs-revision", "needs revision"):
        return make_reply(
            draft.bundle,
            draft.reviewer,
            draft.comments,
            draft.ratings,
            verdict_of(line),
            draft.note,
        )
    if word == "rate":
        item, score = parse_rating(rest, draft.bundle.rubric)
        draft.ratings[item] = score
    elif word == "note":
        draft.note = rest.strip()
    elif line == "undo":
        if not draft.comments:
            raise CopilotError("no comment to drop")
        draft.comments.pop()
    elif line == "list":
        say(draft.summary())
        return None
    elif line in ("help", "?"):
        say(HELP)
        return None
    elif line == "quit":
        return None
    else:
        draft.comments.append(parse_comment(line, draft.bundle))
    say(f"ok ({len(draft.comments)} comment(s), {len(draft.ratings)} rating(s))")
    return None
