"""A risk flag in words, the same in the terminal, the report and the live printout."""

from __future__ import annotations

from copilot.domain import RiskFlag


def name(flag: RiskFlag) -> str:
    """Kind and category, "passive wish · suicidal ideation" (older flags have no kind)."""
    category = flag.category.replace("_", " ")
    return f"{flag.kind.replace('_', ' ')} · {category}" if flag.kind else category


def marks(flag: RiskFlag) -> list[str]:
    return [
        mark
        for mark, on in (
            ("negated", flag.negated),
            ("reported", flag.reported_speech),
            ("past", flag.past),
            ("child involved", flag.child_involved),
        )
        if on
    ]


def why(flag: RiskFlag) -> str:
    """Which layer fired: the rule by name, the nearest exemplar by meaning, or both."""
    parts = [f"rule {flag.rule}"] if flag.rule else []
    if flag.exemplars:
        e = flag.exemplars[0]
        parts.append(f"{e.similarity:.0%} like “{e.text}”")
    return "; ".join(parts)


def line(flag: RiskFlag) -> str:
    """`kind (severity, marks): “quote”` and, after a dash, why."""
    head = ", ".join([flag.severity, *marks(flag)])
    reason = why(flag)
    return f"{name(flag)} ({head}): “{flag.quote}”" + (f" — {reason}" if reason else "")
