"""Removing a file for real, as far as a program can: its bytes overwritten, then the name.

On a spinning disk with an ordinary file system the overwrite lands on the same blocks. On an
SSD (wear levelling) or a copy-on-write file system (btrfs, ZFS, APFS) or under a snapshot or
backup, the old blocks may survive the overwrite; only encryption of the whole disk (or of the
data before it is written) protects those. docs/security.md says so.
"""

from __future__ import annotations

import os
from pathlib import Path

CHUNK = 1 << 20


def erase(path: Path) -> bool:
    """Overwrite `path` with zeros, flush it to the disk, and remove it. False if it was not
    there."""
    try:
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        zeros = bytes(min(size, CHUNK))
        left = size
        while left > 0:
            left -= os.write(fd, zeros[: min(left, CHUNK)])
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return True


def erase_tree(folder: Path) -> int:
    """Erase every file under `folder`, then the folders. Returns how many files went."""
    count = 0
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = Path(root) / name
            if path.is_symlink():
                path.unlink()
            elif erase(path):
                count += 1
        for name in dirs:
            (Path(root) / name).rmdir()
    if folder.exists():
        folder.rmdir()
    return count
