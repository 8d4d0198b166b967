"""Back-pressure: when the finals fall behind, the session steps down, and back up when calm."""

from __future__ import annotations

import time

from copilot.live.jobs import JobQueue
from copilot.live.options import Status
from copilot.live.pumps import Pumps

# How far behind the finals may fall before the next step down.
DEGRADE_LAG_S = (2.5, 5.0, 12.0)
DEGRADE_STEPS = (
    "normal",
    "longer chunks, fewer partials, each utterance decoded alone",
    "no partial text",
    "recording now, transcribing after the session",
)
RECOVER_AFTER_S = 20.0


class BackPressure:
    def __init__(self, pumps: Pumps, jobs: JobQueue, partials: bool, status: Status):
        self.step = 0
        self._pumps = pumps
        self._jobs = jobs
        self._partials = partials
        self._status = status
        self._calm_since = 0.0

    def update(self, lag_s: float) -> None:
        step = self.step
        if step < 3 and lag_s > DEGRADE_LAG_S[step]:
            self._set(step + 1)
            self._calm_since = 0.0
        elif step > 0 and lag_s < 1.0:
            self._calm_since = self._calm_since or time.monotonic()
            if time.monotonic() - self._calm_since > RECOVER_AFTER_S:
                self._set(step - 1)
                self._calm_since = 0.0
        else:
            self._calm_since = 0.0

    def _set(self, step: int) -> None:
        self.step = step
        self._jobs.partials = step < 2
        self._pumps.set_pace(step, self._partials)
        if step == 0:
            self._status("info", "keeping up again: full live transcription", degrade_step=0)
        else:
            self._status(
                "warning",
                f"the computer is busy: {DEGRADE_STEPS[step]} (step {step} of 3)",
                degrade_step=step,
            )
