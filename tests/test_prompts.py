"""Prompts as files: every prompt renders with its example values, and rendering fails on a
missing variable and on one the templates do not use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copilot import prompts
from copilot.prompts import PromptError


@pytest.mark.parametrize("name", prompts.names())
def test_every_prompt_renders(name: str) -> None:
    prompt = prompts.load(name)
    assert prompt.templates, name
    for template in prompt.templates:
        wanted = {k: v for k, v in prompt.examples.items() if k in prompt.variables(template)}
        assert set(wanted) == prompt.variables(template), f"{name}/{template} lacks examples"
        text = prompt.render(template, **wanted)
        assert text.strip() and "{{" not in text and "{%" not in text
        for value in wanted.values():
            assert str(value) in text


def test_the_session_prompt_exists_and_is_fixed_text_up_front() -> None:
    assert "session_summary" in prompts.names()
    prompt = prompts.load("session_summary")
    for template in prompt.meta["system"]:
        assert prompt.variables(template) == set()  # the cached prefix never varies
    system = prompt.render("system.md")
    assert "never assert that something is absent" in system.lower()
    assert "diagnosis" in system.lower()


def test_a_missing_variable_fails() -> None:
    prompt = prompts.load("session_summary")
    values = dict(prompt.examples)
    del values["transcript"]
    with pytest.raises(PromptError, match="transcript"):
        prompt.render("user.md", **values)


def test_an_unused_variable_fails() -> None:
    prompt = prompts.load("session_summary")
    with pytest.raises(PromptError, match="does not use clinet_lines"):
        prompt.render("user.md", **prompt.examples, clinet_lines=3)


def test_digest_follows_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "session_summary"
    shutil.copytree(prompts.prompts_dir() / "session_summary", folder)
    before = prompts.digest_of(folder)
    assert before == prompts.load("session_summary").digest
    (folder / "system.md").write_text("changed", encoding="utf-8")
    assert prompts.digest_of(folder) != before


def test_unknown_prompt_is_one_line() -> None:
    with pytest.raises(PromptError, match="no prompt named 'nope'"):
        prompts.load("nope")
