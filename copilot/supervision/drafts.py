"""The supervisor's comments in progress, kept sealed on disk so a closed window loses nothing.

A draft is sealed with the bundle's passphrase (the key derived once per opened bundle) under
COPILOT_HOME/supervision/drafts/, named by the bundle's share id; opening the same bundle again
brings its comments back, and signing off deletes it. A bundle shared with its audio gets a
playable copy under COPILOT_HOME/supervision/listening/ while it is open; closing the bundle or
signing off deletes it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from pydantic import TypeAdapter

from copilot.settings import home
from copilot.supervision.models import ReviewComment, ShareBundle
from copilot.supervision.sealed import Sealer, SealError, unseal

_COMMENTS = TypeAdapter(list[ReviewComment])


def draft_path(share_id: str) -> Path:
    return home() / "supervision" / "drafts" / f"{share_id}.draft"


def save(sealer: Sealer, share_id: str, comments: list[ReviewComment]) -> None:
    from copilot.supervision.bundle import write_bytes_atomic

    body = json.dumps([c.model_dump(mode="json") for c in comments]).encode("utf-8")
    write_bytes_atomic(draft_path(share_id), sealer.seal("draft", body))


def load(share_id: str, passphrase: str) -> list[ReviewComment]:
    """The comments saved for this bundle; none when there is no draft or it cannot be read."""
    path = draft_path(share_id)
    if not path.is_file():
        return []
    try:
        return _COMMENTS.validate_json(unseal(path.read_bytes(), passphrase, "draft", path.name))
    except (SealError, ValueError, OSError):
        return []


def discard(share_id: str) -> None:
    draft_path(share_id).unlink(missing_ok=True)


def listening_dir() -> Path:
    return home() / "supervision" / "listening"


def listening_copy(bundle: ShareBundle) -> Path | None:
    """The bundle's audio as a file the window can play, while the bundle is open; any copy
    left by an earlier bundle (a window that crashed) goes first."""
    clear_listening()
    if bundle.audio is None:
        return None
    from copilot.supervision.bundle import write_bytes_atomic

    suffix = Path(bundle.audio.name).suffix or ".ogg"
    path = listening_dir() / f"{bundle.share_id}{suffix}"
    write_bytes_atomic(path, base64.b64decode(bundle.audio.data_b64))
    return path


def clear_listening() -> None:
    folder = listening_dir()
    if folder.is_dir():
        for left in folder.iterdir():
            left.unlink(missing_ok=True)
