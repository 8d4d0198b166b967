"""The redaction of a whole session before it leaves the computer: the Claude path's `Redaction`
(names, phone numbers, e-mail, dates, addresses, ID numbers) applied to every text field.

Every string in the session's export is redacted except the fields that are machine values
(times, roles, categories, engine names), so text added to the export later is covered without
anyone remembering to list it. The names redacted are those kept with the session (the speaker
names of an imported file), those the therapist gives now, and the client's label when it is
not a generic word.
"""

from __future__ import annotations

import re
from typing import Any

from copilot.analysis.redaction import Redaction
from copilot.domain import SessionExport
from copilot.storage.repository import SessionStore
from copilot.storage.supervision import SupervisionStore

# Keys whose values are machine values, never free text: left as they are.
MACHINE_KEYS = frozenset(
    {
        "format", "id", "created_at", "ended_at", "recorded_at", "acknowledged_at", "made_at",
        "signed_at", "source", "status", "model", "channel_roles", "language", "role",
        "category", "severity", "rule", "kind", "state", "label", "engine", "prompt_name",
        "prompt_digest", "aspect", "method", "imported_from", "date",
    }
)  # fmt: skip


TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame"})


def with_parts(names: list[str]) -> list[str]:
    """Each name, and each capitalised word of it (3+ letters, not a title): a transcript says
    "Rebecca" far more often than "Rebecca Stone"."""
    out: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        out.append(name)
        words = re.findall(r"[^\W\d_][\w'’-]+", name)
        out += [w for w in words if len(w) >= 3 and w[0].isupper() and w.casefold() not in TITLES]
    return list(dict.fromkeys(out))


def names_for(store: SessionStore, session_id: str, given: list[str]) -> list[str]:
    """Names kept with the session (an imported file's speakers) and those given now."""
    kept = SupervisionStore(store).redaction_names(session_id)
    return with_parts([*kept, *given])


def redact_tree(value: Any, redaction: Redaction, key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in MACHINE_KEYS else redaction.redact(value)
    if isinstance(value, list):
        return [redact_tree(v, redaction, key) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v, redaction, k) for k, v in value.items()}
    return value


def redact_export(export: SessionExport, names: list[str]) -> tuple[SessionExport, dict[str, int]]:
    """The export with every text redacted; word timings and originals of corrected text go
    (their words would carry what the text no longer does). Returns the counts replaced."""
    redaction = Redaction(names=names, client_label=export.session.client_label)
    bare = export.model_copy(
        update={
            "utterances": [
                u.model_copy(update={"words": [], "original_text": None}) for u in export.utterances
            ]
        }
    )
    data = redact_tree(bare.model_dump(mode="json"), redaction)
    return SessionExport.model_validate(data), redaction.counts
