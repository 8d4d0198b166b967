"""Redaction of a transcript before any of it leaves the machine, and restoration afterwards.

What is replaced, each by a stable placeholder (the same value always gets the same one within a
`Redaction`, so text sent in several requests stays consistent):
- the names the therapist enters for this client (client, family, workplace), case-insensitive,
  whole words, possessives included (`Rebecca's` becomes `[NAME_1]'s`), and the client's label
  when it is not a generic word such as "Client";
- email addresses; phone numbers; street addresses and UK postcodes; dates that carry a year, and
  any date spoken after "born" or "birthday"; ID-like numbers (SSN and NHS shapes, numbers after
  words such as "NHS number" or "account", any run of six or more digits, and long runs of spoken
  digits such as "oh seven seven double oh nine ...").

Limits, stated plainly: this is pattern matching, not named-entity recognition. A name the
therapist did not enter (a colleague mentioned once, a town, a school, an employer) passes
through unchanged, as do identifying facts told in ordinary words ("the only Polish dentist in
our village"). Numbers written by the transcriber in unusual shapes may be missed; ordinary counts
of six or more spoken digits are over-redacted. Use `--preview` to read exactly what would be
sent, and add names with `--names` until it reads as it should.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

# Words that make a poor client label to redact: the default labels and generic nouns.
GENERIC_LABEL_WORDS = frozenset(
    {"client", "demo", "patient", "unknown", "the", "session", "test", "new", "anonymous"}
)
PLACEHOLDER = re.compile(r"\[(?:NAME|CLIENT|EMAIL|PHONE|ADDRESS|DATE|ID)_\d+\]")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d|'\d\d)"
_DATE_WITH_YEAR = (
    rf"(?:\b\d{{4}}-\d{{2}}-\d{{2}}\b"  # 1985-03-12
    rf"|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b"  # 12/03/1985, 3.12.85
    rf"|\b{_DAY}(?:\s+of)?\s+{_MONTHS}\.?,?\s+{_YEAR}\b"  # 12th of March 1985
    rf"|\b{_MONTHS}\.?\s+{_DAY},?\s+{_YEAR}\b"  # March 12, 1985
    rf"|\b{_MONTHS}\.?\s+{_YEAR}\b)"  # March 1985
)
_DATE_AFTER_BIRTH = (
    rf"\b(?:born|birthday(?:\s+is)?)\s+(?:on\s+)?(?:the\s+)?"
    rf"(?P<v>{_DAY}(?:\s+of)?\s+{_MONTHS}|{_MONTHS}\s+{_DAY})\b"
)
_STREET_TYPES = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|way|place|pl|crescent|"
    r"boulevard|blvd|terrace|gardens|grove|square|sq|row|mews|walk|parkway|highway|hwy)"
)
_SPOKEN_DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"

# Order matters: earlier kinds claim their text first (a date is not also read as a phone).
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DATE", re.compile(_DATE_WITH_YEAR, re.IGNORECASE)),
    ("DATE", re.compile(_DATE_AFTER_BIRTH, re.IGNORECASE)),
    (
        "ADDRESS",
        re.compile(
            rf"\b\d{{1,5}}[a-z]?\s+(?:[A-Za-z][a-z'-]+\s+){{1,3}}{_STREET_TYPES}\b\.?",
            re.IGNORECASE,
        ),
    ),
    ("ADDRESS", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),  # UK postcode
    (
        "ID",
        re.compile(
            r"\b(?:nhs|ssn|passport|account|card|policy|reference|membership|member|id)"
            r"(?:\s+(?:number|no\.?|num))?(?:\s+(?:is|was))?[\s:#]{1,3}"
            r"(?P<v>[A-Z]{0,3}\d[\d -]{3,}\d)\b",
            re.IGNORECASE,
        ),
    ),
    ("ID", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),  # SSN shape
    (
        "PHONE",
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,6}(?:[\s.-]\d{2,6}){1,4}"
            r"(?![\w-])"
        ),
    ),
    ("ID", re.compile(r"\b\d{6,}\b")),
    (
        "ID",
        re.compile(rf"\b(?:{_SPOKEN_DIGIT}[\s,-]+){{6,}}{_SPOKEN_DIGIT}\b", re.IGNORECASE),
    ),
)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _plausible(kind: str, text: str) -> bool:
    """Shapes the patterns over-match: a phone has 7 to 15 digits, a spaced number is not a
    phone when it is a short list of small numbers ("10 20 30")."""
    if kind == "PHONE":
        return 7 <= _digits(text) <= 15 and not re.fullmatch(r"\d{1,3}(?: \d{1,3})+", text)
    return True


def _name_pattern(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def label_names(label: str | None) -> list[str]:
    """A client label worth redacting: the whole label and its non-generic capitalised words."""
    if not label or label.strip().casefold() in GENERIC_LABEL_WORDS:
        return []
    words = [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z'-]+", label)
        if len(w) >= 3 and w[0].isupper() and w.casefold() not in GENERIC_LABEL_WORDS
    ]
    if not words:
        return []
    return [label.strip(), *words] if label.strip() not in words else words


@dataclass
class Redaction:
    """Replaces personal details by placeholders and restores them. One per session."""

    names: Sequence[str] = ()
    client_label: str | None = None
    originals: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        label = label_names(self.client_label)
        entered = [n.strip() for n in self.names if n.strip()]
        # Longest first, so "Mary Ann" is taken whole before "Mary".
        self._names: list[tuple[str, str, re.Pattern[str]]] = [
            ("CLIENT" if n in label else "NAME", n, _name_pattern(n))
            for n in sorted(dict.fromkeys([*label, *entered]), key=len, reverse=True)
        ]

    def placeholder(self, kind: str, original: str) -> str:
        key = (kind, " ".join(original.casefold().split()))
        found = self._keys.get(key)
        if found is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            found = f"[{kind}_{self._counts[kind]}]"
            self._keys[key] = found
            self.originals[found] = original
        return found

    def redact(self, text: str) -> str:
        # Emails first: a name inside an address must not split it.
        text = _EMAIL.sub(partial(self._replace, "EMAIL"), text)
        for kind, name, pattern in self._names:
            # A name maps to the spelling the therapist entered, whatever the case heard.
            if pattern.search(text):
                text = pattern.sub(self.placeholder(kind, name), text)
        for kind, pattern in _PATTERNS:
            text = pattern.sub(partial(self._replace, kind), text)
        return text

    def _replace(self, kind: str, match: re.Match[str]) -> str:
        whole = match.group(0)
        # A pattern with a group "v" matches context around the value; only the value goes.
        value = match.groupdict().get("v") or whole
        if PLACEHOLDER.fullmatch(value) or not _plausible(kind, value):
            return whole
        at = match.start("v") - match.start() if "v" in match.groupdict() else 0
        return whole[:at] + self.placeholder(kind, value) + whole[at + len(value) :]

    def restore(self, text: str) -> str:
        """Put the originals back; a placeholder this redaction never made is left as it is."""
        return PLACEHOLDER.sub(lambda m: self.originals.get(m.group(0), m.group(0)), text)

    def redact_all(self, texts: Iterable[str]) -> list[str]:
        return [self.redact(t) for t in texts]

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced."""
        return dict(self._counts)
