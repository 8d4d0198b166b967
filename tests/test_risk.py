"""Risk language: recall on the project's own test sets, markers, roles, verbatim quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.analysis.risk import evaluate_test_set, flag_utterances, scan_text
from copilot.domain import Utterance

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["risk_sentences.tsv", "risk_heldout.tsv"])
def test_recall_first_then_precision(name: str) -> None:
    result = evaluate_test_set(DATA / name)
    assert result["risk_recall"] >= 0.95, result["missed"]
    assert result["risk_precision"] >= 0.9, result["false_alarms"]
    assert result["category_accuracy"] >= 0.9


def test_test_set_is_large_enough_and_balanced() -> None:
    result = evaluate_test_set(DATA / "risk_sentences.tsv")
    assert result["sentences"] >= 150
    assert 0.3 <= result["positives"] / result["sentences"] <= 0.8  # type: ignore[operator]


@pytest.mark.parametrize(
    "text",
    ["I don't want to be here anymore.", "Everyone would be better off without me."],
)
def test_paraphrases_are_caught(text: str) -> None:
    (match,) = scan_text(text)
    assert match.category == "suicidal_ideation"
    assert not match.negated and not match.reported_speech


def test_negation_is_flagged_and_marked_not_dropped() -> None:
    (match,) = scan_text("I would never kill myself.")
    assert match.negated
    assert match.category == "suicidal_ideation"


def test_reported_speech_is_flagged_and_marked() -> None:
    (match,) = scan_text("My friend said she wanted to die.")
    assert match.reported_speech
    assert match.severity == "low"


def test_idioms_stay_quiet() -> None:
    assert scan_text("This traffic is killing me and I'd kill for a coffee.") == []


def _utterance(seq: int, role: str, text: str) -> Utterance:
    return Utterance(seq=seq, role=role, start=seq * 10.0, end=seq * 10.0 + 4, text=text)  # type: ignore[arg-type]


def test_only_client_and_unattributed_speech_is_scanned() -> None:
    flags = flag_utterances(
        [
            _utterance(0, "therapist", "Have you had thoughts of killing yourself?"),
            _utterance(1, "client", "Honestly, some nights I wish I could just not wake up."),
            _utterance(2, "unknown", "He hits me when he drinks."),
        ]
    )
    assert [(f.utterance_seq, f.category) for f in flags] == [
        (1, "suicidal_ideation"),
        (2, "abuse_neglect"),
    ]
    assert flags[0].start == 10.0


def test_quote_occurs_verbatim_in_the_utterance() -> None:
    text = "Work was fine. But I've saved up enough pills to do it. Anyway."
    (flag, *_) = flag_utterances([_utterance(3, "client", text)])
    assert flag.category == "immediate_danger" and flag.severity == "high"
    assert flag.quote in text
    assert flag.quote == "But I've saved up enough pills to do it."
