"""The data key: 32 random bytes that encrypt the databases (SQLCipher) and the files holding
session content (AES-256-GCM), kept in `key.json` beside the database only in wrapped form.

Wrapped by a key derived from the therapist's passphrase with scrypt (N=2^17, r=8, p=1: 128 MiB
of memory and about half a second per unlock on a laptop, so guessing is slow) into AES-256-GCM,
and, where the OS offers a keyring (macOS Keychain, Windows Credential Locker, the Secret
Service on Linux desktops), also stored there, so daily use needs no typing. COPILOT_PASSPHRASE
gives the passphrase to scripts and CI: weaker, since the environment of a process can be read
by other programs of the same account. Without a keyring and without a passphrase (a headless
first run, the demo on a fresh machine) the key is kept unprotected in key.json; the first run
says so, and so does `session-copilot protect`, until `session-copilot passphrase` protects
it. There is no recovery without the passphrase or the keyring entry.
"""

from __future__ import annotations

import base64
import getpass
import os
import secrets
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import BaseModel

from copilot.errors import CopilotError

KEY_FILE = "key.json"
KEYRING_SERVICE = "session-copilot-data-key"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_AAD = b"session-copilot data key v1"
_cache: dict[Path, bytes] = {}
_lock = threading.Lock()


class WrongPassphrase(CopilotError):
    """The passphrase does not unwrap the data key."""


class Locked(CopilotError):
    """The data key is needed and nothing here can unwrap it."""


class Wrapped(BaseModel):
    salt: str
    n: int
    r: int
    p: int
    nonce: str
    ciphertext: str


class KeyFile(BaseModel):
    version: int = 1
    passphrase: Wrapped | None = None
    in_keyring: bool = False
    unprotected: str | None = None  # base64 of the key itself: the headless first run only


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def wrap(key: bytes, passphrase: str, n: int = SCRYPT_N) -> Wrapped:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_kek(passphrase, salt, n, SCRYPT_R, SCRYPT_P)).encrypt(nonce, key, _AAD)
    return Wrapped(salt=_b64(salt), n=n, r=SCRYPT_R, p=SCRYPT_P, nonce=_b64(nonce),
                   ciphertext=_b64(sealed))  # fmt: skip


def unwrap(wrapped: Wrapped, passphrase: str, where: Path) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = base64.b64decode(wrapped.salt), base64.b64decode(wrapped.nonce)
    kek = _kek(passphrase, salt, wrapped.n, wrapped.r, wrapped.p)
    try:
        return AESGCM(kek).decrypt(nonce, base64.b64decode(wrapped.ciphertext), _AAD)
    except InvalidTag:
        raise WrongPassphrase(f"wrong passphrase for the data in {where}") from None


def keyring_get(folder: Path) -> bytes | None:
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, str(folder.resolve()))
    except Exception:  # no usable keyring here (headless, CI): the passphrase is the way
        return None
    return base64.b64decode(found) if found else None


def keyring_set(folder: Path, key: bytes) -> bool:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, str(folder.resolve()), _b64(key))
    except Exception:
        return False
    return keyring_get(folder) == key


Ask = Callable[[str], str]


def terminal_ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise Locked("the session data is encrypted: set COPILOT_PASSPHRASE or run at a terminal")
    return getpass.getpass(prompt)


def data_key(folder: Path, env: Mapping[str, str] = os.environ, ask: Ask = terminal_ask) -> bytes:
    """The data key for the stores in `folder`, created on first use."""
    folder = folder.resolve()
    with _lock:
        if folder not in _cache:
            _cache[folder] = _load_or_create(folder, env, ask)
        return _cache[folder]


def home_key() -> bytes:
    """The data key of COPILOT_HOME."""
    from copilot.settings import home

    return data_key(home())


def forget_cached() -> None:
    """Drop every key held in memory (the app lock; tests)."""
    with _lock:
        _cache.clear()


def _load_or_create(folder: Path, env: Mapping[str, str], ask: Ask) -> bytes:
    path = folder / KEY_FILE
    if not path.exists():
        return _create(folder, env.get("COPILOT_PASSPHRASE"))
    found = KeyFile.model_validate_json(path.read_text("utf-8"))
    if found.in_keyring and (key := keyring_get(folder)) is not None:
        return key
    if found.passphrase is not None:
        passphrase = env.get("COPILOT_PASSPHRASE") or ask(f"Passphrase for {folder}: ")
        return unwrap(found.passphrase, passphrase, folder)
    if found.unprotected is not None:
        return base64.b64decode(found.unprotected)
    raise Locked(f"the data key for {folder} is in the keyring, which cannot be reached")


def _create(folder: Path, passphrase: str | None) -> bytes:
    key = secrets.token_bytes(32)
    record = KeyFile(in_keyring=keyring_set(folder, key))
    if passphrase:
        record.passphrase = wrap(key, passphrase)
    if not record.in_keyring and not passphrase:
        record.unprotected = _b64(key)
        _say_unprotected(folder)
    save(folder, record)
    return key


def save(folder: Path, record: KeyFile) -> None:
    from copilot.protection.permissions import ensure_dir, write_private

    ensure_dir(folder)
    tmp = folder / f".{KEY_FILE}.tmp"
    write_private(tmp, record.model_dump_json(indent=2).encode())
    tmp.replace(folder / KEY_FILE)


def unprotected(folder: Path) -> bool:
    path = folder / KEY_FILE
    return (
        path.exists()
        and KeyFile.model_validate_json(path.read_text("utf-8")).unprotected is not None
    )


def has_passphrase(folder: Path) -> bool:
    path = folder / KEY_FILE
    return (
        path.exists()
        and KeyFile.model_validate_json(path.read_text("utf-8")).passphrase is not None
    )


def check_passphrase(folder: Path, passphrase: str) -> None:
    """Raise WrongPassphrase unless `passphrase` unwraps the data key (the app lock's test)."""
    folder = folder.resolve()
    record = KeyFile.model_validate_json((folder / KEY_FILE).read_text("utf-8"))
    if record.passphrase is None:
        raise Locked(f"no passphrase protects {folder}: run `session-copilot passphrase`")
    unwrap(record.passphrase, passphrase, folder)


def set_passphrase(folder: Path, passphrase: str) -> None:
    """Wrap the (unlocked) data key with a new passphrase; an unprotected copy goes."""
    folder = folder.resolve()
    key = data_key(folder)
    path = folder / KEY_FILE
    record = KeyFile.model_validate_json(path.read_text("utf-8"))
    record.passphrase, record.unprotected = wrap(key, passphrase), None
    record.in_keyring = record.in_keyring or keyring_set(folder, key)
    save(folder, record)


def _say_unprotected(folder: Path) -> None:
    print(
        f"session-copilot: notice: no keyring and no passphrase here, so the key that encrypts "
        f"{folder} is stored beside it; run `session-copilot passphrase` to protect it",
        file=sys.stderr,
    )
