"""Trends over weeks: each scale's weekly mean, drawn as SVG by hand (PNG with Pillow, optional).

One panel per instrument scale — the after-session weight and each periodic scale — with the
instrument's cut-off bands drawn behind the points and the bands marked for attention shaded.
When the latest score sits in such a band, `suggestions()` offers a gentle line for the
therapist's eyes only: it is printed, never stored with the sessions and never drawn into the
picture, which may be shown to someone else.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pydantic import BaseModel, ConfigDict

from copilot.errors import CopilotError, DependencyMissing
from copilot.reflection.checkins import CheckIn
from copilot.reflection.instruments import Band, band_for

WIDTH = 760
PANEL_H = 170
LEFT, RIGHT, TOP, PLOT_H = 56, 96, 30, 104
INK, MUTED, LINE, SHADE = "#2f3a45", "#7a8490", "#4f6d8f", "#f1dfbf"
SHORT_GAP_MIN = 15.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WeekPoint(_Model):
    week: date  # the Monday of the week
    mean: float
    n: int


class TrendSeries(_Model):
    instrument_id: str
    instrument_title: str
    scale: str
    name: str
    low: float
    high: float
    bands: list[Band]
    points: list[WeekPoint]


def week_of(at: datetime) -> date:
    day = at.astimezone().date()
    return day - timedelta(days=day.weekday())


def weekly(checkins: Sequence[CheckIn], weeks: int | None = None) -> list[TrendSeries]:
    """One series per instrument scale: the mean score of each week that has check-ins."""
    first = week_of(max(c.at for c in checkins)) - timedelta(weeks=weeks - 1) if weeks else None
    grouped: dict[tuple[str, str], dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    latest: dict[tuple[str, str], tuple[CheckIn, int]] = {}
    for c in sorted(checkins, key=lambda c: c.at):
        if first and week_of(c.at) < first:
            continue
        for i, s in enumerate(c.scores):
            grouped[(c.instrument_id, s.scale)][week_of(c.at)].append(s.score)
            latest[(c.instrument_id, s.scale)] = (c, i)
    out = []
    for key, by_week in grouped.items():
        c, i = latest[key]
        s = c.scores[i]
        points = [
            WeekPoint(week=w, mean=round(sum(v) / len(v), 3), n=len(v))
            for w, v in sorted(by_week.items())
        ]
        out.append(
            TrendSeries(
                instrument_id=c.instrument_id, instrument_title=c.instrument_title,
                scale=s.scale, name=s.name, low=s.low, high=s.high, bands=s.bands, points=points,
            )
        )  # fmt: skip
    return sorted(out, key=lambda t: (t.instrument_id != "copilot-after-session", t.instrument_id))


def suggestions(checkins: Sequence[CheckIn]) -> list[str]:
    """Gentle lines for the scales whose latest score is in a band marked for attention."""
    latest: dict[tuple[str, str], CheckIn] = {}
    for c in sorted(checkins, key=lambda c: c.at):
        for s in c.scores:
            latest[(c.instrument_id, s.scale)] = c
    out = []
    for (_, scale), c in latest.items():
        s = next(x for x in c.scores if x.scale == scale)
        if not s.attention:
            continue
        out.append(
            f"{s.name}: your latest answers ({s.score:g}, {s.band}) fall in the range this "
            "check-in marks for attention. It is a signal for you, not a verdict. It may help to "
            "talk it over with a colleague or your supervisor, and, where you can, to leave more "
            "space between heavy sessions."
        )
        gap = c.context.shortest_gap_min if c.context else None
        if gap is not None and gap < SHORT_GAP_MIN:
            out.append(
                f"That day the shortest time between two sessions was {gap:.0f} minutes; a "
                "longer pause after a heavy session is worth protecting when you can."
            )
    return out


def describe(series: Sequence[TrendSeries]) -> str:
    """The trend as text, for a terminal."""
    lines = []
    for t in series:
        lines.append(f"{t.name} — {t.instrument_title} ({t.low:g}–{t.high:g}, weekly mean)")
        for p in t.points:
            band = band_for(t.bands, p.mean)
            label = f"  {band.label}" if band else ""
            lines.append(f"  week of {p.week}  {p.mean:6.2f}  (n={p.n}){label}")
    return "\n".join(lines)


# drawing: one list of shapes, written as SVG or PNG ---------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    dashed: bool = False


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: int = 11
    fill: str = MUTED
    anchor: str = "start"  # start | middle | end


Shape = Rect | Line | Polyline | Dot | Label


@dataclass
class Figure:
    width: int
    height: int
    title: str
    shapes: list[Shape] = field(default_factory=list)


def layout(series: Sequence[TrendSeries]) -> Figure:
    if not series or not any(t.points for t in series):
        raise CopilotError("no check-ins yet: run `session-copilot checkin` first")
    weeks = sorted({p.week for t in series for p in t.points})
    first, count = weeks[0], (weeks[-1] - weeks[0]).days // 7 + 1
    figure = Figure(WIDTH, PANEL_H * len(series) + 8, "Check-in trends by week")
    figure.shapes.append(Rect(0, 0, WIDTH, figure.height, "#ffffff"))
    for index, t in enumerate(series):
        _panel(figure, t, index * PANEL_H, first, count)
    return figure


def _x(week: date, first: date, count: int) -> float:
    width = WIDTH - LEFT - RIGHT
    if count == 1:
        return LEFT + width / 2
    return LEFT + width * ((week - first).days // 7) / (count - 1)


def _panel(figure: Figure, t: TrendSeries, top: float, first: date, count: int) -> None:
    y0 = top + TOP
    span = (t.high - t.low) or 1.0

    def y(value: float) -> float:
        return y0 + PLOT_H * (1 - (value - t.low) / span)

    add = figure.shapes.append
    add(Label(LEFT, top + 18, f"{t.name} · {t.instrument_title}", 13, INK))
    for i, band in enumerate(t.bands):
        upper = t.bands[i + 1].at_least if i + 1 < len(t.bands) else t.high
        if band.attention:
            add(Rect(LEFT, y(upper), WIDTH - LEFT - RIGHT, y(band.at_least) - y(upper), SHADE))
        if band.at_least > t.low:
            add(Line(LEFT, y(band.at_least), WIDTH - RIGHT, y(band.at_least), MUTED, True))
        add(Label(WIDTH - RIGHT + 6, (y(band.at_least) + y(upper)) / 2 + 4, band.label, 10))
    add(Line(LEFT, y0, LEFT, y0 + PLOT_H, MUTED))
    add(Line(LEFT, y0 + PLOT_H, WIDTH - RIGHT, y0 + PLOT_H, MUTED))
    add(Label(LEFT - 6, y(t.high) + 4, f"{t.high:g}", 10, anchor="end"))
    add(Label(LEFT - 6, y(t.low) + 4, f"{t.low:g}", 10, anchor="end"))
    step = max(1, math.ceil(count / 8))
    for i in range(0, count, step):
        week = first + timedelta(weeks=i)
        add(Label(_x(week, first, count), y0 + PLOT_H + 15, f"{week:%d %b}", 10, anchor="middle"))
    xy = tuple((_x(p.week, first, count), y(p.mean)) for p in t.points)
    if len(xy) > 1:
        add(Polyline(xy, LINE))
    for p, (px, py) in zip(t.points, xy, strict=True):
        add(Dot(px, py, LINE, f"week of {p.week}: {p.mean:g} (from {p.n} check-in(s))"))


def to_svg(figure: Figure) -> str:
    body = "\n".join(_svg_shape(s) for s in figure.shapes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{figure.width}" '
        f'height="{figure.height}" viewBox="0 0 {figure.width} {figure.height}" role="img" '
        f'font-family="system-ui, sans-serif">\n<title>{escape(figure.title)}</title>\n'
        f"{body}\n</svg>\n"
    )


def _svg_shape(s: Shape) -> str:
    if isinstance(s, Rect):
        return (
            f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.w:.1f}" height="{s.h:.1f}" '
            f'fill="{s.fill}"/>'
        )
    if isinstance(s, Line):
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        return (
            f'<line x1="{s.x1:.1f}" y1="{s.y1:.1f}" x2="{s.x2:.1f}" y2="{s.y2:.1f}" '
            f'stroke="{s.stroke}" stroke-width="1"{dash}/>'
        )
    if isinstance(s, Polyline):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points)
        return (
            f'<polyline class="trend" points="{pts}" fill="none" stroke="{s.stroke}" '
            'stroke-width="2"/>'
        )
    if isinstance(s, Dot):
        return (
            f'<circle class="point" cx="{s.x:.1f}" cy="{s.y:.1f}" r="4" fill="{s.fill}">'
            f"<title>{escape(s.title)}</title></circle>"
        )
    return (
        f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size}" fill="{s.fill}" '
        f"text-anchor={quoteattr(s.anchor)}>{escape(s.text)}</text>"
    )


def to_png(figure: Figure, path: Path, scale: int = 2) -> None:
    """PNG through Pillow, an optional extra; SVG needs nothing."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise DependencyMissing(
            "PNG trends need Pillow (pip install pillow); SVG works without it: --out FILE.svg"
        ) from None
    image = Image.new("RGB", (figure.width * scale, figure.height * scale), "#ffffff")
    fonts: dict[int, Any] = {}

    def font(size: int) -> Any:
        if size not in fonts:
            try:
                fonts[size] = ImageFont.load_default(size=size)
            except (OSError, TypeError):  # Pillow built without FreeType: its bitmap font
                fonts[size] = ImageFont.load_default()
        return fonts[size]

    draw = ImageDraw.Draw(image)
    for shape in figure.shapes:
        _png_shape(draw, shape, scale, font)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")


def _png_shape(draw: Any, s: Shape, k: int, font: Callable[[int], Any]) -> None:
    if isinstance(s, Rect):
        draw.rectangle((s.x * k, s.y * k, (s.x + s.w) * k, (s.y + s.h) * k), fill=s.fill)
    elif isinstance(s, Line):
        for a, b in _dashes(s) if s.dashed else [(0.0, 1.0)]:
            x1, y1 = s.x1 + (s.x2 - s.x1) * a, s.y1 + (s.y2 - s.y1) * a
            x2, y2 = s.x1 + (s.x2 - s.x1) * b, s.y1 + (s.y2 - s.y1) * b
            draw.line((x1 * k, y1 * k, x2 * k, y2 * k), fill=s.stroke, width=k)
    elif isinstance(s, Polyline):
        draw.line([(x * k, y * k) for x, y in s.points], fill=s.stroke, width=2 * k)
    elif isinstance(s, Dot):
        r = 4 * k
        draw.ellipse((s.x * k - r, s.y * k - r, s.x * k + r, s.y * k + r), fill=s.fill)
    else:
        face = font(s.size * k)
        width = float(draw.textlength(s.text, font=face))
        shift = {"start": 0.0, "middle": width / 2, "end": width}[s.anchor]
        draw.text((s.x * k - shift, (s.y - s.size) * k), s.text, fill=s.fill, font=face)


def _dashes(s: Line) -> list[tuple[float, float]]:
    """Fractions along a line for 4-on, 3-off dashes, as the SVG draws them."""
    length = math.hypot(s.x2 - s.x1, s.y2 - s.y1) or 1.0
    return [(i / length, min(i + 4, length) / length) for i in range(0, math.ceil(length), 7)]


def write(series: Sequence[TrendSeries], out: Path) -> None:
    """Write the trend picture; the suffix chooses SVG or PNG."""
    save(layout(series), out, "trends")


def save(figure: Figure, out: Path, what: str) -> None:
    """Write any figure drawn here (trends, practice progress) as SVG or PNG, by the suffix."""
    suffix = out.suffix.lower()
    if suffix == ".svg":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(to_svg(figure), encoding="utf-8")
    elif suffix == ".png":
        to_png(figure, out)
    else:
        raise CopilotError(f"{what} are written as .svg or .png, not {out.name!r}")
