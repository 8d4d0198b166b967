"""Redaction before anything leaves: each kind of personal detail, stable placeholders, and
restoration of what is shown locally."""

from __future__ import annotations

import pytest

from copilot.analysis.redaction import Redaction, label_names


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("mail me at jo.smith+notes@example.co.uk please", "EMAIL", "jo.smith+notes@example.co.uk"),
        ("my mobile is 07700 900123", "PHONE", "07700 900123"),
        ("call +44 20 7946 0958 after six", "PHONE", "+44 20 7946 0958"),
        ("ring (555) 867-5309 tonight", "PHONE", "(555) 867-5309"),
        ("we moved to 42 Mill Lane last year", "ADDRESS", "42 Mill Lane"),
        ("it is 221b Baker Street", "ADDRESS", "221b Baker Street"),
        ("the postcode is LS6 2AB", "ADDRESS", "LS6 2AB"),
        ("I was born on 12th of March 1985", "DATE", "12th of March 1985"),
        ("date of birth 03/12/1985", "DATE", "03/12/1985"),
        ("my birthday is the 4th of July", "DATE", "4th of July"),
        ("my NHS number is 943 476 5919", "ID", "943 476 5919"),
        ("SSN 123-45-6789 on the form", "ID", "123-45-6789"),
        ("account 12345678 was frozen", "ID", "12345678"),
        ("it was oh seven seven double oh nine one two three", "ID", None),
    ],
)
def test_each_kind_is_replaced(text: str, kind: str, value: str | None) -> None:
    r = Redaction()
    redacted = r.redact(text)
    assert f"[{kind}_1]" in redacted, redacted
    if value is not None:
        assert value not in redacted
        assert r.originals[f"[{kind}_1]"] == value
    assert r.restore(redacted) == text


def test_names_are_whole_words_any_case_with_possessives() -> None:
    r = Redaction(names=["Anna", "Mary Ann"], client_label="Rebecca Hale")
    text = "Rebecca's sister anna met Mary  Ann and Annabel; Hale said so."
    redacted = r.redact(text)
    assert redacted == "[CLIENT_1]'s sister [NAME_2] met [NAME_1] and Annabel; [CLIENT_2] said so."
    # The placeholder stands for the spelling the therapist entered, whatever the case heard.
    assert r.restore(redacted) == "Rebecca's sister Anna met Mary Ann and Annabel; Hale said so."


def test_placeholders_are_stable_across_texts() -> None:
    r = Redaction(names=["Anna"])
    first = r.redact("Anna emailed anna@example.org")
    second = r.redact("I told ANNA, and she used anna@example.org again; bob@example.org too")
    assert first == "[NAME_1] emailed [EMAIL_1]"
    assert second == "I told [NAME_1], and she used [EMAIL_1] again; [EMAIL_2] too"
    assert r.counts == {"EMAIL": 2, "NAME": 1}


def test_ordinary_numbers_and_generic_labels_pass() -> None:
    r = Redaction(client_label="Demo client")
    text = "The client walked 10 20 30 steps in 2019, for 3 hours, at 7:30, twice."
    assert r.redact(text) == text
    assert label_names("Client") == [] and label_names("Demo client") == []
    assert label_names("Rebecca Hale") == ["Rebecca Hale", "Rebecca", "Hale"]


def test_restore_leaves_unknown_placeholders() -> None:
    r = Redaction(names=["Anna"])
    r.redact("Anna")
    assert r.restore("[NAME_1] and [NAME_7]") == "Anna and [NAME_7]"
