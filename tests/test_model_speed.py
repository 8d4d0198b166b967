"""Which model runs live here: timed on this computer at first start, kept, shown, re-measured.

Scripted engines at the boundary stand for the models: each decode advances a scripted clock by
the seconds that model would take, so the verdicts follow from the measurement, not a guess.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from copilot.errors import ModelError
from copilot.settings import Settings
from copilot.transcription.engine import AsrSegment
from copilot.transcription.speed import ModelSpeed, load_table, measure, save_table, table_path
from copilot.window.current import CurrentSession
from copilot.window.models import ModelsApi

CLIP = np.zeros(16_000 * 10, np.float32)  # 10 s


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Scripted:
    """A model that takes `greedy` / `beam` seconds per second of audio to decode."""

    def __init__(self, name: str, clock: Clock, greedy: float, beam: float):
        self.name, self.clock, self.greedy, self.beam = name, clock, greedy, beam
        self.calls = 0

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, **options: Any
    ) -> Iterator[AsrSegment]:
        self.calls += 1
        rate = self.beam if options.get("beam_size", 1) > 1 else self.greedy
        self.clock.now += rate * len(audio) / 16_000
        yield from ()


def test_a_model_is_timed_greedy_and_with_a_beam_after_a_warm_up() -> None:
    clock = Clock()
    engine = Scripted("base.en", clock, greedy=0.2, beam=0.5)
    speed = measure("base.en", lambda _name: engine, CLIP, threads=1, clock=clock)
    assert engine.calls == 3  # warm-up, greedy, beam
    assert (speed.first_pass_rtf, speed.second_pass_rtf) == (0.2, 0.5)
    assert speed.live_ok and "runs live comfortably" in speed.verdict()
    slow = measure("small.en", lambda _n: Scripted("s", clock, 0.5, 1.4), CLIP, 1, clock)
    assert not slow.live_ok and "too slow for live" in slow.verdict()


def test_a_model_that_cannot_load_is_recorded_as_such() -> None:
    def broken(name: str) -> Scripted:
        raise ModelError(f"model {name!r} is not on this machine")

    speed = measure("base.en", broken, CLIP, threads=1)
    assert speed.error and not speed.live_ok and "could not be measured" in speed.verdict()


def test_the_table_survives_a_round_trip_and_a_damaged_file_reads_as_none(tmp_path: Path) -> None:
    path = table_path(tmp_path)
    assert load_table(path).speeds == {}
    table = load_table(path)
    table.speeds["tiny.en"] = ModelSpeed(
        model="tiny.en", audio_s=10, first_pass_rtf=0.1, second_pass_rtf=0.2, threads=1
    )
    save_table(path, table)
    assert load_table(path).speeds["tiny.en"].live_ok
    path.write_text("{not json")
    assert load_table(path).speeds == {}


RATES = {"tiny.en": (0.1, 0.25), "base.en": (0.25, 0.5), "small.en": (0.9, 2.5)}


def models_api(
    tmp_path: Path, current: CurrentSession | None = None
) -> tuple[ModelsApi, list[BaseModel]]:
    clock = Clock()
    sent: list[BaseModel] = []
    api = ModelsApi(
        Settings(),
        current or CurrentSession(),
        sent.append,
        table_path(tmp_path),
        lambda: [{"name": n, "label": n} for n in RATES],
        load=lambda name: Scripted(name, clock, *RATES[name]),
        clock=clock,
    )
    return api, sent


def test_first_start_measures_every_model_and_names_the_largest_that_runs_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[str] = []
    import copilot.window.models as models

    real_measure = models.measure
    monkeypatch.setattr(models, "probe_clip", lambda: CLIP)  # the bundled clip is a model-tier read

    def counting(name: str, *args: Any, **kwargs: Any) -> ModelSpeed:
        measured.append(name)
        return real_measure(name, *args, **kwargs)

    monkeypatch.setattr(models, "measure", counting)
    api, sent = models_api(tmp_path)
    first = api.speeds()
    assert first["measuring"] is True
    assert api.wait(timeout=30)
    (done,) = [e for e in sent if e.type == "model_speed"]  # type: ignore[attr-defined]
    shown = done.model_dump()
    assert shown["measuring"] is False and shown["best_live"] == "base.en"
    verdicts = {m["name"]: m["live_ok"] for m in shown["models"]}
    assert verdicts == {"tiny.en": True, "base.en": True, "small.en": False}
    assert sorted(measured) == sorted(RATES)
    again = api.speeds()  # kept: a second start does not measure again
    assert again["measuring"] is False and sorted(measured) == sorted(RATES)
    assert again["best_live"] == "base.en"
    api.measure()  # the therapist asks
    assert api.wait(timeout=30)
    assert len(measured) == 2 * len(RATES)


def test_no_measuring_while_a_session_records(tmp_path: Path) -> None:
    class Recording(CurrentSession):
        @property
        def state(self) -> str:
            return "recording"

    api, sent = models_api(tmp_path, Recording())
    assert api.speeds()["measuring"] is False
    assert "no session is recording" in api.measure()["error"]
    assert sent == [] and not [t for t in threading.enumerate() if t.name == "model-speed"]


def test_closing_the_window_waits_for_the_model_being_timed_and_measures_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A measurement thread left inside a model's native load as the interpreter exits aborts
    the process: closing waits for the model in hand, then stops before the next."""
    import copilot.window.models as models

    monkeypatch.setattr(models, "probe_clip", lambda: CLIP)
    clock = Clock()
    loading, release = threading.Event(), threading.Event()
    loaded: list[str] = []

    def slow_load(name: str) -> Scripted:
        loaded.append(name)
        loading.set()
        release.wait(10)
        return Scripted(name, clock, *RATES[name])

    sent: list[BaseModel] = []
    names = lambda: [{"name": n, "label": n} for n in RATES]  # noqa: E731
    api = ModelsApi(Settings(), CurrentSession(), sent.append, table_path(tmp_path), names,
                    load=slow_load, clock=clock)  # fmt: skip
    api.speeds()
    assert loading.wait(10)
    closer = threading.Thread(target=api.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive(), "close returned while a model was still loading"
    release.set()
    closer.join(10)
    assert not closer.is_alive()
    assert not [t for t in threading.enumerate() if t.name == "model-speed"]
    assert loaded == ["tiny.en"] and list(load_table(table_path(tmp_path)).speeds) == ["tiny.en"]
    assert sent == []
    api.speeds()  # a closed window starts no new measurement
    assert loaded == ["tiny.en"]
