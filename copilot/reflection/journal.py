"""The private journal: the therapist's answers, check-ins and reminders, in their own database.

`journal.sqlite3` sits beside the session database under COPILOT_HOME but shares nothing with
it, so no session export, report or share can carry a journal entry by accident. An entry leaves
only through `journal_for_export`, and only the entries the therapist names.

An entry keeps the therapist's words, the question and the moment's time, not the client's
words: quoted stretches of the question are stored as “…”, so deleting a session leaves no
client words behind in the journal.
"""

from __future__ import annotations

from collections.abc import Sequence

# The journal's database and its models live in storage; these names stay importable here.
from copilot.storage.journal import (
    JOURNAL_FILE,
    MIGRATIONS,
    JournalEntry,
    JournalError,
    JournalStore,
    journal_path,
    without_quotes,
)


def journal_for_export(
    journal: JournalStore, session_id: str, entry_ids: Sequence[int] = ()
) -> list[JournalEntry]:
    """The entries the therapist chose to include in this session's share: none by default.

    The export code calls this with the ids the therapist ticked; an id that is not this
    session's is refused rather than silently dropped.
    """
    if not entry_ids:
        return []
    found = journal.entries.get(list(dict.fromkeys(entry_ids)))
    ours = {e.id: e for e in found if e.session_id == session_id}
    for entry_id in entry_ids:
        if entry_id not in ours:
            raise JournalError(f"journal entry {entry_id} is not one of session {session_id}'s")
    return [ours[i] for i in dict.fromkeys(entry_ids)]


__all__ = [
    "JOURNAL_FILE", "MIGRATIONS", "JournalEntry", "JournalError", "JournalStore",
    "journal_for_export", "journal_path", "without_quotes",
]  # fmt: skip
