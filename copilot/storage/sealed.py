"""Files that hold session content (reports written into the home, kept audio, backlog audio)
sealed with AES-256-GCM under the data key: a 4-byte mark, a random 12-byte nonce, then the
ciphertext and its tag. The file's name is bound in as associated data, so one sealed file
cannot be passed off as another."""

from __future__ import annotations

import os
from pathlib import Path

from copilot.errors import StorageError
from copilot.protection.permissions import ensure_dir, write_private

MARK = b"SCS1"


def seal(key: bytes, data: bytes, name: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return MARK + nonce + AESGCM(key).encrypt(nonce, data, name.encode())


def unseal(key: bytes, blob: bytes, name: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(MARK):
        raise StorageError(f"{name} is not a sealed file")
    try:
        return AESGCM(key).decrypt(blob[4:16], blob[16:], name.encode())
    except InvalidTag:
        raise StorageError(f"{name} does not open with this data key (damaged?)") from None


def write_sealed(path: Path, key: bytes, data: bytes) -> None:
    """Sealed, 0600, written beside and renamed into place."""
    ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_private(tmp, seal(key, data, path.name))
    tmp.replace(path)


def read_sealed(path: Path, key: bytes) -> bytes:
    return unseal(key, path.read_bytes(), path.name)
