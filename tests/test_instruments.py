"""The instrument file format, its checks on load, and the one scoring engine.

The worked examples are computed by hand in the comments beside them.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from copilot.errors import CopilotError
from copilot.reflection.instruments import (
    AnswerError,
    Instrument,
    InstrumentError,
    builtin,
    load_instrument,
    parse_answers,
    score,
)

# Four items answered 1–5. "b" and "d" are reverse-keyed: they count as 6 - answer.
# strain = a + b' + c (sum, possible 3–15); ease = mean(c, d') (possible 1–5).
TEST_INSTRUMENT = """
id = "test-strain"
version = "2"
title = "Test strain"
kind = "periodic"
credit = "written for the tests"

[response]
min = 1
max = 5
labels = { 1 = "never", 5 = "always" }

[[items]]
id = "a"
text = "Item a."

[[items]]
id = "b"
text = "Item b."
reverse = true

[[items]]
id = "c"
text = "Item c."

[[items]]
id = "d"
text = "Item d."
reverse = true

[[scales]]
id = "strain"
name = "Strain"
items = ["a", "b", "c"]
scoring = "sum"
bands = [
  { label = "low", at_least = 3 },
  { label = "middle", at_least = 7 },
  { label = "high", at_least = 11, attention = true },
]

[[scales]]
id = "ease"
name = "Ease"
items = ["c", "d"]
scoring = "mean"
bands = [
  { label = "uneasy", at_least = 1, attention = true },
  { label = "easy", at_least = 3.5 },
]
"""


@pytest.fixture
def instrument_file(tmp_path: Path) -> Path:
    path = tmp_path / "strain.toml"
    path.write_text(TEST_INSTRUMENT, encoding="utf-8")
    return path


def scores_of(instrument: Instrument, answers: str) -> dict[str, tuple[float, str | None, bool]]:
    found = score(instrument, parse_answers(instrument, answers))
    return {s.scale: (s.score, s.band, s.attention) for s in found}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # a=4, b=2→4, c=5: strain 13 (high); ease mean(5, d=1→5) = 5.0 (easy)
        ("4,2,5,1", {"strain": (13, "high", True), "ease": (5.0, "easy", False)}),
        # a=1, b=5→1, c=2: strain 4 (low); ease mean(2, d=4→2) = 2.0 (uneasy)
        ("1,5,2,4", {"strain": (4, "low", False), "ease": (2.0, "uneasy", True)}),
        # a=3, b=4→2, c=2: strain 7, exactly on the cut-off (middle); ease mean(2, d=2→4) = 3.0
        ("3,4,2,2", {"strain": (7, "middle", False), "ease": (3.0, "uneasy", True)}),
        # a=5, b=3→3, c=3: strain 11, on the attention cut-off; ease mean(3, d=2→4) = 3.5
        ("5,3,3,2", {"strain": (11, "high", True), "ease": (3.5, "easy", False)}),
    ],
)
def test_scoring_worked_examples_with_reverse_keys_and_cut_offs(
    instrument_file: Path, answers: str, expected: dict[str, tuple[float, str, bool]]
) -> None:
    assert scores_of(load_instrument(instrument_file), answers) == expected


def test_json_and_toml_files_score_the_same(instrument_file: Path, tmp_path: Path) -> None:
    as_json = tmp_path / "strain.json"
    as_json.write_text(json.dumps(tomllib.loads(TEST_INSTRUMENT)), encoding="utf-8")
    a, b = load_instrument(instrument_file), load_instrument(as_json)
    assert scores_of(a, "4,2,5,1") == scores_of(b, "4,2,5,1")
    assert a.digest != b.digest  # the digest names the exact file answered


def test_scale_ranges_follow_the_scoring(instrument_file: Path) -> None:
    found = {s.scale: (s.low, s.high) for s in score(load_instrument(instrument_file),
             {"a": 1, "b": 1, "c": 1, "d": 1})}  # fmt: skip
    assert found == {"strain": (3, 15), "ease": (1, 5)}


def test_builtin_instruments_load_and_are_marked_not_validated() -> None:
    post, periodic = builtin("post"), builtin("periodic")
    assert post.kind == "post" and 3 <= len(post.items) <= 5
    assert periodic.kind == "periodic"
    assert [s.id for s in periodic.scales] == [
        "compassion-satisfaction", "burnout", "secondary-traumatic-stress",
    ]  # fmt: skip
    assert not post.validated and not periodic.validated
    assert any(i.reverse for i in post.items) and any(i.reverse for i in periodic.items)
    # post: (4 + (6-2) + 5 + (6-1)) / 4 = 4.5, in the "heavy" band from 4.0
    assert scores_of(post, "4,2,5,1") == {"weight": (4.5, "heavy", True)}
    # periodic, all "sometimes" (3): each scale 5 × 3 = 15 (reverse 6-3 = 3), "moderate" 12–20
    all_threes = scores_of(periodic, ",".join(["3"] * 15))
    assert all_threes == {k: (15, "moderate", False) for k in all_threes} and len(all_threes) == 3


def test_the_same_file_gives_the_same_digest(instrument_file: Path) -> None:
    first = load_instrument(instrument_file).digest
    assert load_instrument(instrument_file).digest == first
    instrument_file.write_text(TEST_INSTRUMENT.replace("Item a.", "Item a, reworded."))
    assert load_instrument(instrument_file).digest != first


BAD = [
    ('items = ["a", "b", "c"]', 'items = ["a", "b", "x"]',
     "scale 'strain' lists item 'x', which is not defined"),
    ('id = "d"', 'id = "a"', "item id 'a' appears twice"),
    ("at_least = 11", "at_least = 16",
     "band 'high' starts at 16, outside the possible scores 3–15"),
    ("at_least = 11", "at_least = 5", "scale 'strain': bands must rise (at 'high')"),
    ('scoring = "sum"', 'scoring = "median"', "scales[0].scoring: Input should be 'sum' or 'mean'"),
    ("max = 5", "max = 1", "response.min (1) must be below response.max"),
    ('labels = { 1 = "never", 5 = "always" }', 'labels = { 1 = "never", 7 = "always" }',
     "response label 7 is outside 1–5"),
    ("reverse = true", 'reverse = "yes"', "items[1].reverse: Input should be a valid boolean"),
    ('items = ["c", "d"]', 'items = ["c"]', "item 'd' is in no scale"),
    ('kind = "periodic"', 'kind = "weekly"', "kind: Input should be 'post' or 'periodic'"),
    ('title = "Test strain"', "", "title: Field required"),
    ('id = "test-strain"', 'id = "test-strain"\ncolour = "red"',
     "colour: Extra inputs are not permitted"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_inconsistent_files_fail_with_one_clear_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in TEST_INSTRUMENT
    path = tmp_path / "bad.toml"
    path.write_text(TEST_INSTRUMENT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    text = str(caught.value)
    assert "\n" not in text and str(path) in text
    assert message in text


def test_a_post_session_check_in_stays_short(tmp_path: Path) -> None:
    items = "".join(f'[[items]]\nid = "i{n}"\ntext = "Item {n}."\n\n' for n in range(7))
    names = ", ".join(f'"i{n}"' for n in range(7))
    path = tmp_path / "long.toml"
    path.write_text(
        'id = "long"\nversion = "1"\ntitle = "Long"\nkind = "post"\n'
        f"[response]\nmin = 0\nmax = 3\n\n{items}"
        f'[[scales]]\nid = "all"\nname = "All"\nitems = [{names}]\n',
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError, match="at most 6 items"):
        load_instrument(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.toml", None, "does not exist"),
        ("broken.toml", b"id = ", "is not valid toml"),
        ("broken.json", b"{", "is not valid json"),
        ("latin.toml", "titl\xe9".encode("latin-1"), "is not UTF-8 text"),
        ("strain.yaml", b"id: x", "must end in .toml or .json"),
    ],
)
def test_unreadable_files_fail_with_one_clear_line(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InstrumentError, match=message) as caught:
        load_instrument(path)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, CopilotError)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("4,2,5", "has 4 items; got 3 answers"),
        ("4,2,5,1,3", "has 4 items; got 5 answers"),
        ("4,2,6,1", "answer 6 to item 'c' is not in 1–5"),
        ("4,0,5,1", "answer 0 to item 'b' is not in 1–5"),
        ("4,two,5,1", "whole numbers"),
    ],
)
def test_answers_that_do_not_fit_are_refused(
    instrument_file: Path, answers: str, message: str
) -> None:
    instrument = load_instrument(instrument_file)
    with pytest.raises(AnswerError, match=message):
        score(instrument, parse_answers(instrument, answers))


def test_answers_by_item_id_are_checked_too(instrument_file: Path) -> None:
    instrument = load_instrument(instrument_file)
    with pytest.raises(AnswerError, match="no answer for item 'd'"):
        score(instrument, {"a": 1, "b": 1, "c": 1})
    with pytest.raises(AnswerError, match="has no item 'e'"):
        score(instrument, {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1})
