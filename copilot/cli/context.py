"""What a command runs with: the settings, the session store and the journal, each opened at
most once.

`main` makes one `Context` per command and passes it to the handler (and to the checks that run
before it); the stores open on first use, so a command that never touches the data (`--help`,
`passphrase`, `delete-all`) never opens a database, and they are closed when the command ends.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from copilot.settings import Settings

if TYPE_CHECKING:
    from copilot.storage import SessionStore
    from copilot.storage.journal import JournalStore


class Context:
    def __init__(self, settings: Settings | None = None, store: SessionStore | None = None):
        self._settings = settings
        self._store = store
        self._journal: JournalStore | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.load()
        return self._settings

    @property
    def store(self) -> SessionStore:
        if self._store is None:
            from copilot.storage import SessionStore

            self._store = SessionStore()
        return self._store

    @property
    def journal(self) -> JournalStore:
        """The therapist's private journal (reflections, check-ins, reminders)."""
        if self._journal is None:
            from copilot.storage.journal import JournalStore

            self._journal = JournalStore()
        return self._journal

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Handler = Callable[[argparse.Namespace, Context], int]


class Commands(dict[str, Handler]):
    """A command group's handlers by command name; each handler registers itself with
    `@HANDLERS.command("name")` where it is defined."""

    def command(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self:
                raise ValueError(f"command {name!r} is registered twice")
            self[name] = handler
            return handler

        return register
