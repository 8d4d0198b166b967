from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copilot.errors import ModelError
from copilot.transcription.models import (
    BUNDLED_SHA256,
    bundled_path,
    resolve,
    sha256_file,
)


def test_bundled_model_resolves_with_its_digest_verified() -> None:
    model = resolve("tiny.en")
    assert model.sha256 == BUNDLED_SHA256
    assert (model.path / "model.bin").is_file()


def _copy_bundled(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny-copy"
    shutil.copytree(bundled_path(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_a_model_folder_with_sha256sums_is_verified(tmp_path: Path) -> None:
    folder = _copy_bundled(tmp_path)
    (folder / "SHA256SUMS").write_text(f"{sha256_file(folder / 'model.bin')}  model.bin\n")
    assert resolve(str(folder)).sha256 == BUNDLED_SHA256
    with (folder / "model.bin").open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00corrupted\x00")
    with pytest.raises(ModelError, match="does not match its expected SHA-256"):
        resolve(str(folder))


def test_unknown_name_and_incomplete_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model"):
        resolve("gigantic-whisper")
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError, match=r"lacks model\.bin"):
        resolve(str(tmp_path / "empty-model"))


def test_known_name_not_on_this_machine_is_not_downloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelError, match="nothing is downloaded"):
        resolve("small.en")
