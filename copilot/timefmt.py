"""Session times as people read them: the one home of the clock format."""

from __future__ import annotations


def clock(seconds: float | None, pad: bool = False) -> str:
    """`m:ss`, or `h:mm:ss` from an hour; `pad` gives the minutes two digits (`mm:ss`)."""
    if seconds is None:
        return "–"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes = f"{rest // 60:02d}" if hours or pad else f"{rest // 60}"
    return f"{hours}:{minutes}:{rest % 60:02d}" if hours else f"{minutes}:{rest % 60:02d}"
