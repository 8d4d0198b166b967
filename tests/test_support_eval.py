"""The written conversation sets that measure the session reading, and how they are read."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import support_eval

from copilot.analysis.emotion import EmotionModel

DATA = Path(__file__).parents[1] / "scripts" / "emotion_data"


def test_both_sets_are_balanced_whole_conversations() -> None:
    for name, path in support_eval.SETS.items():
        convs = support_eval.read_conversations(path)
        counts = Counter(emotion for emotion, _ in convs)
        assert set(counts) == set(support_eval.ANSWERS), name
        assert min(counts.values()) >= 20 and len(set(counts.values())) == 1, counts
        for _, utts in convs:
            assert len(utts) >= 8
            assert {u.role for u in utts} == {"client", "therapist"}
            assert all(a.end < b.start for a, b in pairwise(utts))


def test_no_conversation_line_is_training_material() -> None:
    training = {
        line.split("\t", 1)[0].strip().lower()
        for path in DATA.glob("conversation_*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    for path in support_eval.SETS.values():
        said = {
            u.text.strip().lower()
            for _, utts in support_eval.read_conversations(path)
            for u in utts
            if len(u.text.split()) >= 6  # "yeah, I guess" may well be in both
        }
        assert not said & training, path


def test_a_conversation_is_scored_by_its_leading_state(tmp_path: Path) -> None:
    worry = [
        "I keep thinking they're going to let me go in the next round of cuts.",
        "Every night I lie awake going through what happens if I can't pay the rent.",
        "My chest goes tight whenever my manager's name comes up on my phone.",
        "What if I never find another job at my age?",
    ]
    rows = ["conv_id\temotion\tspeaker\ttext"]
    for i, text in enumerate(worry):
        rows.append(f"c1\tanxiety\tsupporter\tWhat's been on your mind since last time? ({i})")
        rows.append(f"c1\tanxiety\tseeker\t{text}")
    path = tmp_path / "one.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = support_eval.conversations(EmotionModel.load(), path)
    assert result["conversations"] == 1
    assert result["leading_matches"] == 1.0 and result["by_emotion"] == {"anxiety": 1.0}
    path.write_text("\n".join(rows).replace("\tanxiety\t", "\tanger\t") + "\n", encoding="utf-8")
    assert support_eval.conversations(EmotionModel.load(), path)["leading_matches"] == 0.0
