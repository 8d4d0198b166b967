"""What the worker and the second pass both work on."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.live.analysis import LiveAnalysis
from copilot.live.options import Outlet
from copilot.live.pumps import Pumps
from copilot.live.transcript import Transcript


@dataclass(frozen=True)
class Shared:
    pumps: Pumps  # the sources' rings: the audio under each final
    transcript: Transcript
    analysis: LiveAnalysis
    out: Outlet
