"""Check-in instruments: a documented file format, checked on load, and one scoring engine.

An instrument file (TOML or JSON, the same fields) names its items, the response scale, which
items are reverse-keyed, the scales with their scoring (sum or mean) and their cut-off bands.
docs/reflection.md describes the format with a worked example. Every instrument, the project's
own and a validated one a clinic provides, is scored by `score()` alone.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from copilot.errors import CopilotError

Kind = Literal["post", "periodic"]
Scoring = Literal["sum", "mean"]

POST_MAX_ITEMS = 6  # a post-session check-in must fit in about a minute
BUILTIN = {"post": "post_session.toml", "periodic": "periodic.toml"}
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class InstrumentError(CopilotError):
    """An instrument file that is missing, unreadable or inconsistent."""


class AnswerError(CopilotError):
    """Answers that do not fit the instrument they are for."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResponseScale(_Model):
    min: StrictInt
    max: StrictInt
    labels: dict[int, str] = Field(default_factory=dict)

    def hint(self) -> str:
        named = [f"{k} {self.labels[k]}" for k in sorted(self.labels)]
        return " · ".join(named) if named else f"{self.min}–{self.max}"


class Item(_Model):
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    reverse: StrictBool = False  # scored as (min + max) - answer


class Band(_Model):
    """A cut-off band: scores from `at_least` up to the next band's `at_least`."""

    label: str = Field(min_length=1)
    at_least: float
    attention: StrictBool = False  # a score here brings a gentle suggestion


class Scale(_Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)
    scoring: Scoring = "sum"
    description: str = ""
    bands: list[Band] = Field(default_factory=list)


class Instrument(_Model):
    id: str = Field(pattern=_ID)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    kind: Kind
    validated: StrictBool = False
    credit: str = ""  # shown with every result, e.g. the copyright holder and their address
    cutoff_source: str = ""  # where the cut-offs come from
    instructions: str = ""
    response: ResponseScale
    items: list[Item] = Field(min_length=1)
    scales: list[Scale] = Field(min_length=1)
    _digest: str = PrivateAttr(default="")

    @property
    def digest(self) -> str:
        """SHA-256 of the file it was loaded from: which exact wording was answered."""
        return self._digest

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        _check_response(self.response)
        ids = [i.id for i in self.items]
        _unique(ids, "item")
        _unique([s.id for s in self.scales], "scale")
        if self.kind == "post" and len(self.items) > POST_MAX_ITEMS:
            raise ValueError(
                f"a post-session check-in has at most {POST_MAX_ITEMS} items "
                f"(this one has {len(self.items)})"
            )
        scored: set[str] = set()
        for scale in self.scales:
            _check_scale(scale, set(ids), self.response)
            scored.update(scale.items)
        unscored = [i for i in ids if i not in scored]
        if unscored:
            raise ValueError(f"item {unscored[0]!r} is in no scale")
        return self

    def scale_range(self, scale: Scale) -> tuple[float, float]:
        return scale_range(scale, self.response)


def scale_range(scale: Scale, response: ResponseScale) -> tuple[float, float]:
    if scale.scoring == "mean":
        return float(response.min), float(response.max)
    n = len(scale.items)
    return float(n * response.min), float(n * response.max)


def _check_response(response: ResponseScale) -> None:
    if response.min >= response.max:
        raise ValueError(f"response.min ({response.min}) must be below response.max")
    outside = [k for k in response.labels if not response.min <= k <= response.max]
    if outside:
        raise ValueError(f"response label {outside[0]} is outside {response.min}–{response.max}")


def _unique(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} id {i!r} appears twice")
        seen.add(i)


def _check_scale(scale: Scale, item_ids: set[str], response: ResponseScale) -> None:
    missing = [i for i in scale.items if i not in item_ids]
    if missing:
        raise ValueError(f"scale {scale.id!r} lists item {missing[0]!r}, which is not defined")
    _unique(scale.items, f"scale {scale.id!r}: item")
    low, high = scale_range(scale, response)
    previous: float | None = None
    for band in scale.bands:
        if not low <= band.at_least <= high:
            raise ValueError(
                f"scale {scale.id!r}: band {band.label!r} starts at {band.at_least:g}, "
                f"outside the possible scores {low:g}–{high:g}"
            )
        if previous is not None and band.at_least <= previous:
            raise ValueError(f"scale {scale.id!r}: bands must rise (at {band.label!r})")
        previous = band.at_least


# loading ---------------------------------------------------------------------------------------


def load_instrument(path: Path) -> Instrument:
    """Read and check an instrument file; any problem becomes one line naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError(f"instrument file {path} does not exist") from None
    except OSError as exc:
        raise InstrumentError(f"instrument file {path} is unreadable: {exc.strerror}") from exc
    return parse_instrument(raw, path.suffix.lower(), str(path))


def parse_instrument(raw: bytes, suffix: str, name: str) -> Instrument:
    data = _decode(raw, suffix, name)
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(f"instrument file {name}: {_first_error(exc)}") from None
    instrument._digest = hashlib.sha256(raw).hexdigest()
    return instrument


def _decode(raw: bytes, suffix: str, name: str) -> Any:
    try:
        text = raw.decode("utf-8")
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
    except UnicodeDecodeError:
        raise InstrumentError(f"instrument file {name} is not UTF-8 text") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InstrumentError(f"instrument file {name} is not valid {suffix[1:]}: {exc}") from None
    raise InstrumentError(f"instrument file {name} must end in .toml or .json")


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def builtin(kind: Kind) -> Instrument:
    """The project's own check-in of this kind (its own words; not validated)."""
    resource = Path(__file__).with_name("instruments") / BUILTIN[kind]
    return parse_instrument(resource.read_bytes(), ".toml", f"built-in {BUILTIN[kind]}")


# scoring ---------------------------------------------------------------------------------------


class ScaleScore(_Model):
    """One scale's score, self-describing so that a trend can be drawn without the file."""

    scale: str
    name: str
    scoring: Scoring
    score: float
    low: float
    high: float
    band: str | None
    attention: bool
    bands: list[Band] = Field(default_factory=list)


def answers_from_list(instrument: Instrument, values: Sequence[int]) -> dict[str, int]:
    if len(values) != len(instrument.items):
        raise AnswerError(
            f"{instrument.title} has {len(instrument.items)} items; got {len(values)} answers"
        )
    return {item.id: value for item, value in zip(instrument.items, values, strict=True)}


def parse_answers(instrument: Instrument, text: str) -> dict[str, int]:
    """Answers written as "1,3,2,..." in item order."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    try:
        values = [int(p) for p in parts if p]
    except ValueError:
        raise AnswerError(f"answers must be whole numbers separated by commas: {text!r}") from None
    return answers_from_list(instrument, values)


def check_answers(instrument: Instrument, answers: Mapping[str, int]) -> None:
    low, high = instrument.response.min, instrument.response.max
    for item in instrument.items:
        if item.id not in answers:
            raise AnswerError(f"no answer for item {item.id!r}")
        value = answers[item.id]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise AnswerError(f"answer {value!r} to item {item.id!r} is not in {low}–{high}")
    extra = sorted(set(answers) - {i.id for i in instrument.items})
    if extra:
        raise AnswerError(f"{instrument.title} has no item {extra[0]!r}")


def keyed(instrument: Instrument, item: Item, answer: int) -> int:
    """The value an answer counts for: reverse-keyed items count from the other end."""
    if item.reverse:
        return instrument.response.min + instrument.response.max - answer
    return answer


def band_for(bands: Sequence[Band], score: float) -> Band | None:
    found = None
    for band in bands:
        if score >= band.at_least:
            found = band
    return found


def score(instrument: Instrument, answers: Mapping[str, int]) -> list[ScaleScore]:
    """The one scoring engine: keyed values per scale, summed or averaged, then banded."""
    check_answers(instrument, answers)
    items = {i.id: i for i in instrument.items}
    out = []
    for scale in instrument.scales:
        values = [keyed(instrument, items[i], answers[i]) for i in scale.items]
        total = sum(values) if scale.scoring == "sum" else sum(values) / len(values)
        band = band_for(scale.bands, total)
        low, high = instrument.scale_range(scale)
        out.append(
            ScaleScore(
                scale=scale.id,
                name=scale.name,
                scoring=scale.scoring,
                score=round(total, 3),
                low=low,
                high=high,
                band=band.label if band else None,
                attention=bool(band and band.attention),
                bands=scale.bands,
            )
        )
    return out
