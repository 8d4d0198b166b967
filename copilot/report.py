"""The self-contained HTML report: one file, inline styles and charts, opens offline anywhere."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from copilot import __version__
from copilot.analysis.risk import describe
from copilot.domain import SessionExport
from copilot.errors import CopilotError
from copilot.protection.permissions import ensure_dir, write_private
from copilot.timefmt import clock

STATE_COLOURS = {
    "sadness": "#4f6d8f",
    "anxiety/fear": "#8a6fb0",
    "anger/irritation": "#b5543c",
    "shame/guilt": "#9c7a3c",
    "hopelessness": "#3f4f63",
    "emptiness/numbness": "#8a8f98",
    "joy/relief": "#4c9a6a",
    "neutral": "#c9ccd1",
}
FALLBACK_COLOURS = ("#6b8fb5", "#b58a6b", "#7fa37a", "#a37a9e", "#a39a6b", "#6ba3a0")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("copilot", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["risk_name"] = describe.name
    env.filters["risk_marks"] = describe.marks
    env.filters["risk_why"] = describe.why
    env.globals["colour"] = colour
    return env


def colour(label: str) -> str:
    if label in STATE_COLOURS:
        return STATE_COLOURS[label]
    return FALLBACK_COLOURS[sum(map(ord, label)) % len(FALLBACK_COLOURS)]


def render(export: SessionExport) -> str:
    readings = {r.utterance_seq: r for r in export.emotions}
    prosody = {p.utterance_seq: p for p in export.prosody}
    flags = {f.utterance_seq for f in export.risk_flags}
    behaviour = {c.utterance_seq: c for c in export.therapist_behaviour}
    states = sorted(
        {
            label
            for p in (export.summary.arc if export.summary else [])
            for label in p.scores
            if label != "neutral"
        }
    )
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            e=export,
            s=export.summary,
            readings=readings,
            prosody=prosody,
            flagged=flags,
            behaviour=behaviour,
            arc_states=states,
            version=__version__,
        )
    )


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename, so a failure never leaves half a file. The file is
    0600 from its first byte: it holds the client's words."""
    try:
        ensure_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        write_private(tmp, text.encode("utf-8"))
        tmp.replace(path)
    except OSError as exc:
        raise CopilotError(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_report(export: SessionExport, path: Path) -> None:
    write_atomic(path, render(export))


def write_sealed_report(export: SessionExport, path: Path, key: bytes) -> None:
    """The report kept in the home: sealed (AES-GCM) under the data key."""
    from copilot.storage.sealed import write_sealed

    write_sealed(path, key, render(export).encode("utf-8"))


def write_json(export: SessionExport, path: Path) -> None:
    write_atomic(path, export.model_dump_json(indent=2))
