"""The kinds of risk language a clinician distinguishes, and where each sits on the ladder.

The suicide kinds follow the order of the Columbia Suicide Severity Rating Scale (Posner et al.,
Am J Psychiatry 2011;168:1266-77): a wish to be dead, active thoughts, thoughts of a method,
intent, a plan; then behaviour: preparation, access to means, imminence, an attempt. Severity
follows that ladder. The other kinds are self-harm, harm to others (thought, intent, means),
abuse and neglect, and intrusive unwanted harm thoughts, which are flagged as such: common, and
usually not intent, but for the therapist to judge.
"""

from __future__ import annotations

from typing import get_args

from copilot.domain import RiskCategory, RiskKind, RiskSeverity

KINDS: tuple[RiskKind, ...] = get_args(RiskKind)

# kind -> (coarse category, default severity, rung on the suicide ladder; 0 off the ladder)
KIND_INFO: dict[RiskKind, tuple[RiskCategory, RiskSeverity, int]] = {
    "passive_wish": ("suicidal_ideation", "moderate", 1),
    "active_ideation": ("suicidal_ideation", "moderate", 2),
    "method": ("suicidal_ideation", "moderate", 3),
    "intent": ("suicidal_ideation", "high", 4),
    "plan": ("immediate_danger", "high", 5),
    "preparatory": ("immediate_danger", "high", 6),
    "means_access": ("immediate_danger", "high", 6),
    "imminence": ("immediate_danger", "high", 7),
    "attempt": ("suicidal_behaviour", "high", 6),
    "self_harm": ("self_harm", "moderate", 0),
    "harm_thought": ("harm_to_others", "moderate", 0),
    "harm_intent": ("harm_to_others", "high", 0),
    "harm_means": ("harm_to_others", "high", 0),
    "abuse": ("abuse_neglect", "moderate", 0),
    "neglect": ("abuse_neglect", "moderate", 0),
    "intrusive_thought": ("intrusive_thoughts", "low", 0),
}

SEVERITY_ORDER: dict[RiskSeverity, int] = {"low": 0, "moderate": 1, "high": 2}


def category_of(kind: RiskKind) -> RiskCategory:
    return KIND_INFO[kind][0]


def severity_of(kind: RiskKind) -> RiskSeverity:
    return KIND_INFO[kind][1]


def rank(kind: RiskKind) -> tuple[int, int]:
    """Sort key: the more severe, then the higher on the ladder."""
    _, severity, rung = KIND_INFO[kind]
    return SEVERITY_ORDER[severity], rung


def downgrade(severity: RiskSeverity) -> RiskSeverity:
    return "low" if severity != "high" else "moderate"
