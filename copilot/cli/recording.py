"""`session-copilot analyze` and `demo`: a recording analysed end to end, offline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.cli.context import Commands, Context
from copilot.settings import Settings, report_file

if TYPE_CHECKING:
    from copilot.analysis.run import Analysed
    from copilot.domain import SessionExport
    from copilot.pipeline import AnalyzeOptions
    from copilot.storage.repository import SessionStore


HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analyze = sub.add_parser("analyze", help="analyse a recorded session, offline")
    analyze.add_argument(
        "paths",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="recordings (wav, flac, mp3, m4a, ogg/opus, webm or mp4) or folders of them; with "
        "more than one, --json and --report name folders",
    )
    _analysis_options(analyze)
    analyze.add_argument(
        "--channels", help="stereo roles: therapist,client (default) or client,therapist"
    )
    analyze.add_argument(
        "--swap-roles", action="store_true", help="mono: swap the roles diarization assigned"
    )
    analyze.add_argument(
        "--two-speakers",
        action="store_true",
        help="mono: two people are known to speak, so never judge the recording one voice",
    )
    analyze.add_argument(
        "--client-label", default="Client", metavar="ALIAS", help="the client's pseudonym"
    )

    demo = sub.add_parser("demo", help="analyse the bundled demo session (no network, no key)")
    _analysis_options(demo)


def _analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model", metavar="NAME_OR_PATH", help="tiny.en (bundled, default) or a model folder"
    )
    p.add_argument("--json", type=Path, metavar="OUT.json", help="write the JSON export here")
    p.add_argument("--report", type=Path, metavar="OUT.html", help="write the HTML report here")
    p.add_argument(
        "--analyser",
        choices=["local", "claude"],
        help="session analyser: local (default) or claude, which is sent a redacted transcript",
    )
    p.add_argument("--names", default="", help="names to redact before sending, comma-separated")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for transcription")


def _options(args: argparse.Namespace, settings: Settings) -> AnalyzeOptions:
    from copilot.pipeline import AnalyzeOptions, parse_channels

    return AnalyzeOptions(
        channels=parse_channels(args.channels) if getattr(args, "channels", None) else None,
        model=args.model or settings.asr_model,
        client_label=getattr(args, "client_label", "Client"),
        swap_roles=getattr(args, "swap_roles", False),
        speakers=2 if getattr(args, "two_speakers", False) else None,
        threads=args.threads or settings.asr_threads,
        analyser=args.analyser or settings.session_analyser,
        names=[n.strip() for n in args.names.split(",") if n.strip()],
        chunk_s=settings.chunk_seconds,
        settings=settings,
    )


AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".webm", ".mp4", ".aac", ".wma"}
)


def recordings(paths: list[Path]) -> list[Path]:
    """The files named, and the recordings inside each folder named (by their extension)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                f
                for f in path.iterdir()
                if f.is_file() and not f.name.startswith(".") and f.suffix.lower() in AUDIO_SUFFIXES
            )
        else:
            found.append(path)
    return found


@HANDLERS.command("analyze")
def analyze(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.errors import InputFileError

    options = _options(args, ctx.settings)
    paths = recordings(args.paths)
    if not paths:
        raise InputFileError(f"no recordings found in {', '.join(map(str, args.paths))}")
    if len(paths) == 1 and not args.paths[0].is_dir():
        return _analyze_one(paths[0], options, ctx.store, args.json, args.report)
    return _analyze_many(paths, options, ctx.store, args.json, args.report)


def _analyze_one(
    path: Path,
    options: AnalyzeOptions,
    store: SessionStore,
    json_path: Path | None,
    report_path: Path | None,
) -> int:
    from copilot.audio.files import probe
    from copilot.pipeline import analyze_file

    info = probe(path)  # a bad path fails before anything opens
    with progress_bar(info.duration_s) as progress:
        result = analyze_file(path, options, store, progress)
    deliver(result, json_path, report_path)
    return 0


def _analyze_many(
    paths: list[Path],
    options: AnalyzeOptions,
    store: SessionStore,
    json_dir: Path | None,
    report_dir: Path | None,
) -> int:
    """Each recording in turn, one store and one model for all; a file that fails is named in
    one line and the others are still analysed. Exit code 2 when any failed."""
    from copilot.audio.files import probe
    from copilot.errors import CopilotError
    from copilot.pipeline import analyze_file

    for folder in (json_dir, report_dir):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    failed: list[Path] = []
    with overall_bar(len(paths)) as overall:
        for path in paths:
            try:
                info = probe(path)
                with progress_bar(info.duration_s, desc=path.name, position=1) as progress:
                    result = analyze_file(path, options, store, progress)
                print(f"== {path}")
                deliver(
                    result, _inside(json_dir, path, ".json"), _inside(report_dir, path, ".html")
                )
            except CopilotError as exc:
                failed.append(path)
                text = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
                print(f"session-copilot: failed: {text}", file=sys.stderr)
            overall()
    done = len(paths) - len(failed)
    print(
        f"analysed {done} of {len(paths)} recordings"
        + (f"; failed: {', '.join(map(str, failed))}" if failed else "")
    )
    return 2 if failed else 0


def _inside(folder: Path | None, path: Path, suffix: str) -> Path | None:
    return None if folder is None else folder / f"{path.stem}{suffix}"


@HANDLERS.command("demo")
def demo(args: argparse.Namespace, ctx: Context) -> int:
    args.paths = [Path(__file__).resolve().parents[1] / "demo" / "demo_session.ogg"]
    args.client_label = "Demo client"
    return analyze(args, ctx)


def deliver(result: Analysed, json_path: Path | None, report_path: Path | None) -> None:
    from copilot.report import write_json, write_report, write_sealed_report
    from copilot.storage.keys import home_key

    export = result.export
    if report_path is None:
        write_sealed_report(export, report_file(export.session.id), home_key())
    else:
        write_report(export, report_path)
    if json_path:
        write_json(export, json_path)
    for notice in result.notices:
        print(f"session-copilot: {notice}", file=sys.stderr)
    print(summary_text(export))
    if report_path is None:
        print(f"report: kept encrypted; `session-copilot export {export.session.id} "
              "--report OUT.html` writes a readable copy")  # fmt: skip
    else:
        print(f"report: {report_path}")
    if json_path:
        print(f"json:   {json_path}")


def summary_text(export: SessionExport) -> str:
    from copilot.timefmt import clock

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
    elif s and s.states_unclear:
        lines.append("client's leading states: mixed / unclear")
    from copilot.analysis.risk import describe

    for flag in export.risk_flags:
        lines.append(f"RISK [{clock(flag.start)}] {describe.line(flag)}")
    return "\n".join(lines)


class progress_bar:
    """A progress bar on a terminal; nothing when stderr is not one."""

    def __init__(self, total_s: float, desc: str = "transcribing", position: int = 0):
        self.total, self.desc, self.position = total_s, desc, position
        self.bar: object = None

    def __enter__(self) -> Callable[[float], None]:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=round(self.total),
                unit="s",
                desc=self.desc,
                leave=False,
                position=self.position,
            )
        return self.update

    def update(self, done_s: float) -> None:
        from tqdm import tqdm

        if isinstance(self.bar, tqdm):
            self.bar.update(min(round(done_s), round(self.total)) - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        from tqdm import tqdm

        if isinstance(self.bar, tqdm):
            self.bar.close()


class overall_bar:
    """Recordings done out of all of them, above each recording's own bar (a terminal only)."""

    def __init__(self, count: int):
        self.inner = progress_bar(count, desc="recordings", position=0)
        self.done = 0

    def __enter__(self) -> Callable[[], None]:
        update = self.inner.__enter__()

        def one_more() -> None:
            self.done += 1
            update(self.done)

        return one_more

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)
