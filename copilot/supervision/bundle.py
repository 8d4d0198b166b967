"""Share bundles: a session redacted for a supervisor, sealed with a passphrase, logged as egress.

A bundle holds the transcript (words only, no word timings, no original of a corrected line),
the metrics, emotion readings, risk flags and summary, all redacted; the consent record; the
rubric; and the audio only when asked for. It never holds the therapist's notes, journal or
check-ins (those live in another database), the session's id, or where its files are.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from copilot import egress
from copilot.analysis.run import build_export
from copilot.domain import SessionExport, utcnow
from copilot.errors import CopilotError
from copilot.fields import shared_fields
from copilot.storage.repository import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision.models import (
    BUNDLE_FORMAT,
    ShareBundle,
    SharedAudio,
    SharedSession,
    ShareRecord,
)
from copilot.supervision.redact import names_for, redact_export
from copilot.supervision.review import load_rubric, read_sealed
from copilot.supervision.sealed import SealError, check_passphrase, seal, unseal

AUDIO_TYPES = {".ogg": "audio/ogg", ".opus": "audio/ogg", ".flac": "audio/flac"}


@dataclass
class ShareRequest:
    recipient: str
    names: list[str] = field(default_factory=list)
    with_audio: bool = False


def build_bundle(store: SessionStore, session_id: str, request: ShareRequest) -> ShareBundle:
    recipient = request.recipient.strip()
    if not recipient:
        raise CopilotError('say who the bundle is for (--for "Supervisor name")')
    export = build_export(store, session_id)
    if not export.utterances:
        raise CopilotError(f"session {export.session.id} has no transcript to share")
    redacted, counts = redact_export(export, names_for(store, export.session.id, request.names))
    return ShareBundle(
        share_id=secrets.token_hex(8),
        recipient=recipient,
        session=_shared_session(export, redacted),
        **shared_fields(redacted, ShareBundle, exclude={"format", "session"}),
        redacted=counts,
        rubric=load_rubric(),
        audio=_audio(store, export.session.id) if request.with_audio else None,
    )


def _shared_session(original: SessionExport, redacted: SessionExport) -> SharedSession:
    s = redacted.session
    return SharedSession(
        client_label=s.client_label,
        date=f"{original.session.created_at:%Y-%m-%d}",
        duration_s=s.duration_s,
        language=s.language,
        imported_from=s.imported_from,
        roles_rule=s.diarization,
        consent=s.consent,
    )


def _audio(store: SessionStore, session_id: str) -> SharedAudio:
    found = SupervisionStore(store).audio_path(session_id)
    path = Path(found) if found else None
    if path is None or not path.is_file():
        raise CopilotError("this session has no kept audio to include: share it without audio")
    raw = path.read_bytes()
    if path.suffix == ".sealed":  # kept audio is sealed under the data key at rest
        from copilot.storage.keys import home_key
        from copilot.storage.sealed import unseal

        raw, path = unseal(home_key(), raw, path.name), path.with_suffix("")
    mime = AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
    data = base64.b64encode(raw).decode("ascii")
    return SharedAudio(name=f"session{path.suffix.lower()}", mime=mime, data_b64=data)


def bundle_bytes(bundle: ShareBundle) -> bytes:
    """The plaintext sealed into the file: exactly what the preview shows (audio aside)."""
    return bundle.model_dump_json(indent=1).encode("utf-8")


def preview_text(bundle: ShareBundle) -> str:
    if bundle.audio is None:
        return bundle_bytes(bundle).decode("utf-8")
    size = len(base64.b64decode(bundle.audio.data_b64))
    shown = bundle.model_copy(
        update={"audio": bundle.audio.model_copy(update={"data_b64": f"<{size} bytes of audio>"})}
    )
    return bundle_bytes(shown).decode("utf-8")


def write_bundle(
    store: SessionStore, session_id: str, bundle: ShareBundle, passphrase: str, out: Path
) -> ShareRecord:
    """Seal and write; the attempt is in the egress log before the file is written."""
    check_passphrase(passphrase)
    plaintext = bundle_bytes(bundle)
    digest = hashlib.sha256(plaintext).hexdigest()
    rubric = hashlib.sha256(bundle.rubric.model_dump_json().encode("utf-8")).hexdigest()
    entry_id = egress.record(
        store,
        egress.EgressEntry(
            session_id=session_id,
            destination=f"share bundle for {bundle.recipient}: {out.name}",
            model="-",
            prompt_name=BUNDLE_FORMAT,
            prompt_digest=rubric,
            payload_sha256=digest,
        ),
    )
    try:
        write_bytes_atomic(out, seal("bundle", plaintext, passphrase))
    except CopilotError as exc:
        egress.complete(store, entry_id, "error", error=str(exc))
        raise
    egress.complete(store, entry_id, "ok")
    record = ShareRecord(
        id=bundle.share_id,
        session_id=session_id,
        made_at=utcnow(),
        recipient=bundle.recipient,
        path=str(out.resolve()),
        with_audio=bundle.audio is not None,
        payload_sha256=digest,
    )
    SupervisionStore(store).add_share(record)
    return record


def write_bytes_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise CopilotError(f"cannot write {path}: {exc.strerror or exc}") from exc


def open_bundle(path: Path, passphrase: str) -> ShareBundle:
    plaintext = unseal(read_sealed(path), passphrase, "bundle", path.name)
    try:
        return ShareBundle.model_validate(json.loads(plaintext))
    except (ValidationError, ValueError) as exc:
        raise SealError(f"{path.name} is not a valid share bundle") from exc
