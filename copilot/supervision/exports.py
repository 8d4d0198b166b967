"""A session for the record: the transcript as Markdown, plain text, DOCX or WebVTT (speakers and
times), and the analysis as Markdown. Redaction, when asked for, is the share bundle's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from copilot.domain import RoleMetrics, SessionExport, Utterance
from copilot.errors import CopilotError
from copilot.report import write_atomic
from copilot.storage.repository import SessionStore
from copilot.supervision.formats import format_from
from copilot.timefmt import clock

ExportFormat = Literal["md", "txt", "docx", "vtt"]
SUFFIXES: dict[str, ExportFormat] = {
    ".md": "md", ".markdown": "md", ".txt": "txt", ".docx": "docx", ".vtt": "vtt",
}  # fmt: skip
ROLE_NAMES = {"therapist": "Therapist", "client": "Client", "unknown": "Speaker"}


def format_for(path: Path, given: str | None) -> ExportFormat:
    return format_from(
        path, given, SUFFIXES, "{name}: name it .md, .txt, .docx or .vtt, or give --format"
    )


def speaker(u: Utterance) -> str:
    return u.speaker or ROLE_NAMES.get(u.role, u.role)


def _heading(export: SessionExport) -> str:
    s = export.session
    return f"{s.client_label} · {s.created_at:%Y-%m-%d} · {clock(export.metrics.duration_s)}"


def _timing_note(export: SessionExport) -> str | None:
    if export.session.times_estimated:
        return "Times are estimated from word counts: the imported file had none."
    return None


def transcript_markdown(export: SessionExport) -> str:
    lines = [f"# Transcript: {_heading(export)}", ""]
    if note := _timing_note(export):
        lines += [f"_{note}_", ""]
    for u in export.utterances:
        lines.append(f"**[{clock(u.start)}] {speaker(u)}:** {u.text}  ")
    return "\n".join(lines).rstrip() + "\n"


def transcript_text(export: SessionExport) -> str:
    lines = [f"Transcript: {_heading(export)}", ""]
    if note := _timing_note(export):
        lines += [note, ""]
    lines += [f"[{clock(u.start)}] {speaker(u)}: {u.text}" for u in export.utterances]
    return "\n".join(lines) + "\n"


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def transcript_vtt(export: SessionExport) -> str:
    """Voice tags name the speaker, as Teams writes them; `import` reads this back."""
    lines = ["WEBVTT", ""]
    if note := _timing_note(export):
        lines += [f"NOTE {note}", ""]
    for i, u in enumerate(export.utterances, 1):
        text = " ".join(u.text.split()).replace("<", "‹").replace(">", "›")
        who = speaker(u).replace(">", "")
        lines += [str(i), f"{_vtt_time(u.start)} --> {_vtt_time(max(u.end, u.start + 0.001))}"]
        lines += [f"<v {who}>{text}", ""]
    return "\n".join(lines)


def write_docx(export: SessionExport, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(f"Transcript: {_heading(export)}", level=1)
    if note := _timing_note(export):
        document.add_paragraph().add_run(note).italic = True
    for u in export.utterances:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"[{clock(u.start)}] {speaker(u)}: ").bold = True
        paragraph.add_run(u.text)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        document.save(str(path))
    except OSError as exc:
        raise CopilotError(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_transcript(export: SessionExport, path: Path, fmt: ExportFormat) -> None:
    if fmt == "docx":
        write_docx(export, path)
        return
    render = {"md": transcript_markdown, "txt": transcript_text, "vtt": transcript_vtt}[fmt]
    write_atomic(path, render(export))


def write_record(
    store: SessionStore,
    session_id: str,
    out: Path | None,
    fmt: str | None = None,
    analysis: Path | None = None,
    redact_names: list[str] | None = None,
) -> list[Path]:
    """The transcript and/or the analysis of a stored session, redacted when `redact_names` is
    given (an empty list still redacts the kept names and the patterns). Returns what was
    written."""
    from copilot.analysis.run import build_export
    from copilot.supervision.redact import names_for, redact_export

    if out is None and analysis is None:
        raise CopilotError("say where to write the transcript and/or the analysis")
    kind = format_for(out, fmt) if out is not None else None
    export = build_export(store, store.get(session_id).id)
    if redact_names is not None:
        names = names_for(store, export.session.id, redact_names)
        export, _ = redact_export(export, names)
    written = []
    if out is not None and kind is not None:
        write_transcript(export, out, kind)
        written.append(out)
    if analysis is not None:
        write_atomic(analysis, analysis_markdown(export))
        written.append(analysis)
    return written


def _unavailable(export: SessionExport, name: str) -> bool:
    return name in export.metrics.unavailable


def analysis_markdown(export: SessionExport) -> str:
    """The analysis for the record: observations with their evidence, never a diagnosis."""
    lines = [f"# Session analysis: {_heading(export)}", ""]
    s = export.session
    if s.imported_from:
        lines.append(f"Imported from a transcript ({s.imported_from}); no audio.")
    if s.diarization:
        lines.append(f"Roles: {s.diarization}.")
    if s.consent:
        c = s.consent
        lines.append(f"Consent: {c.method}, by {c.given_by}, {c.recorded_at:%Y-%m-%d}.")
    lines += ["", *_metrics_lines(export), *_summary_lines(export), *_risk_lines(export)]
    lines += [
        "",
        "_Observations for the therapist's judgement, not a diagnosis. A field without "
        "evidence is left empty, never read as an absence._",
    ]
    return "\n".join(lines) + "\n"


def _metrics_lines(export: SessionExport) -> list[str]:
    m = export.metrics
    na = "not available"
    lines = ["## Talk and silence", "", "| | " + " | ".join(ROLE_NAMES.get(r, r) for r in m.roles)]
    lines.append("|---" * (len(m.roles) + 1) + "|")
    rows: tuple[tuple[str, str, Callable[[RoleMetrics], str]], ...] = (
        ("Words", "words", lambda r: str(r.words)),
        ("Turns", "turns", lambda r: str(r.turns)),
        ("Talk share", "talk_ratio", lambda r: f"{r.talk_ratio:.0%}"),
        (
            "Words per minute",
            "words_per_minute",
            lambda r: "–" if r.words_per_minute is None else f"{r.words_per_minute:.0f}",
        ),
    )
    for label, name, show in rows:
        cells = [na if _unavailable(export, f"roles.{name}") else show(r) for r in m.roles.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    facts = [
        f"silence: {na if _unavailable(export, 'silence_ratio') else f'{m.silence_ratio:.0%}'}",
        f"pauses within turns: {na if _unavailable(export, 'pauses') else m.pauses}",
        f"voice (prosody): {na if _unavailable(export, 'prosody') else 'see the report'}",
    ]
    if m.therapist_question_share is not None:
        facts.append(f"therapist turns that asked: {m.therapist_question_share:.0%}")
    return [*lines, "", "; ".join(facts) + ".", ""]


def _summary_lines(export: SessionExport) -> list[str]:
    s = export.summary
    if s is None:
        return ["## Summary", "", "No summary.", ""]
    lines = ["## Summary", ""]
    if s.narrative:
        lines += [s.narrative, ""]
    lines += [f"- {o}" for o in s.observations]
    if s.dominant_states:
        lines += ["", "States that led in the client's talk: "
                  + ", ".join(f"{d.label} {d.share:.0%}" for d in s.dominant_states)]  # fmt: skip
    if s.key_moments:
        lines += ["", "## Key moments", ""]
        lines += [
            f"- [{clock(k.start)}] {k.kind}, {k.state}: “{k.quote}” — {k.observation}"
            for k in s.key_moments
        ]
    if s.needs_map and s.needs_map.position is not None:
        lines += ["", f"Needs map: {s.needs_map.position:+.2f} (−1 practical tools, +1 connection)"]
    return [*lines, ""]


def _risk_lines(export: SessionExport) -> list[str]:
    lines = ["## Risk language", ""]
    if not export.risk_flags:
        return [*lines, "No risk language was flagged. That is not evidence of its absence."]
    for f in export.risk_flags:
        marks = ", negated" if f.negated else ""
        marks += ", reported speech" if f.reported_speech else ""
        lines.append(
            f"- [{clock(f.start)}] {f.category.replace('_', ' ')} ({f.severity}{marks}): "
            f"“{f.quote}”"
        )
    return lines
