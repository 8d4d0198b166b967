"""Transcript files in every format the import reads, written from one timed dialogue.

The dialogue is the project's own (fictional client; names invented here), so each format can be
checked against the same speakers and times.
"""

from __future__ import annotations

from pathlib import Path

THERAPIST, CLIENT = "Dr Mira Okafor", "Rebecca Lind"
# (speaker, start s, end s, text)
CUES: list[tuple[str, float, float, str]] = [
    (THERAPIST, 1.0, 4.0, "How has the week been for you, Rebecca?"),
    (CLIENT, 5.0, 11.5, "Honestly I feel flat most of the time, and lonely in the evenings."),
    (THERAPIST, 12.0, 15.0, "Flat and lonely. What happens in the evenings?"),
    (CLIENT, 16.0, 24.0, "Sometimes I think everyone would be better off without me."),
    (THERAPIST, 25.0, 29.5, "Thank you for telling me. Can we stay with that for a moment?"),
    (CLIENT, 30.0, 38.0, "Yes. You can reach me on 07700 900123, my sister Ilse knows too."),
    (THERAPIST, 39.0, 42.0, "What would help most this week?"),
    (CLIENT, 43.0, 50.0, "Talking helps. I feel a little better now, a bit of relief."),
]


def clock(t: float, sep: str = ".") -> str:
    ms = round(t * 1000)
    return (
        f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
    )


def vtt_voice(folder: Path) -> Path:
    lines = ["WEBVTT", ""]
    for i, (who, a, b, text) in enumerate(CUES, 1):
        lines += [str(i), f"{clock(a)} --> {clock(b)}", f"<v {who}>{text}</v>", ""]
    return _write(folder / "teams.vtt", lines)


def vtt_prefix(folder: Path) -> Path:
    lines = ["WEBVTT", ""]
    for i, (who, a, b, text) in enumerate(CUES, 1):
        lines += [str(i), f"{clock(a)} --> {clock(b)}", f"{who}: {text}", ""]
    return _write(folder / "zoom.vtt", lines)


def srt(folder: Path) -> Path:
    lines: list[str] = []
    for i, (who, a, b, text) in enumerate(CUES, 1):
        lines += [str(i), f"{clock(a, ',')} --> {clock(b, ',')}", f"{who}: {text}", ""]
    return _write(folder / "call.srt", lines)


def txt_timed(folder: Path) -> Path:
    lines = [f"[{int(a) // 60:02d}:{int(a) % 60:02d}] {who}: {text}" for who, a, _b, text in CUES]
    return _write(folder / "timed.txt", lines)


def txt_plain(folder: Path) -> Path:
    return _write(folder / "plain.txt", [f"{who}: {text}" for who, _a, _b, text in CUES])


def docx_file(folder: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Session transcript", level=1)
    for who, a, _b, text in CUES:
        document.add_paragraph(f"[{int(a) // 60:02d}:{int(a) % 60:02d}] {who}: {text}")
    path = folder / "notes.docx"
    document.save(str(path))
    return path


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
