"""A command's settings and store: opened at most once, on first use, and closed at its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.cli import main
from copilot.cli.context import Context
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
