"""Which format a file is in: the one asked for with --format, else the one its suffix names.

Exports and imports each keep their own table of suffixes; this is the one reading of it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar, cast

from copilot.errors import CopilotError

F = TypeVar("F", bound=str)


def format_from(
    path: Path,
    given: str | None,
    suffixes: Mapping[str, F],
    unknown: str,
    error: type[CopilotError] = CopilotError,
) -> F:
    """`given` if it is one of the formats, else the format of `path`'s suffix; `unknown` is
    what to say (with `{name}`, the file's name) when the suffix names none."""
    if given:
        if given not in suffixes.values():
            names = list(dict.fromkeys(suffixes.values()))
            raise error(f"--format {given!r}: use {', '.join(names[:-1])} or {names[-1]}")
        return cast(F, given)
    found = suffixes.get(path.suffix.lower())
    if found is None:
        raise error(unknown.format(name=path.name))
    return found
