"""Building one model from another by the fields they share, so that a field added to both is
carried over without another line naming it."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from pydantic import BaseModel


def _names(source: object) -> set[str]:
    if isinstance(source, BaseModel):
        return set(type(source).model_fields)
    return {f.name for f in dataclasses.fields(source)}  # type: ignore[arg-type]


def shared_fields(
    source: object, target: type[BaseModel], exclude: Collection[str] = ()
) -> dict[str, Any]:
    """The values of the fields of `source` (a model or a dataclass) that `target` has too."""
    names = (_names(source) & set(target.model_fields)) - set(exclude)
    return {name: getattr(source, name) for name in sorted(names)}


def prefixed_fields(source: object, target: type[BaseModel], prefix: str) -> dict[str, Any]:
    """`target`'s fields named `prefix` + an attribute of `source`, from that attribute (the
    instrument's `id` as a check-in's `instrument_id`)."""
    names = [name for name in target.model_fields if name.startswith(prefix)]
    return {name: getattr(source, name.removeprefix(prefix)) for name in names}
