"""The practice view: trainee practice on a stored session (copilot.practice), private.

Each page call takes the page's one dict of arguments and hands it to `PracticeView` over the
window's one store, held for the call. Answers go to the practice tables, never to an export.
"""

from __future__ import annotations

from typing import Any

from copilot.practice.view import PracticeView
from copilot.settings import Settings
from copilot.window.current import LockedStore
from copilot.window.support import Result, answers

Args = dict[str, Any] | None


class PracticeApi:
    def __init__(self, db: LockedStore, settings: Settings):
        self._db = db
        self._settings = settings

    @answers
    def sessions(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).sessions()

    @answers
    def make_sessions(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).make_sessions(self._settings)

    @answers
    def plan(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).plan(**dict(args or {}))

    @answers
    def start(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).start(**dict(args or {}))

    @answers
    def answer(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).answer(**dict(args or {}))

    @answers
    def finish(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).finish(**dict(args or {}))

    @answers
    def progress(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).progress()
