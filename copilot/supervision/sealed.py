"""Sealing a share bundle or a reply with a passphrase: scrypt, then AES-256-GCM (`cryptography`).

A sealed file is:

    MAGIC (8 bytes, b"SCSEAL\\x00\\x01") | header length (4 bytes, big-endian) | header | ciphertext

The header is UTF-8 JSON: {"v": 1, "kind": "bundle" | "reply", "kdf": "scrypt", "n": 131072,
"r": 8, "p": 1, "salt": base64 (16 bytes), "cipher": "AES-256-GCM", "nonce": base64 (12 bytes),
"check": base64 (16 bytes)}. scrypt derives 48 bytes from the passphrase and salt: the first 32
are the AES key, the last 16 the `check`, which tells a wrong passphrase apart from a changed file
(it is no help to a guesser: each guess still costs one scrypt). Everything before the ciphertext
(magic, length and header) is the GCM associated data, so a change to any byte of the file, the
header's parameters included, makes opening fail. N = 2^17, r = 8, p = 1 costs 128 MiB and about
half a second here; a header asking for more than N = 2^20 is refused before any work.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import struct
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from copilot.errors import CopilotError

MAGIC = b"SCSEAL\x00\x01"
VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MAX_N = 2**20
MIN_PASSPHRASE = 10
Kind = Literal["bundle", "reply", "draft"]


class SealError(CopilotError):
    """A sealed file that cannot be opened: not one, a wrong passphrase, or changed."""


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise CopilotError(
            f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters, "
            "for example four unrelated words"
        )


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=48, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seal(kind: Kind, plaintext: bytes, passphrase: str) -> bytes:
    check_passphrase(passphrase)
    return Sealer(passphrase).seal(kind, plaintext)


class Sealer:
    """One key derivation for several sealings (a draft saved after each comment): a fresh
    nonce each time, the same salt; each file opens with `unseal` as any other."""

    def __init__(self, passphrase: str):
        self.salt = os.urandom(16)
        self.key, self.check = _derive(passphrase, self.salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)

    def seal(self, kind: Kind, plaintext: bytes) -> bytes:
        return _sealed(kind, plaintext, self.key, self.check, self.salt)


def _sealed(kind: Kind, plaintext: bytes, key: bytes, check: bytes, salt: bytes) -> bytes:
    nonce = os.urandom(12)
    header = json.dumps(
        {
            "v": VERSION, "kind": kind, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R,
            "p": SCRYPT_P, "salt": _b64(salt), "cipher": "AES-256-GCM", "nonce": _b64(nonce),
            "check": _b64(check),
        },
        separators=(",", ":"),
    ).encode("utf-8")  # fmt: skip
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    return prefix + AESGCM(key).encrypt(nonce, plaintext, prefix)


def read_header(data: bytes, name: str) -> tuple[dict[str, Any], bytes, bytes]:
    """The header, the authenticated prefix and the ciphertext; a file that is not a sealed
    file at all is one line."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise SealError(f"{name} is not a Session Copilot share or review file")
    (length,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    end = len(MAGIC) + 4 + length
    try:
        header = json.loads(data[len(MAGIC) + 4 : end].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("not an object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise SealError(f"{name} is damaged: its header cannot be read") from exc
    return header, data[:end], data[end:]


def unseal(data: bytes, passphrase: str, kind: Kind, name: str = "the file") -> bytes:
    header, prefix, ciphertext = read_header(data, name)
    if header.get("v") != VERSION:
        raise SealError(f"{name} needs a newer Session Copilot (format v{header.get('v')})")
    if header.get("kind") != kind:
        raise SealError(f"{name} is a {header.get('kind')} file, not a {kind} file")
    try:
        n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
        salt, nonce = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
        check = base64.b64decode(header["check"])
    except (KeyError, ValueError, TypeError) as exc:
        raise SealError(f"{name} is damaged: its header is incomplete") from exc
    if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise SealError(f"{name} asks for key derivation parameters out of range")
    if len(nonce) != 12 or len(salt) < 16:
        raise SealError(f"{name} is damaged: its header is malformed")
    key, expected = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(expected, check):
        raise SealError(f"wrong passphrase for {name}")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, prefix)
    except InvalidTag as exc:
        raise SealError(f"{name} was changed after it was made: refused") from exc
