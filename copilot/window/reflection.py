"""The therapist's own side: reflection prompts and answers, check-ins, trends and reminders.

Each page call takes the page's one dict of arguments and hands it to copilot.reflection.api,
with the window's store (held for the call), journal and settings.
"""

from __future__ import annotations

from copilot.errors import CopilotError
from copilot.reflection import api
from copilot.settings import Settings
from copilot.storage.journal import JournalStore
from copilot.window.current import Args, LockedStore, StoreView
from copilot.window.support import Result, answers


def _result(answer: object) -> Result:
    return answer if isinstance(answer, dict) else {"value": answer}


class ReflectionApi(StoreView):
    def __init__(self, db: LockedStore, journal: JournalStore, settings: Settings):
        super().__init__(db, settings)
        self._journal = journal

    @answers
    def prompts_for(self, args: Args = None) -> Result:
        return _result(self._held(api.prompts_for, args, self._journal, self._settings))

    @answers
    def save_answers(self, args: Args = None) -> Result:
        return _result(self._held(api.save_answers, args, self._journal))

    @answers
    def journal_entries(self, args: Args = None) -> Result:
        return _result(api.journal_entries(self._journal, **dict(args or {})))

    @answers
    def checkin_form(self, args: Args = None) -> Result:
        return _result(self._held(api.checkin_form, args))

    @answers
    def submit_checkin(self, args: Args = None) -> Result:
        return _result(self._held(api.submit_checkin, args, self._journal))

    @answers
    def load_today(self, args: Args = None) -> Result:
        return _result(self._held(api.load_today, args))

    @answers
    def trend_series(self, args: Args = None) -> Result:
        return _result(api.trend_series(self._journal, **dict(args or {})))

    @answers
    def snooze_reminder(self, args: Args = None) -> Result:
        return _result(api.snooze_reminder(self._journal, **dict(args or {})))

    @answers
    def dismiss_reminder(self, args: Args = None) -> Result:
        return _result(api.dismiss_reminder(self._journal, **dict(args or {})))

    @answers
    def reminders(self) -> Result:
        """Reminders due now, each with its session's pseudonym and date for the page."""
        enabled = self._settings.reminders
        found = []
        with self._db as store:
            due = api.reminders_due(store, self._journal, self._settings) if enabled else []
        for reminder in due:
            with self._db as store:
                try:
                    session = store.get(reminder["session_id"])
                except CopilotError:
                    continue  # its session was deleted: nothing left to reflect on
            found.append(
                {
                    **reminder,
                    "client_label": session.client_label,
                    "created_at": session.created_at.isoformat(),
                }
            )
        return {"enabled": enabled, "reminders": found}
