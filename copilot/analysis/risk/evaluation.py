"""Scoring the detector on labelled sentences: the older sets and the blind split.

Two formats: the older sets (`category`, `marker`, `text`) and the blind split (`situation`,
`kind`, `marker`, `text`). Recall counts a positive found when any flag is raised on it; the
category, kind and marker are scored apart, so a miss on any of them shows.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from copilot.analysis.risk.detector import RiskDetector, RiskMatch
from copilot.analysis.risk.kinds import category_of


@dataclass(frozen=True)
class LabelledSentence:
    category: str  # a RiskCategory, or "none" for a hard negative
    marker: str  # plain, negated, reported or past
    text: str
    kind: str = ""  # the fine kind, when the set names it
    situation: str = ""  # the clinical situation it was written for, when the set names it


def load_set(path: Path) -> list[LabelledSentence]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for r in rows:
        kind = r.get("kind", "")
        category = r.get("category") or ("none" if kind == "none" else category_of(kind))  # type: ignore[arg-type]
        out.append(LabelledSentence(category, r["marker"], r["text"], kind, r.get("situation", "")))
    return out


def _ratio(a: int, b: int) -> float:
    return round(a / max(1, b), 4)


def _marker(matches: Sequence[RiskMatch], category: str) -> str:
    chosen = next((m for m in matches if m.category == category), matches[0])
    if chosen.reported_speech:
        return "reported"
    if chosen.negated:
        return "negated"
    return "past" if chosen.past else "plain"


def evaluate(rows: Sequence[LabelledSentence], detector: RiskDetector) -> dict[str, object]:
    tp = fp = fn = category_ok = kind_ok = kinds_named = marker_ok = 0
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # group -> [found, positives]
    flagged_as: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # category -> [right, all]
    misses: list[str] = []
    false_alarms: list[str] = []
    for row in rows:
        matches = detector.scan(row.text)
        for category in {m.category for m in matches}:
            flagged_as[category][1] += 1
            flagged_as[category][0] += category == row.category
        if row.category == "none":
            if matches:
                fp += 1
                false_alarms.append(row.text)
            continue
        for group in (f"category:{row.category}", f"kind:{row.kind}", f"situation:{row.situation}"):
            if not group.endswith(":"):
                found[group][1] += 1
                found[group][0] += bool(matches)
        if not matches:
            fn += 1
            misses.append(row.text)
            continue
        tp += 1
        category_ok += any(m.category == row.category for m in matches)
        if row.kind:
            kinds_named += 1
            kind_ok += any(m.kind == row.kind for m in matches)
        marker_ok += _marker(matches, row.category) == row.marker
    return {
        "sentences": len(rows),
        "positives": tp + fn,
        "risk_recall": _ratio(tp, tp + fn),
        "risk_precision": _ratio(tp, tp + fp),
        "category_accuracy": _ratio(category_ok, tp),
        "kind_accuracy": _ratio(kind_ok, kinds_named) if kinds_named else None,
        "marker_accuracy": _ratio(marker_ok, tp),
        "recall_by": {g: _ratio(a, b) for g, (a, b) in sorted(found.items())},
        # Of the sentences flagged with a category, the share whose label is that category.
        "precision_by_category": {c: _ratio(a, b) for c, (a, b) in sorted(flagged_as.items())},
        "missed": misses,
        "false_alarms": false_alarms,
    }
