"""Bundles and reviews as text, for the terminal."""

from __future__ import annotations

from copilot.supervision.exports import speaker
from copilot.supervision.models import VERDICT_WORDS, ReviewRecord, ShareBundle
from copilot.timefmt import clock


def bundle_text(bundle: ShareBundle) -> str:
    s = bundle.session
    lines = [
        f"Shared with {bundle.recipient} · {s.client_label} · {s.date} · {clock(s.duration_s)}"
        + (f" · from a transcript ({s.imported_from})" if s.imported_from else ""),
        "Read-only. Redacted before it was shared: "
        + (", ".join(f"{n} {k.lower()}" for k, n in sorted(bundle.redacted.items())) or "nothing"),
    ]
    if s.consent:
        lines.append(f"Consent: {s.consent.method}, {s.consent.recorded_at:%Y-%m-%d}")
    summary = bundle.summary
    if summary:
        lines += ["", "SUMMARY", *(f"- {o}" for o in summary.observations)]
        if summary.dominant_states:
            lines.append("leading states: " + ", ".join(
                f"{d.label} {d.share:.0%}" for d in summary.dominant_states[:4]))  # fmt: skip
        lines += ["", "ARC"] + [
            f"  {clock(p.start)}–{clock(p.end)}  valence {p.valence:+.2f}  " + _top(p.scores)
            for p in summary.arc
        ]
        lines += ["", "KEY MOMENTS"] + [
            f"  [{clock(k.start)}] {k.kind} · {k.state}: “{k.quote}”" for k in summary.key_moments
        ]
    lines += ["", "RISK LANGUAGE"] + (
        [f"  [{clock(f.start)}] {f.category.replace('_', ' ')} ({f.severity}): “{f.quote}”"
         for f in bundle.risk_flags] or ["  none flagged (not evidence of absence)"]
    )  # fmt: skip
    lines += ["", "TRANSCRIPT (comment on a line with #N)"]
    lines += [
        f"#{i:<4} [{clock(u.start)}] {speaker(u)}: {u.text}"
        for i, u in enumerate(bundle.utterances, 1)
    ]
    lines += ["", "RUBRIC (tag a comment with [id]; rate with --rate id=1..4 or id=-)"]
    lines += [f"  {i.id:<15} {i.name}: {i.description}" for i in bundle.rubric.items]
    lines += [f"  {score} = {meaning}" for score, meaning in sorted(bundle.rubric.scale.items())]
    return "\n".join(lines)


def _top(scores: dict[str, float]) -> str:
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:2]
    return ", ".join(f"{k} {v:.0%}" for k, v in best)


def review_text(record: ReviewRecord) -> str:
    r = record.reply
    lines = [
        f"{VERDICT_WORDS[r.verdict].upper()} by {r.reviewer}, signed {r.signed_at:%Y-%m-%d %H:%M}"
        f" (merged {record.merged_at:%Y-%m-%d %H:%M})"
    ]
    if r.note:
        lines.append(f"  note: {r.note}")
    rated = [f"{k}={'-' if v is None else v}" for k, v in r.ratings.items()]
    if rated:
        lines.append("  ratings: " + ", ".join(rated))
    for c in r.comments:
        where = clock(c.at) if c.at is not None else "general"
        tag = f" [{c.tag}]" if c.tag else ""
        lines.append(f"  {where}{tag} {c.text}")
    return "\n".join(lines)
