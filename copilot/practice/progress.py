"""Progress over practice runs: a few shares per run, drawn like the check-in trends (SVG or PNG).

Each panel is one measure from 0 to 100%, one point per practice run that has answers, oldest
first. The pictures carry no verdict; they are the trainee's own, never exported or shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from copilot.errors import CopilotError
from copilot.practice.flow import summarise
from copilot.practice.models import PracticeRun
from copilot.reflection.trends import (
    INK,
    LINE,
    MUTED,
    Dot,
    Figure,
    Label,
    Line,
    Polyline,
    Rect,
    save,
)

MEASURES: dict[str, str] = {
    "state_agreement": "Reading shared a state with the model's",
    "reflections": "Replies that were reflections",
    "complex_reflections": "Reflections that were complex",
    "named_feeling": "Replies that named a feeling",
}
WIDTH, PANEL_H, LEFT, RIGHT, TOP, PLOT_H = 760, 150, 56, 40, 28, 90


class ProgressPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: str
    session_id: str
    day: str
    answered: int
    values: dict[str, float | None]


def points(runs: Sequence[PracticeRun]) -> list[ProgressPoint]:
    out = []
    for run in runs:
        if not run.answers:
            continue
        s = summarise(run)
        out.append(
            ProgressPoint(
                run_id=run.id,
                session_id=run.session_id,
                day=run.started_at.date().isoformat(),
                answered=s.answered,
                values={m: getattr(s, m) for m in MEASURES},
            )
        )
    return out


def layout(found: Sequence[ProgressPoint]) -> Figure:
    if not found:
        raise CopilotError("no practice yet: run `session-copilot practice SESSION_ID` first")
    figure = Figure(WIDTH, PANEL_H * len(MEASURES) + 8, "Practice progress by run")
    figure.shapes.append(Rect(0, 0, WIDTH, figure.height, "#ffffff"))
    for index, (measure, title) in enumerate(MEASURES.items()):
        _panel(figure, found, measure, title, index * PANEL_H)
    return figure


def _x(i: int, n: int) -> float:
    width = WIDTH - LEFT - RIGHT
    return LEFT + width / 2 if n == 1 else LEFT + width * i / (n - 1)


def _panel(
    figure: Figure, found: Sequence[ProgressPoint], measure: str, title: str, top: float
) -> None:
    y0 = top + TOP

    def y(share: float) -> float:
        return y0 + PLOT_H * (1 - share)

    add = figure.shapes.append
    add(Label(LEFT, top + 18, title, 13, INK))
    add(Line(LEFT, y0, LEFT, y0 + PLOT_H, MUTED))
    add(Line(LEFT, y0 + PLOT_H, WIDTH - RIGHT, y0 + PLOT_H, MUTED))
    add(Line(LEFT, y(0.5), WIDTH - RIGHT, y(0.5), MUTED, True))
    for share in (0.0, 0.5, 1.0):
        add(Label(LEFT - 6, y(share) + 4, f"{share:.0%}", 10, anchor="end"))
    n = len(found)
    xy = []
    for i, p in enumerate(found):
        value = p.values.get(measure)
        if i == 0 or i == n - 1 or n <= 8:
            add(Label(_x(i, n), y0 + PLOT_H + 15, p.day[5:], 10, anchor="middle"))
        if value is None:
            continue
        xy.append((_x(i, n), y(value)))
        add(Dot(xy[-1][0], xy[-1][1], LINE, f"{p.day}: {value:.0%} ({p.answered} answers)"))
    if len(xy) > 1:
        add(Polyline(tuple(xy), LINE))


def write(found: Sequence[ProgressPoint], out: Path) -> None:
    save(layout(found), out, "progress plots")
