"""Risk language: two layers, one verdict per category per sentence, always with a reason.

A sentence is flagged when either layer fires: the rules (a named pattern) or the learned layer
(the nearest curated exemplars, with their similarity). Markers never drop a flag: negated,
reported, past and child-involved statements are flagged and marked, their severity adjusted.

Nothing here states that risk is absent: no flag means neither layer fired, nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from copilot.analysis.risk.kinds import category_of, downgrade, rank, severity_of
from copilot.analysis.risk.learned import MIN_WORDS, Judgement, LearnedLayer, load_learned_layer
from copilot.analysis.risk.markers import (
    Markers,
    child_involved,
    negated_before,
    normalise,
    past_sentence,
    reported_at,
    sentence_markers,
)
from copilot.analysis.risk.rules import RuleHit, rule_hits
from copilot.domain import (
    RiskCategory,
    RiskExemplar,
    RiskFlag,
    RiskKind,
    RiskLayer,
    RiskSeverity,
    Utterance,
)

SCANNED_ROLES = ("client", "unknown")
SENTENCE = re.compile(r"[^.!?]+[.!?]*")
RAISED_WITH_A_CHILD = ("abuse", "neglect", "harm_intent", "harm_thought")


@dataclass(frozen=True)
class RiskMatch:
    """One category of risk language in one sentence, and which layer found it."""

    kind: RiskKind
    category: RiskCategory
    severity: RiskSeverity
    rule: str  # empty when only the learned layer fired
    quote: str  # the sentence as spoken, verbatim
    negated: bool
    reported_speech: bool
    past: bool = False
    child_involved: bool = False
    layer: RiskLayer = "rules"
    score: float | None = None
    exemplars: tuple[RiskExemplar, ...] = ()


def _kind_said(kind: RiskKind, marks: Markers) -> RiskKind:
    """An overdose or a bridge in the past is an attempt, not imminence."""
    return "attempt" if kind == "imminence" and marks.past else kind


def _severity(kind: RiskKind, base: RiskSeverity | None, marks: Markers) -> RiskSeverity:
    severity = base or severity_of(kind)
    if kind in RAISED_WITH_A_CHILD and marks.child_involved:
        severity = "high"
    if marks.reported_speech:
        return "low"
    if marks.negated:
        severity = downgrade(severity)
    if marks.past and kind != "attempt":
        severity = downgrade(severity)
    return severity


def _match(quote: str, kind: RiskKind, base: RiskSeverity | None, marks: Markers) -> RiskMatch:
    kind = _kind_said(kind, marks)
    return RiskMatch(
        kind=kind,
        category=category_of(kind),
        severity=_severity(kind, base, marks),
        rule="",
        quote=quote,
        negated=marks.negated,
        reported_speech=marks.reported_speech,
        past=marks.past,
        child_involved=marks.child_involved,
    )


def _from_rule(quote: str, sentence: str, hit: RuleHit) -> RiskMatch:
    kind = hit.rule.kind
    marks = Markers(
        negated=negated_before(sentence, hit.start),
        reported_speech=reported_at(sentence, hit.start, hit.end, kind),
        past=past_sentence(sentence),
        child_involved=child_involved(sentence),
    )
    return replace(_match(quote, kind, hit.rule.severity, marks), rule=hit.rule.name)


def reading_units(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Sentences grouped for the learned layer: a fragment shorter than MIN_WORDS ("the pills.
    they're counted. they're ready.") is read with the fragments after it (or, at the end, with
    the unit before it), as a halting speaker's pieces carry their meaning together."""
    units: list[list[int]] = []
    current: list[int] = []
    words = [len(text[start:end].split()) for start, end in spans]
    for i in range(len(spans)):
        current.append(i)
        if sum(words[j] for j in current) >= MIN_WORDS:
            units.append(current)
            current = []
    if current:
        if units and len(current) < len(spans):
            units[-1].extend(current)
        else:
            units.append(current)
    return units


def _key(m: RiskMatch) -> tuple[bool, int, int, int]:
    """The plainest, most severe reading first; rules before the learned layer on a tie."""
    plain = not m.negated and not m.reported_speech
    return (plain, *rank(m.kind), m.layer != "learned")


def _best_per_category(matches: Iterable[RiskMatch]) -> list[RiskMatch]:
    found: dict[RiskCategory, RiskMatch] = {}
    for m in matches:
        old = found.get(m.category)
        if old is None or _key(m) > _key(old):
            found[m.category] = m
    return list(found.values())


class RiskDetector:
    """Rules, and the learned layer unless it is None (the rules alone, for comparison)."""

    def __init__(self, learned: LearnedLayer | None) -> None:
        self.learned = learned

    def scan(self, text: str) -> list[RiskMatch]:
        """Every category of risk language in `text`, one match per category per reading unit
        (a sentence, or short fragments read together)."""
        spans = [m.span() for m in SENTENCE.finditer(text) if m.group().strip()]
        units = [text[spans[g[0]][0] : spans[g[-1]][1]].strip() for g in reading_units(text, spans)]
        judged = self.learned.judge(units) if self.learned is not None else [None] * len(units)
        matches: list[RiskMatch] = []
        for unit, judgement in zip(units, judged, strict=True):
            matches.extend(self._unit(unit, judgement))
        return matches

    def _unit(self, quote: str, judgement: Judgement | None) -> list[RiskMatch]:
        by_rules: list[RiskMatch] = []
        for piece in (p.strip() for p in SENTENCE.findall(quote) if p.strip()):
            sentence = normalise(piece)
            hits = (_from_rule(piece, sentence, h) for h in rule_hits(sentence))
            by_rules.extend(_best_per_category(hits))
        by_rules = _best_per_category(by_rules)
        if judgement is None or not judgement.fired:
            return by_rules
        sentence = normalise(quote)
        learned = replace(
            _match(quote, judgement.kind, None, sentence_markers(sentence, judgement.kind)),
            layer="learned",
            score=judgement.score,
            exemplars=judgement.exemplars,
        )
        same = next((m for m in by_rules if m.category == learned.category), None)
        if same is None:
            if not judgement.close:  # only weak evidence: it cannot claim the kind's severity
                learned = replace(learned, severity=downgrade(learned.severity))
            return [*by_rules, learned]
        both = replace(same, layer="both", score=judgement.score, exemplars=judgement.exemplars)
        return [both if m is same else m for m in by_rules]

    def flag(self, utterances: Iterable[Utterance]) -> list[RiskFlag]:
        """Flags for the client's (and unattributed) utterances, one per category each."""
        flags: list[RiskFlag] = []
        for u in utterances:
            if u.role not in SCANNED_ROLES:
                continue
            for m in _best_per_category(self.scan(u.text)):
                flags.append(
                    RiskFlag(
                        utterance_seq=u.seq,
                        role=u.role,
                        start=u.start,
                        end=u.end,
                        category=m.category,
                        kind=m.kind,
                        severity=m.severity,
                        quote=m.quote,
                        rule=m.rule,
                        negated=m.negated,
                        reported_speech=m.reported_speech,
                        past=m.past,
                        child_involved=m.child_involved,
                        layer=m.layer,
                        score=m.score,
                        exemplars=list(m.exemplars),
                    )
                )
        return flags


def default_detector() -> RiskDetector:
    """Both layers, bundled (loaded once per process)."""
    return RiskDetector(load_learned_layer())


def rules_only() -> RiskDetector:
    return RiskDetector(None)


def scan_text(text: str) -> list[RiskMatch]:
    return default_detector().scan(text)


def flag_utterances(utterances: Iterable[Utterance]) -> list[RiskFlag]:
    return default_detector().flag(utterances)
