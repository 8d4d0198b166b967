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


# Sealed as it is written: a file that grows while a session records (kept audio) ----------------

STREAM_MARK = b"SCC1"
CHUNK = 64 * 1024  # what a crash can lose of a stream: the part not yet sealed into a chunk


class SealedAppender:
    """A write-only file object that seals what it is given in chunks of AES-256-GCM: the
    mark, a random 8-byte prefix, then per chunk its 4-byte length and ciphertext. Each
    chunk's nonce is the prefix and its number; the file's name, the number and (for the
    last) an end mark are bound in, so chunks cannot be reordered, moved to another file, or
    the end cut off unnoticed. After a crash the chunks sealed so far still open."""

    def __init__(self, path: Path, key: bytes):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        ensure_dir(path.parent)
        write_private(path, b"")
        self._file = path.open("ab")
        self._aead, self._name = AESGCM(key), path.name.encode()
        self._prefix, self._count = os.urandom(8), 0
        self._pending = bytearray()
        self._file.write(STREAM_MARK + self._prefix)

    def write(self, data: bytes) -> int:
        self._pending += data
        while len(self._pending) >= CHUNK:
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]
        return len(data)

    def close(self) -> None:
        if self._file.closed:
            return
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()
        self._file.close()

    def _seal(self, data: bytes, last: bool) -> None:
        nonce = self._prefix + self._count.to_bytes(4, "big")
        aad = _chunk_aad(self._name, self._count, last)
        sealed = self._aead.encrypt(nonce, data, aad)
        self._file.write(len(sealed).to_bytes(4, "big") + sealed)
        self._file.flush()
        self._count += 1


def _chunk_aad(name: bytes, count: int, last: bool) -> bytes:
    return name + count.to_bytes(4, "big") + (b"end" if last else b"")


def read_appended(path: Path, key: bytes) -> tuple[bytes, bool]:
    """What a SealedAppender wrote, and whether it was closed (False: cut short by a crash,
    the chunks sealed before it returned)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob, name = path.read_bytes(), path.name.encode()
    if not blob.startswith(STREAM_MARK):
        raise StorageError(f"{path.name} is not a sealed stream")
    aead, prefix, at, count, out = AESGCM(key), blob[4:12], 12, 0, bytearray()
    while at + 4 <= len(blob):
        size = int.from_bytes(blob[at : at + 4], "big")
        chunk = blob[at + 4 : at + 4 + size]
        if len(chunk) < size:
            break  # the crash came while this chunk was being written
        nonce = prefix + count.to_bytes(4, "big")
        for last in (False, True):
            try:
                out += aead.decrypt(nonce, chunk, _chunk_aad(name, count, last))
            except InvalidTag:
                continue
            if last:
                return bytes(out), True
            break
        else:
            raise StorageError(f"{path.name} does not open with this data key (damaged?)")
        at, count = at + 4 + size, count + 1
    return bytes(out), False
