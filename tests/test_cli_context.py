"""A command's settings and store: opened at most once, on first use, and closed at its end."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from copilot.cli import GROUPS, build_parser, handlers, main
from copilot.cli.context import Commands, Context
from copilot.domain import Session
from copilot.settings import Settings
from copilot.storage import SessionStore


def test_the_store_opens_once_and_closes_with_the_command() -> None:
    with Context() as ctx:
        store = ctx.store
        assert ctx.store is store and ctx.settings is ctx.settings
        store.create(Session(id="s-ctx", client_label="C", source="file"))
    with pytest.raises(Exception, match="closed"):
        store.get("s-ctx")
    with SessionStore() as again:
        assert again.get("s-ctx").client_label == "C"


def test_a_command_that_needs_no_data_never_opens_the_database(copilot_home: Path) -> None:
    assert main(["protect"]) == 0
    assert not (copilot_home / "copilot.sqlite3").exists()
    assert main(["sessions"]) == 0
    assert (copilot_home / "copilot.sqlite3").exists()


def test_settings_given_are_the_ones_used() -> None:
    given = Settings(reminders=True)
    with Context(settings=given) as ctx:
        assert ctx.settings is given


def test_another_connection_reads_the_same_database() -> None:
    with SessionStore() as store, store.another() as other:
        store.create(Session(id="s-two", client_label="Two", source="file"))
        assert other.get("s-two").client_label == "Two"


def test_every_command_the_parser_knows_has_one_handler() -> None:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    # `window` has no parser of its own: it is what runs when no command is given
    assert set(sub.choices) | {"window"} == set(handlers())
    assert build_parser().parse_args([]).command is None
    assert sum(len(group.HANDLERS) for group in GROUPS) == len(handlers())  # no name in two groups


def test_a_command_name_registered_twice_is_refused() -> None:
    commands = Commands()
    commands.command("show")(lambda args, ctx: 0)
    with pytest.raises(ValueError, match="'show' is registered twice"):
        commands.command("show")(lambda args, ctx: 1)
