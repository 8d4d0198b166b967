"""For a therapist leaving the practice: everything exported, then everything erased."""

from __future__ import annotations

import json
from pathlib import Path

from copilot.errors import CopilotError
from copilot.protection.erase import erase_tree
from copilot.protection.permissions import ensure_dir, write_private
from copilot.storage import access_log
from copilot.storage import retention as rows
from copilot.storage.journal import JournalStore
from copilot.storage.repository import SessionStore


def export_all(store: SessionStore, journal: JournalStore, out: Path) -> list[str]:
    """Each session as JSON and as its HTML report under `out/sessions/`, and the journal
    (entries and check-ins) as `out/journal.json`; every file 0600, every folder 0700, since
    they hold the same words as the home. Returns the sessions' ids."""
    from copilot.analysis.run import build_export
    from copilot.reflection.checkins import CheckInStore
    from copilot.report import write_json, write_report

    if out.exists() and any(out.iterdir()):
        raise CopilotError(f"{out} is not empty; export-all writes into a new or empty folder")
    ensure_dir(out / "sessions")
    ids = rows.session_ids(store)
    for session_id in ids:
        export = build_export(store, session_id)
        write_json(export, out / "sessions" / f"{session_id}.json")
        write_report(export, out / "sessions" / f"{session_id}.html")
        access_log.record(store, "exported", session_id, "cli", f"export-all to {out}")
    body = {
        "entries": [e.model_dump(mode="json") for e in journal.entries.select()],
        "checkins": [c.model_dump(mode="json") for c in CheckInStore(journal).list()],
    }
    write_private(out / "journal.json", json.dumps(body, indent=2).encode("utf-8"))
    return ids


def delete_all(home: Path) -> int:
    """Every file under the home overwritten and removed, then the folders; returns how many
    files went. The stores must be closed first."""
    if not home.exists():
        return 0
    return erase_tree(home)
