"""Therapist behaviour coding with the bundled head on the real encoder, and the session figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from window_support import stored_session

from copilot.analysis.behaviour import (
    BEHAVIOURS,
    FEATURES,
    BehaviourCoder,
    code_utterances,
    coded_unit,
    default_coder,
    figures,
    is_filler,
    surface,
)
from copilot.analysis.encoder import load_encoder
from copilot.analysis.run import build_export
from copilot.domain import BehaviourCode, SessionExport, Utterance
from copilot.errors import ModelError
from copilot.report import render
from copilot.storage import SessionStore
from copilot.supervision.bundle import ShareRequest, build_bundle, bundle_bytes


@pytest.fixture(scope="module")
def coder() -> BehaviourCoder:
    return default_coder()


CLIENT = "I haven't been sleeping, I lie awake worrying about my son."
CLEAR = [  # written for these tests, not taken from either data split
    ("What keeps you awake, do you think?", "open_question"),
    ("How do those nights usually go for you?", "open_question"),
    ("Do you take anything to help you sleep?", "closed_question"),
    ("Is your son living at home?", "closed_question"),
    ("You lie awake worrying about your son.", "simple_reflection"),
    ("You haven't been sleeping.", "simple_reflection"),
    ("Nights have become the time when all your fears for him come crowding in.",
     "complex_reflection"),
    ("You love him so much that even sleep won't let you stop watching over him.",
     "complex_reflection"),
    ("Cutting down on caffeine after midday often helps people sleep better.", "other"),
    ("Thank you for telling me about this, that took courage.", "other"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CLEAR)
def test_each_class_recognised_on_clear_examples(
    coder: BehaviourCoder, text: str, expected: str
) -> None:
    code, confidence, scores = coder.code(text, CLIENT)
    assert code == expected, (text, scores)
    assert 0.2 < confidence <= 1.0 and set(scores) == set(BEHAVIOURS)
    assert abs(sum(scores.values()) - 1.0) < 1e-3


def test_same_input_same_code(coder: BehaviourCoder) -> None:
    first = coder.probabilities(["You feel let down."], ["My brother forgot my birthday."])
    again = coder.probabilities(["You feel let down."], ["My brother forgot my birthday."])
    assert (first == again).all()


def test_the_client_turn_is_read_reused_words_and_new_ones() -> None:
    i_reused, i_new = FEATURES.index("reused"), FEATURES.index("new_words")
    echo = surface("You lie awake worrying about your son.", CLIENT)
    beyond = surface("Nights bring every fear for him crowding in.", CLIENT)
    alone = surface("You lie awake worrying about your son.", None)
    assert echo[i_reused] == 1.0 and echo[i_new] == 0.0
    assert beyond[i_reused] < 0.3 and beyond[i_new] > 0.7
    assert alone[i_reused] == 0.0 and alone[FEATURES.index("no_context")] == 1.0


def test_a_turn_ending_in_a_question_is_coded_by_it_and_fillers_are_other(
    coder: BehaviourCoder,
) -> None:
    assert coded_unit("A burden. That's a heavy word. Where else do you feel it?") == (
        "Where else do you feel it?"
    )
    assert coded_unit("You sound tired. It has been a long week.") == (
        "You sound tired. It has been a long week."
    )
    assert is_filler("Okay.") and is_filler("I see") and not is_filler("I see you're tired")
    assert coder.code("Mm.", CLIENT)[0] == "other"


def test_every_therapist_utterance_coded_with_the_client_turn_before(
    coder: BehaviourCoder,
) -> None:
    turns = [
        ("therapist", "How was the week?"),
        ("client", "Long."),
        ("client", "My mother was in hospital again."),
        ("therapist", "Your mother was in hospital again."),
        ("therapist", ""),
    ]
    utterances = [
        Utterance(seq=i, role=r, start=float(i), end=i + 0.5, text=t)  # type: ignore[arg-type]
        for i, (r, t) in enumerate(turns)
    ]
    codes = code_utterances(coder, utterances)
    assert [(c.utterance_seq, c.code) for c in codes] == [
        (0, "open_question"),
        (3, "simple_reflection"),
    ]


def _codes(*labels: str) -> list[BehaviourCode]:
    return [
        BehaviourCode(utterance_seq=i, start=float(i), code=c, confidence=0.9)  # type: ignore[arg-type]
        for i, c in enumerate(labels)
    ]


def test_figures_from_the_codes_hand_checked() -> None:
    codes = _codes(
        "open_question", "open_question", "open_question", "closed_question",
        "simple_reflection", "simple_reflection", "complex_reflection", "complex_reflection",
        "complex_reflection", "complex_reflection", "other", "other",
    )  # fmt: skip
    f = figures(codes)
    assert f.counts == {
        "open_question": 3, "closed_question": 1, "simple_reflection": 2,
        "complex_reflection": 4, "other": 2,
    }  # fmt: skip
    assert (f.questions, f.reflections, f.utterances) == (4, 6, 12)
    assert f.reflection_to_question == 1.5  # 6 reflections / 4 questions
    assert f.percent_complex_reflections == 66.7  # 4 of 6 reflections
    assert f.percent_open_questions == 75.0  # 3 of 4 questions
    assert f.bands == {
        "reflection_to_question": "fair",
        "percent_complex_reflections": "good",
        "percent_open_questions": "good",
    }
    assert f.thresholds["reflection_to_question"] == {"fair": 1.0, "good": 2.0}
    assert f.thresholds["percent_complex_reflections"] == {"fair": 40.0, "good": 50.0}


def test_figures_without_questions_or_reflections_stay_empty() -> None:
    f = figures(_codes("simple_reflection", "simple_reflection", "other"))
    assert f.reflection_to_question is None and f.percent_open_questions is None
    assert f.percent_complex_reflections == 0.0
    assert f.bands["percent_complex_reflections"] == "below fair"
    assert f.bands["reflection_to_question"] is None
    empty = figures([])
    assert empty.utterances == 0 and empty.percent_complex_reflections is None


def test_codes_and_figures_are_stored_exported_and_left_out_when_shared() -> None:
    session_id = stored_session()
    store = SessionStore()
    export = build_export(store, session_id)
    therapist = [u.seq for u in export.utterances if u.role == "therapist"]
    assert [c.utterance_seq for c in export.therapist_behaviour] == therapist
    assert all(0 < c.confidence <= 1 for c in export.therapist_behaviour)
    assert export.behaviour_figures is not None
    assert export.behaviour_figures.utterances == len(therapist)
    assert store.analyses.latest_analysis(session_id, "therapist_behaviour") is not None
    again = SessionExport.model_validate_json(export.model_dump_json())
    assert again.therapist_behaviour == export.therapist_behaviour
    html = render(export)
    assert "Your behaviours (for you alone)" in html and "fair 1:1, good 2:1" in html
    assert html.count('class="chip behaviour"') == len(therapist)
    shared = export.for_sharing()
    assert shared.therapist_behaviour == [] and shared.behaviour_figures is None
    assert "therapist_behaviour" not in shared.model_dump(exclude_defaults=True)
    bundle = bundle_bytes(build_bundle(store, session_id, ShareRequest("Dr A. Supervisor")))
    assert b"therapist_behaviour" not in bundle and b"behaviour_figures" not in bundle
    chosen = export.for_sharing(include_behaviour=True)
    assert chosen.behaviour_figures == export.behaviour_figures


def test_missing_or_mismatched_head_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="head missing"):
        BehaviourCoder.load(load_encoder(), tmp_path)
    from copilot.analysis.behaviour import MODEL_DIR

    shutil.copy(MODEL_DIR / "head.json", tmp_path / "head.json")
    text = (tmp_path / "head.json").read_text().replace('"other"', '"advice"')
    (tmp_path / "head.json").write_text(text)
    with pytest.raises(ModelError, match="other labels"):
        BehaviourCoder.load(load_encoder(), tmp_path)
