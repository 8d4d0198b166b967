"""How fast each installed speech model decodes on this computer, measured, not guessed.

A live session decodes every final greedily as it ends (LIVE_OPTIONS, one thread) and, on a
second engine beside it, the same speech again with a beam (the second pass). So a model is timed
both ways on a short clip that ships with the program (the demo session's opening), and runs
live comfortably when both keep well ahead of the speech: the finals within FIRST_PASS_MAX_RTF
of real time, the second pass within SECOND_PASS_MAX_RTF. tiny.en measured 0.1-0.2 and 0.2-0.4
on this project's loaded 2-core machine (load average 5-10), where it met the live goals (final
latency p50 under a second, half a core); the bounds leave it that margin, and no more.

The figures are kept in the home (model_speed.json) and shown on the start form; the therapist
can measure again (after closing other programs, on another computer's power plan).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from copilot.transcription.engine import DECODE_OPTIONS, LIVE_OPTIONS, Transcriber

FIRST_PASS_MAX_RTF = 0.35
SECOND_PASS_MAX_RTF = 0.6
CLIP_S = 12.0  # long enough for a stable time, short enough to wait for at first start
Clock = Callable[[], float]
Loader = Callable[[str], Transcriber]


class ModelSpeed(BaseModel):
    model: str
    audio_s: float
    first_pass_rtf: float  # seconds of decoding per second of speech, greedy, as a live final
    second_pass_rtf: float  # the same with a beam, as the second pass and a recording
    threads: int
    load_average: float | None = None  # the machine's, when measured: a busy one reads slower
    measured_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    error: str | None = None  # the model could not be loaded or run

    @property
    def live_ok(self) -> bool:
        return (
            self.error is None
            and self.first_pass_rtf <= FIRST_PASS_MAX_RTF
            and self.second_pass_rtf <= SECOND_PASS_MAX_RTF
        )

    def verdict(self) -> str:
        if self.error:
            return f"could not be measured: {self.error}"
        pace = f"{self.first_pass_rtf:.2f}× / {self.second_pass_rtf:.2f}× real time"
        if self.live_ok:
            return f"runs live comfortably here ({pace})"
        return f"too slow for live here ({pace}): use it for recordings"


class SpeedTable(BaseModel):
    speeds: dict[str, ModelSpeed] = Field(default_factory=dict)

    def missing(self, names: Sequence[str]) -> list[str]:
        return [n for n in names if n not in self.speeds]

    def best_live(self, names: Sequence[str]) -> str | None:
        """The model to run live: the slowest of those that run live comfortably, since a larger
        Whisper is both slower and more accurate."""
        ok = [self.speeds[n] for n in names if n in self.speeds and self.speeds[n].live_ok]
        return max(ok, key=lambda s: s.second_pass_rtf).model if ok else None


def table_path(home: Path) -> Path:
    return home / "model_speed.json"


def load_table(path: Path) -> SpeedTable:
    """The stored measurements; an unreadable file counts as none (they are measured again)."""
    try:
        return SpeedTable.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError):
        return SpeedTable()


def save_table(path: Path, table: SpeedTable) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(table.model_dump_json(indent=1), encoding="utf-8")
    partial.replace(path)


def probe_clip() -> np.ndarray:
    """The opening CLIP_S of the bundled demo session, both sides in one channel."""
    from copilot.audio.files import SAMPLE_RATE, read_all

    audio = read_all(Path(__file__).resolve().parents[1] / "demo" / "demo_session.ogg")
    return np.asarray(audio[: int(CLIP_S * SAMPLE_RATE)].mean(axis=1), dtype=np.float32)


def timed(engine: Transcriber, audio: np.ndarray, clock: Clock, **options: Any) -> float:
    """Seconds to decode `audio` to its last segment (the decoder is lazy: every one is read)."""
    began = clock()
    for _segment in engine.transcribe(audio, offset=0.0, **options):
        pass
    return clock() - began


def measure(
    name: str,
    load: Loader,
    audio: np.ndarray,
    threads: int,
    clock: Clock = time.perf_counter,
) -> ModelSpeed:
    """One model timed both ways on `audio`, after a warm-up decode that is not counted."""
    from copilot.audio.files import SAMPLE_RATE
    from copilot.errors import CopilotError

    seconds = len(audio) / SAMPLE_RATE
    try:
        engine = load(name)
        timed(engine, audio[: SAMPLE_RATE * 2], clock, **LIVE_OPTIONS)  # first-call set-up
        first = timed(engine, audio, clock, **LIVE_OPTIONS)
        second = timed(engine, audio, clock, **DECODE_OPTIONS)
    except (CopilotError, RuntimeError, OSError) as exc:
        return ModelSpeed(
            model=name, audio_s=seconds, first_pass_rtf=0, second_pass_rtf=0, threads=threads,
            error=str(exc),
        )  # fmt: skip
    return ModelSpeed(
        model=name,
        audio_s=round(seconds, 2),
        first_pass_rtf=round(first / seconds, 3),
        second_pass_rtf=round(second / seconds, 3),
        threads=threads,
        load_average=round(os.getloadavg()[0], 2),
    )
