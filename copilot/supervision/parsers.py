"""Reading transcript files into speaker-attributed cues: WebVTT, SRT, plain text and DOCX.

WebVTT and SRT go through webvtt-py, DOCX through python-docx; what is left to this module is
finding the speaker in each cue:
- WebVTT voice tags (`<v Jane Doe>Hello`, as Teams writes them);
- a `Name: text` prefix (as Zoom writes them, in VTT and SRT alike);
- plain text and DOCX paragraphs, one cue each: `Name: text` or `[mm:ss] Name: text`
  (`[h:mm:ss]` too), a line without a prefix continuing the cue before it; and DOCX transcripts
  that put a heading line `Name  0:03` above the paragraphs that person said.

Meeting tools cut a long turn into short cues, often mid-sentence ("How have things been" /
"this week?"). A cue that does not end a sentence is joined with the same speaker's next cue when
it follows within JOIN_GAP_S, so each utterance is whole for the analysis and the reader.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.domain import TranscriptFormat
from copilot.errors import InputFileError
from copilot.supervision.formats import format_from

SUFFIXES: dict[str, TranscriptFormat] = {
    ".vtt": "vtt",
    ".webvtt": "vtt",
    ".srt": "srt",
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
}
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_NAME = r"[^\W\d_][\w .,'’()&-]{0,59}?"
_PREFIX = re.compile(rf"^\s*(?P<name>{_NAME})\s*:\s+(?P<text>\S.*)$")
_TIMED_LINE = re.compile(rf"^\s*[\[(]?(?P<t>{_CLOCK})[\])]?\s*(?:-\s*)?(?P<rest>.*)$")
# A heading is a capitalised name of up to four words and a time, alone on its line.
_WORD = r"[A-Z][\w.,'’-]*"
_HEADING = re.compile(rf"^\s*(?P<name>{_WORD}(?: {_WORD}){{0,3}})\s+(?P<t>{_CLOCK})\s*$")


JOIN_GAP_S = 1.5
_SENTENCE_END = re.compile(r"[.?!…][\"”’)\]]*$")


@dataclass
class Cue:
    speaker: str | None
    text: str
    start: float | None = None
    end: float | None = None


@dataclass
class ParsedTranscript:
    format: TranscriptFormat
    cues: list[Cue]

    @property
    def timed(self) -> bool:
        return bool(self.cues) and all(c.start is not None for c in self.cues)

    def speakers(self) -> list[str]:
        """In order of first appearance."""
        return list(dict.fromkeys(c.speaker for c in self.cues if c.speaker))


def format_of(path: Path, given: str | None = None) -> TranscriptFormat:
    unknown = (
        "{name} is not a transcript this program reads: use a .vtt, .srt, .txt or .docx file "
        "(or say which with --format)"
    )
    return format_from(path, given, SUFFIXES, unknown, InputFileError)


def parse_file(path: Path, given: str | None = None) -> ParsedTranscript:
    """The cues of a transcript file; any problem with the file is one InputFileError line."""
    fmt = format_of(path, given)
    if not path.exists():
        raise InputFileError(f"{path} does not exist")
    if not path.is_file():
        raise InputFileError(f"{path} is not a file")
    if path.stat().st_size == 0 or (fmt != "docx" and not path.read_bytes().strip()):
        raise InputFileError(f"{path.name} is empty")
    if (
        fmt == "txt"
        and given is None
        and path.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT")
    ):
        fmt = "vtt"  # a WebVTT file saved as .txt
    reader = {"vtt": _vtt, "srt": _srt, "txt": _txt, "docx": _docx}[fmt]
    cues = join_split_sentences([c for c in reader(path) if c.text.strip()])
    if not cues and fmt in ("vtt", "srt"):
        raise InputFileError(f"{path.name} holds no captions")
    parsed = ParsedTranscript(fmt, cues)
    if not parsed.speakers():
        raise InputFileError(
            f"{path.name} names no speakers: each cue or line needs `Name: text` "
            "(or a WebVTT voice tag)"
        )
    return parsed


def join_split_sentences(cues: list[Cue]) -> list[Cue]:
    out: list[Cue] = []
    for cue in cues:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.speaker is not None
            and prev.speaker == cue.speaker
            and not _SENTENCE_END.search(prev.text)
            and _within(prev, cue)
        ):
            prev.text = f"{prev.text} {cue.text}"
            prev.end = cue.end if cue.end is not None else prev.end
        else:
            out.append(Cue(cue.speaker, cue.text, cue.start, cue.end))
    return out


def _within(prev: Cue, cue: Cue) -> bool:
    if cue.start is None or prev.start is None:
        return cue.start is None and prev.start is None
    return cue.start - (prev.end if prev.end is not None else prev.start) <= JOIN_GAP_S


def _text_of(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, which older subtitle
    and meeting tools still write."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{path.name} is neither UTF-8 nor Windows-1252 text")


def _caption_cues(captions: list[Any]) -> list[Cue]:
    cues = []
    for caption in captions:
        voice = caption.voice
        text = " ".join(str(caption.text).split())
        speaker, text = (voice.strip(), text) if voice else _split_prefix(text)
        cues.append(
            Cue(
                speaker=speaker,
                text=text,
                start=caption.start_time.in_milliseconds() / 1000,
                end=caption.end_time.in_milliseconds() / 1000,
            )
        )
    return cues


def _vtt(path: Path) -> list[Cue]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text = _text_of(path)
    try:
        found = webvtt.from_string(text)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise InputFileError(f"{path.name} is not a WebVTT file: {exc}".splitlines()[0]) from exc
    return _caption_cues(list(found.captions))


def _srt(path: Path) -> list[Cue]:
    import io

    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text = _text_of(path)
    try:
        found = webvtt.from_buffer(io.StringIO(text), format="srt")
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        raise InputFileError(f"{path.name} is not an SRT file: {exc}".splitlines()[0]) from exc
    return _caption_cues(list(found.captions))


def _split_prefix(text: str) -> tuple[str | None, str]:
    match = _PREFIX.match(text)
    if match is None:
        return None, text.strip()
    return match["name"].strip(), match["text"].strip()


def seconds(clock: str) -> float:
    parts = clock.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _txt(path: Path) -> list[Cue]:
    return lines_to_cues(_text_of(path).splitlines())


def lines_to_cues(lines: list[str]) -> list[Cue]:
    """`Name: text` or `[mm:ss] Name: text` per line; a heading `Name  0:03` names the speaker of
    the lines under it; any other line continues the cue before it (or, before the first
    speaker, is a title and is left out)."""
    cues: list[Cue] = []
    heading: tuple[str, float] | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        head = _HEADING.match(line)
        if head and not _PREFIX.match(line):
            heading = (head["name"].strip(), seconds(head["t"]))
            continue
        start, rest = _leading_time(line)
        speaker, text = _split_prefix(rest)
        if speaker is not None:
            cues.append(Cue(speaker, text, start))
        elif heading is not None:
            cues.append(Cue(heading[0], rest, heading[1] if start is None else start))
            heading = None
        elif cues:
            cues[-1].text = f"{cues[-1].text} {rest}"
        # a line before the first speaker is a title or a preamble: not the session
    return cues


def _leading_time(line: str) -> tuple[float | None, str]:
    match = _TIMED_LINE.match(line)
    if match is None or not match["rest"].strip():
        return None, line
    return seconds(match["t"]), match["rest"].strip()


def _docx(path: Path) -> list[Cue]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(f"{path.name} is not a readable DOCX file") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # some exports lay the transcript out as a table
        for row in table.rows:
            lines.append(": ".join(cell.text.strip() for cell in row.cells if cell.text.strip()))
    return lines_to_cues(lines)
