"""Weekly trends: the series, the hand-written SVG, the optional PNG, and gentle suggestions."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from copilot.errors import CopilotError, DependencyMissing
from copilot.reflection.checkins import CheckIn, LoadContext, make_checkin
from copilot.reflection.instruments import builtin, parse_answers
from copilot.reflection.trends import (
    LINE,
    SHADE,
    layout,
    suggestions,
    to_png,
    to_svg,
    weekly,
    write,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # noon, so the local date is the same day


def post(answers: str, at: datetime, context: LoadContext | None = None) -> CheckIn:
    instrument = builtin("post")
    return make_checkin(instrument, parse_answers(instrument, answers), context, at=at)


def periodic(value: int, at: datetime) -> CheckIn:
    instrument = builtin("periodic")
    return make_checkin(instrument, parse_answers(instrument, ",".join([str(value)] * 15)), at=at)


@pytest.fixture
def checkins() -> list[CheckIn]:
    return [
        # week of 5 Jan: weights (1+1+1+1)/4 = 1.0 and (3+3+3+3)/4 = 3.0 → weekly mean 2.0
        post("1,5,1,5", MONDAY),
        post("3,3,3,3", MONDAY + timedelta(days=2)),
        # week of 12 Jan: nothing. Week of 19 Jan: (4+4+5+5)/4 = 4.5
        post("4,2,5,1", MONDAY + timedelta(weeks=2, days=1)),
        # week of 26 Jan: (2+3+2+3)/4 = 2.5
        post("2,3,2,3", MONDAY + timedelta(weeks=3, days=4)),
        periodic(2, MONDAY + timedelta(days=1)),
        periodic(4, MONDAY + timedelta(weeks=3)),
    ]


def test_weekly_means_per_scale(checkins: list[CheckIn]) -> None:
    series = {t.scale: t for t in weekly(checkins)}
    assert set(series) == {
        "weight", "compassion-satisfaction", "burnout", "secondary-traumatic-stress",
    }  # fmt: skip
    weight = series["weight"]
    assert [(p.week, p.mean, p.n) for p in weight.points] == [
        (date(2026, 1, 5), 2.0, 2),
        (date(2026, 1, 19), 4.5, 1),
        (date(2026, 1, 26), 2.5, 1),
    ]
    # periodic all 2s: 5 × 2 = 10 per scale (reverse 6-2 = 4 twice in burnout: 2+2+2+4+4 = 14)
    assert [p.mean for p in series["burnout"].points] == [14, 16]  # all 4s: 4+4+4+2+2 = 16
    assert [p.mean for p in series["compassion-satisfaction"].points] == [10, 20]
    assert weekly(checkins, weeks=1)[0].points[-1].week == date(2026, 1, 26)
    assert all(len(t.points) == 1 for t in weekly(checkins, weeks=1))


def test_svg_is_valid_with_one_point_per_week_and_scale(checkins: list[CheckIn]) -> None:
    series = weekly(checkins)
    root = ET.fromstring(to_svg(layout(series)))
    assert root.tag == f"{SVG}svg"
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    assert len(points) == 3 + 3 * 2  # weight in 3 weeks; three periodic scales in 2 weeks each
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "trend"]
    assert [len(str(p.get("points")).split()) for p in lines] == [len(t.points) for t in series]
    titles = [str(c.findtext(f"{SVG}title")) for c in points]
    assert "week of 2026-01-05: 2 (from 2 check-in(s))" in titles
    assert int(root.get("height", "0")) > 4 * 100  # a panel each


def test_points_sit_where_their_scores_are(checkins: list[CheckIn]) -> None:
    (weight,) = [t for t in weekly(checkins) if t.scale == "weight"]
    root = ET.fromstring(to_svg(layout([weight])))
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    ys = [float(str(c.get("cy"))) for c in points]
    xs = [float(str(c.get("cx"))) for c in points]
    assert ys[1] < ys[2] < ys[0]  # 4.5 highest, then 2.5, then 2.0 (SVG y grows downward)
    assert xs[1] - xs[0] == pytest.approx(2 * (xs[2] - xs[1]), abs=0.2)  # 2 weeks apart, then 1


def test_attention_bands_are_shaded(checkins: list[CheckIn]) -> None:
    (weight,) = [t for t in weekly(checkins) if t.scale == "weight"]
    root = ET.fromstring(to_svg(layout([weight])))
    shaded = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#f1dfbf"]
    assert len(shaded) == 1  # "heavy", from 4.0 to 5


def test_gentle_suggestion_only_when_the_latest_score_needs_attention(
    checkins: list[CheckIn],
) -> None:
    # The heavy week (4.5) is not the latest: the latest weight is 2.5, and no periodic scale
    # is in an attention band (compassion satisfaction 20 is "moderate", burnout 16 too).
    assert suggestions(checkins) == []
    tight = LoadContext(day=date(2026, 2, 2), sessions=3, mean_intensity=0.6, peak_intensity=0.8,
                        sessions_with_risk=1, risk_flags=1, gaps_min=[5.0, 40.0])  # fmt: skip
    heavy = post("5,1,5,1", MONDAY + timedelta(weeks=4), tight)
    lines = suggestions([*checkins, heavy])
    assert len(lines) == 2
    assert "colleague or your supervisor" in lines[0] and "space between heavy sessions" in lines[0]
    assert "5 minutes" in lines[1]
    alarming = ("urgent", "danger", "warning", "crisis", "immediately", "must")
    assert not any(word in line.lower() for line in lines for word in alarming)
    svg = to_svg(layout(weekly([*checkins, heavy])))
    assert "supervisor" not in svg  # the picture may be shown to others; the suggestion is not


def test_low_compassion_satisfaction_is_the_attention_end(checkins: list[CheckIn]) -> None:
    low = periodic(1, MONDAY + timedelta(weeks=5))  # 5 × 1 = 5: "low", marked for attention
    lines = suggestions([*checkins, low])
    assert any(line.startswith("Compassion satisfaction: ") for line in lines)
    assert not any(line.startswith("Burnout") for line in lines)  # 1+1+1+5+5 = 13, moderate


def test_png_is_a_valid_picture_of_the_same_figure(checkins: list[CheckIn], tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "trend.png"
    figure = layout(weekly(checkins))
    to_png(figure, out, scale=1)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as image:
        image.verify()
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (figure.width, figure.height)
        colours = {rgb for _, rgb in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert _rgb(LINE) in colours and _rgb(SHADE) in colours  # the trend line, a shaded band


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue


def test_png_without_pillow_says_how_to_get_it(
    checkins: list[CheckIn], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(DependencyMissing, match="Pillow"):
        to_png(layout(weekly(checkins)), tmp_path / "trend.png")
    assert not (tmp_path / "trend.png").exists()


def test_trends_command_writes_png_and_svg(tmp_path: Path) -> None:
    from PIL import Image

    from copilot.cli import main

    assert main(["checkin", "--answers", "4,2,5,1"]) == 0
    assert main(["trends", "--out", str(tmp_path / "t.png")]) == 0
    with Image.open(tmp_path / "t.png") as image:
        assert image.format == "PNG" and image.size[0] > 0
    assert main(["trends", "--out", str(tmp_path / "t.svg")]) == 0
    assert ET.parse(tmp_path / "t.svg").getroot().tag == f"{SVG}svg"
    assert main(["trends", "--out", str(tmp_path / "t.gif")]) == 2  # one line, exit code 2


def test_write_chooses_by_suffix_and_refuses_others(
    checkins: list[CheckIn], tmp_path: Path
) -> None:
    write(weekly(checkins), tmp_path / "t.svg")
    assert ET.parse(tmp_path / "t.svg").getroot().tag == f"{SVG}svg"
    with pytest.raises(CopilotError, match=r"\.svg or \.png"):
        write(weekly(checkins), tmp_path / "t.pdf")
    with pytest.raises(CopilotError, match="no check-ins yet"):
        write([], tmp_path / "t.svg")
