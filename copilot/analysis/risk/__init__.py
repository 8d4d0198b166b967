"""Risk language: always on, local, deterministic; rules and a learned layer (see detector)."""

from copilot.analysis.risk.detector import (
    SCANNED_ROLES,
    RiskDetector,
    RiskMatch,
    default_detector,
    flag_utterances,
    rules_only,
    scan_text,
)

__all__ = [
    "SCANNED_ROLES",
    "RiskDetector",
    "RiskMatch",
    "default_detector",
    "flag_utterances",
    "rules_only",
    "scan_text",
]
