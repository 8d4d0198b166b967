"""A long utterance read clause by clause as well as whole.

Clients rarely say risk on its own: "I've been putting my sleeping tablets aside each week, and
then the boiler packed in on Tuesday." A sentence vector averages both halves and the risk half
is diluted: with each written risk sentence joined to an unseen everyday one and scored by a
bank without its own split, the learned layer alone caught 0.34 of them, 0.75 reading clauses
too (scripts/train_risk.py reports both). Each clause of a long unit is read, against a floor of
its own.
"""

from __future__ import annotations

import re

LONG_WORDS = 12  # a unit this long is also read clause by clause
CLAUSE_WORDS = 5  # a clause shorter than this is read with the one after it
MAX_CLAUSES = 4  # each costs one encoder pass; the rest are read with the last
BREAK = re.compile(
    r"\s*[,;:.!?\u2014]+\s+|\s+[-\u2013]\s+|"
    r"\s+(?=(?:and|but|so|because|cause|then|which|while|though|although|until|till|since|or)"
    r"\b)",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    """The clauses of a long unit (none for a short one, or one that does not divide)."""
    if len(text.split()) < LONG_WORDS:
        return []
    out: list[str] = []
    current = ""
    for part in (p.strip() for p in BREAK.split(text)):
        if not part:
            continue
        current = f"{current} {part}" if current else part
        if len(current.split()) >= CLAUSE_WORDS and len(out) < MAX_CLAUSES - 1:
            out.append(current)
            current = ""
    if current:  # the rest: a clause of its own when long enough, else the last one's end
        if out and len(current.split()) < CLAUSE_WORDS:
            out[-1] = f"{out[-1]} {current}"
        else:
            out.append(current)
    return out if len(out) > 1 else []
