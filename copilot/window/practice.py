"""The practice view: trainee practice on a stored session (copilot.practice), private.

Each page call takes the page's one dict of arguments and hands it to `PracticeView` over the
window's one store, held for the call. Answers go to the practice tables, never to an export.
"""

from __future__ import annotations

from collections.abc import Callable

from copilot.practice.view import PracticeView
from copilot.window.current import Args, StoreView
from copilot.window.support import Result, answers


def _forwarded(method: Callable[..., Result]) -> Callable[[PracticeApi, Args], Result]:
    """A page call that hands the page's arguments to `method` of a PracticeView over the
    store, held for the call."""

    def call(api: PracticeApi, args: Args = None) -> Result:
        return api._held(lambda store, **kw: method(PracticeView(store), **kw), args)

    call.__name__ = call.__qualname__ = method.__name__  # as the page and the log name it
    return answers(call)


class PracticeApi(StoreView):
    plan = _forwarded(PracticeView.plan)
    start = _forwarded(PracticeView.start)
    answer = _forwarded(PracticeView.answer)
    finish = _forwarded(PracticeView.finish)

    @answers
    def sessions(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).sessions()

    @answers
    def make_sessions(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).make_sessions(self._settings)

    @answers
    def progress(self, args: Args = None) -> Result:
        with self._db as store:
            return PracticeView(store).progress()
