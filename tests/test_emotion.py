"""The bundled emotion model, run for real: load, read, map to states a therapist reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from copilot.analysis.emotion import (
    GOEMOTIONS_LABELS,
    MODEL_DIR,
    THERAPIST_STATES,
    EmotionModel,
    read_utterances,
    therapist_states,
    valence_arousal,
    without_formulas,
)
from copilot.domain import Utterance
from copilot.errors import ModelError


@pytest.fixture(scope="module")
def model() -> EmotionModel:
    return EmotionModel.load()


def _top(model: EmotionModel, text: str) -> str:
    row = model.probabilities([text])[0]
    scores = therapist_states(row, text=text, thresholds=model.thresholds)
    return max(scores, key=lambda k: scores[k])


def test_bundle_is_small_and_labelled(model: EmotionModel) -> None:
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir() if p.is_file())
    assert size <= 30 * 1024 * 1024
    assert model.labels == list(GOEMOTIONS_LABELS)
    assert (MODEL_DIR / "MODEL_CARD.md").read_text().count("macro-F1") >= 2


def test_probabilities_shape_and_range(model: EmotionModel) -> None:
    probs = model.probabilities(["I am so happy today!", "", "ok"])
    assert probs.shape == (3, 28)
    assert np.all((probs >= 0) & (probs <= 1))
    assert model.probabilities([]).shape == (0, 28)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("I miss her so much, I cry every night since she died.", "sadness"),
        ("I'm terrified something bad will happen, I can't stop worrying.", "anxiety/fear"),
        ("He never listens and it makes me so angry.", "anger/irritation"),
        ("Thank you so much, that really means a lot to me.", "gratitude/warmth"),
        ("I feel numb, like I'm just going through the motions.", "emptiness/numbness"),
        ("What's the point, nothing is ever going to change.", "hopelessness"),
        ("Sometimes I think everyone would be better off without me.", "hopelessness"),
        ("I have no reason to live.", "hopelessness"),
    ],
)
def test_clear_sentences_read_as_expected(model: EmotionModel, text: str, state: str) -> None:
    assert _top(model, text) == state


@pytest.mark.parametrize(
    "text",
    [
        "I would never say everyone is better off without me.",
        "My sister said she has no reason to live.",
    ],
)
def test_denied_or_reported_wishes_are_not_the_clients_hopelessness(
    model: EmotionModel, text: str
) -> None:
    scores = therapist_states(
        model.probabilities([text])[0], text=text, thresholds=model.thresholds
    )
    assert scores["hopelessness"] == 0.0


def test_a_negation_reaches_only_its_own_clause(model: EmotionModel) -> None:
    """ "Not great. I feel flat" says flat; "I don't feel empty" does not."""
    probs = model.probabilities(["x"])[0]
    said = "Honestly, not great. I feel flat most of the time."
    assert therapist_states(probs, text=said)["emptiness/numbness"] >= 0.5
    assert therapist_states(probs, text="I don't feel empty at all.")["emptiness/numbness"] == 0


def test_valence_follows_the_words(model: EmotionModel) -> None:
    happy, sad = model.probabilities(["This is wonderful, I'm so glad.", "I feel awful and sad."])
    assert valence_arousal(happy, thresholds=model.thresholds)[0] > 0.2
    assert valence_arousal(sad, thresholds=model.thresholds)[0] < -0.2


def _u(seq: int, role: str, text: str) -> Utterance:
    return Utterance(seq=seq, role=role, start=seq * 5.0, end=seq * 5.0 + 3, text=text)  # type: ignore[arg-type]


def test_client_turns_only_and_short_turns_in_context(model: EmotionModel) -> None:
    utterances = [
        _u(0, "therapist", "How have you been sleeping since the funeral?"),
        _u(1, "client", "Badly. I lie awake and miss her, and I cry most nights."),
        _u(2, "therapist", "That sounds so painful."),
        _u(3, "client", "Yeah."),
    ]
    readings = read_utterances(model, utterances)
    assert [r.utterance_seq for r in readings] == [1, 3]
    short = readings[1]
    assert short.in_context and not readings[0].in_context
    assert short.states[0].label == "sadness"
    assert all(s.label in THERAPIST_STATES for r in readings for s in r.states)


def test_missing_model_is_a_clear_error(tmp_path: object) -> None:
    from pathlib import Path

    with pytest.raises(ModelError, match="emotion model files missing"):
        EmotionModel.load(Path(str(tmp_path)))


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("Thanks. The traffic was fine this morning.", "The traffic was fine this morning."),
        ("Hi. I feel awful today. Thanks for seeing me.", "I feel awful today."),
        (
            "Thank you so much, that means a lot to me.",
            "Thank you so much, that means a lot to me.",
        ),
        ("I can do that. Thank you for listening.", "I can do that."),
        ("Thanks.", "Thanks."),
    ],
)
def test_courtesy_sentences_are_not_read_as_feeling(said: str, read: str) -> None:
    assert without_formulas(said) == read


def test_readings_carry_valence_from_the_words(model: EmotionModel) -> None:
    talk = [
        _u(0, "client", "This is wonderful news, I'm so glad it worked out."),
        _u(1, "client", "I feel awful and sad, everything is falling apart."),
    ]
    happy, sad = read_utterances(model, talk)
    assert happy.valence > 0.2 > -0.2 > sad.valence
    assert sad.states[0].label == "sadness" and len(sad.states) > 3  # every state, best first


def test_a_turn_scores_the_same_alone_and_among_others(model: EmotionModel) -> None:
    """Int8 activations are scaled over the whole input: read in a batch, a short turn beside
    a long one once scored up to 0.1 apart from the same turn read alone (the live view)."""
    short = "I keep worrying about what happens if I lose this job."
    long = (
        "We drove up to the lake on Saturday, and honestly, um, the kids were fighting the whole "
        "way, and then it rained, and my mother rang twice about the dog, so by the time we got "
        "there I just sat in the car and cried for a bit before anyone noticed."
    )
    alone = model.probabilities([short])[0]
    among = model.probabilities([long, short, "Okay."])[1]
    assert np.array_equal(alone, among)


def test_the_same_scores_on_every_cpu(model: EmotionModel) -> None:
    """Scores made in exact integer arithmetic, as a CPU with VNNI makes them. The model as first
    exported gave these sentences other scores (up to 0.17 apart) on x86 CPUs without VNNI,
    whose kernel for signed weights clips its partial sums (scripts/exact_int8.py)."""
    golden = json.loads((Path(__file__).parent / "data" / "emotion_exact.json").read_text())
    for text, expected in zip(golden["texts"], golden["probabilities"], strict=True):
        assert np.allclose(model.probabilities([text])[0], expected, atol=1e-5), text
