"""What each CLI command does. Heavy modules are imported inside the handlers, so that
`session-copilot --help` and the light commands start fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.errors import CopilotError
from copilot.settings import Settings, home
from copilot.storage import SessionStore

if TYPE_CHECKING:
    from copilot.analysis.run import Analysed
    from copilot.domain import SessionExport
    from copilot.pipeline import AnalyzeOptions


def _options(args: argparse.Namespace, settings: Settings) -> AnalyzeOptions:
    from copilot.pipeline import AnalyzeOptions, parse_channels

    return AnalyzeOptions(
        channels=parse_channels(args.channels) if getattr(args, "channels", None) else None,
        model=args.model or settings.asr_model,
        client_label=getattr(args, "client_label", "Client"),
        swap_roles=getattr(args, "swap_roles", False),
        threads=args.threads or settings.asr_threads,
        analyser=args.analyser or settings.session_analyser,
        names=[n.strip() for n in args.names.split(",") if n.strip()],
        chunk_s=settings.chunk_seconds,
    )


def analyze(args: argparse.Namespace) -> int:
    from copilot.audio.files import probe
    from copilot.pipeline import analyze_file

    options = _options(args, Settings.load())
    info = probe(args.path)  # a bad path fails before anything opens
    store = SessionStore()
    try:
        with _progress_bar(info.duration_s) as progress:
            result = analyze_file(args.path, options, store, progress)
        _deliver(result, args.json, args.report)
    finally:
        store.close()
    return 0


def demo(args: argparse.Namespace) -> int:
    from importlib.resources import files

    args.path = Path(str(files("copilot") / "demo" / "demo_session.ogg"))
    args.client_label = "Demo client"
    return analyze(args)


def _deliver(result: Analysed, json_path: Path | None, report_path: Path | None) -> None:
    from copilot.report import write_json, write_report

    export = result.export
    report_path = report_path or home() / "reports" / f"{export.session.id}.html"
    write_report(export, report_path)
    if json_path:
        write_json(export, json_path)
    for notice in result.notices:
        print(f"session-copilot: {notice}", file=sys.stderr)
    print(summary_text(export))
    print(f"report: {report_path}")
    if json_path:
        print(f"json:   {json_path}")


def summary_text(export: SessionExport) -> str:
    from copilot.report import clock

    m = export.metrics
    lines = [f"session {export.session.id} · {export.session.client_label} · {clock(m.duration_s)}"]
    if not export.utterances:
        lines.append("No speech was found in this recording.")
        return "\n".join(lines)
    talk = ", ".join(f"{role} {r.talk_ratio:.0%}" for role, r in m.roles.items())
    lines.append(f"{len(export.utterances)} utterances, {m.turns} turns; talk share: {talk}")
    s = export.summary
    if s and s.dominant_states:
        top = ", ".join(f"{d.label} {d.share:.0%}" for d in s.dominant_states[:3])
        lines.append(f"client's leading states: {top}")
    from copilot.analysis.risk import describe

    for flag in export.risk_flags:
        lines.append(f"RISK [{clock(flag.start)}] {describe.line(flag)}")
    return "\n".join(lines)


class _progress_bar:
    """A progress bar on a terminal; nothing when stderr is not one."""

    def __init__(self, total_s: float):
        self.total = total_s
        self.bar: object = None

    def __enter__(self) -> Callable[[float], None]:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=round(self.total), unit="s", desc="transcribing", leave=False)
        return self.update

    def update(self, done_s: float) -> None:
        from tqdm import tqdm

        if isinstance(self.bar, tqdm):
            self.bar.update(min(round(done_s), round(self.total)) - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        from tqdm import tqdm

        if isinstance(self.bar, tqdm):
            self.bar.close()


def sessions(args: argparse.Namespace) -> int:
    from copilot.report import clock

    store = SessionStore()
    try:
        found = store.list_sessions(client=args.client, query=args.search, status=args.status)
    finally:
        store.close()
    if not found:
        print("no sessions")
    for s in found:
        print(
            f"{s.id}  {s.created_at:%Y-%m-%d %H:%M}  {clock(s.duration_s):>8}  "
            f"{s.status:<11} {s.client_label}"
        )
    return 0


def show(args: argparse.Namespace) -> int:
    from copilot.report import clock

    store = SessionStore()
    try:
        session = store.get(args.session_id)
        for u in store.utterances(session.id):
            print(f"[{clock(u.start)}] {u.role}: {u.text}")
    finally:
        store.close()
    return 0


def export(args: argparse.Namespace) -> int:
    from copilot.analysis.run import build_export
    from copilot.report import write_json, write_report

    if not args.json and not args.report:
        raise CopilotError("export needs --json OUT.json and/or --report OUT.html")
    store = SessionStore()
    try:
        result = build_export(store, store.get(args.session_id).id)
    finally:
        store.close()
    if args.json:
        write_json(result, args.json)
    if args.report:
        write_report(result, args.report)
    return 0


def resume(args: argparse.Namespace) -> int:
    from copilot.pipeline import AnalyzeOptions
    from copilot.pipeline import resume as resume_session

    store = SessionStore()
    try:
        store.mark_orphans_incomplete()
        session = store.get(args.session_id)
        if session.source == "live":
            result = _recover_live(store, session.id)
        else:
            with _progress_bar(session.duration_s or 0.0) as progress:
                options = AnalyzeOptions(chunk_s=Settings.load().chunk_seconds)
                result = resume_session(store, session.id, options, progress)
        _deliver(result, args.json, args.report)
    finally:
        store.close()
    return 0


def _recover_live(store: SessionStore, session_id: str) -> Analysed:
    """A live session cut short: keep every utterance it stored, and analyse them."""
    from copilot.analysis.run import analyse_session

    if store.get(session_id).status == "complete":
        raise CopilotError(f"session {session_id} is already complete")
    return analyse_session(store, session_id, audio_path=None)


def discard(args: argparse.Namespace) -> int:
    store = SessionStore()
    try:
        store.mark_orphans_incomplete()
        session = store.get(args.session_id)
        if session.status not in ("incomplete", "in_progress"):
            raise CopilotError(f"session {session.id} is {session.status}; use `delete` for that")
        store.delete(session.id)
    finally:
        store.close()
    print(f"discarded {session.id}")
    return 0


def delete(args: argparse.Namespace) -> int:
    store = SessionStore()
    try:
        session = store.get(args.session_id)
        store.delete(session.id)
    finally:
        store.close()
    print(f"deleted {session.id}")
    return 0


def devices(args: argparse.Namespace) -> int:
    from copilot.audio.capture import list_devices

    settings = Settings.load()
    for d in list_devices():
        marks = [
            m
            for m, dev in (("mic", settings.mic_device), ("call", settings.call_device))
            if dev == d.name
        ]
        tag = f"  <- remembered {'/'.join(marks)}" if marks else ""
        print(
            f"{d.index:>3}  {d.name}  ({d.hostapi}, {d.max_input_channels} ch, "
            f"{d.default_samplerate:.0f} Hz){tag}"
        )
    try:
        from copilot.audio.pulse import pulse_sources
    except ImportError:
        return 0
    for name in pulse_sources():
        print(f"  -  {name}  (PulseAudio source)")
    return 0


def live(args: argparse.Namespace) -> int:
    from copilot.live_cli import run_live

    return run_live(args)


def window(args: argparse.Namespace) -> int:
    from copilot.window import open_window

    return open_window()


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "analyze": analyze,
    "demo": demo,
    "devices": devices,
    "live": live,
    "sessions": sessions,
    "show": show,
    "export": export,
    "resume": resume,
    "discard": discard,
    "delete": delete,
    "window": window,
}
