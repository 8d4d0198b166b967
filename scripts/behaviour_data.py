"""Reading the labelled therapist utterances in data/behaviour/ (see data/behaviour/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "behaviour"
CODES = {
    "OQ": "open_question",
    "CQ": "closed_question",
    "SR": "simple_reflection",
    "CR": "complex_reflection",
    "OT": "other",
}


@dataclass(frozen=True)
class Item:
    text: str
    context: str | None  # the client turn just before, if any
    label: str
    group: str  # items sharing a client statement or a dialogue


def training_items(path: Path = DATA / "train_lists.txt") -> list[Item]:
    """Per-class lists: a client statement, then one response of each class."""
    items, context, group = [], None, 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("C: "):
            context, group = line[3:].strip(), group + 1
        elif m := re.match(r"^(OQ|CQ|SR|CR|OT): (.+)$", line):
            items.append(Item(m[2].strip(), context, CODES[m[1]], f"t{group}"))
    return items


def dialogue_items(path: Path) -> list[Item]:
    """Written dialogues: "C: ..." client turns and "T CODE: ..." therapist turns."""
    items: list[Item] = []
    context: list[str] = []
    name, previous = "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            name, context, previous = line[3:].split()[0], [], ""
        elif line.startswith("C: "):
            context = [*context, line[3:].strip()] if previous == "C" else [line[3:].strip()]
            previous = "C"
        elif m := re.match(r"^T (OQ|CQ|SR|CR|OT): (.+)$", line):
            joined = " ".join(context) if previous == "C" else None
            items.append(Item(m[2].strip(), joined, CODES[m[1]], name))
            previous = "T"
    return items


def test_items() -> list[Item]:
    return dialogue_items(DATA / "test_dialogues.txt")
