"""A recording's speech decoded in batches, the way faster-whisper's batched pipeline does it.

Each channel's speech regions (the bundled Silero VAD, cut at the speaker's pauses) are packed
end to end into windows of at most 30 s, silence left out, so Whisper reads a speaker's turns with
their neighbours as context; the windows of every channel of a stretch of recording are decoded
together, several at a time. Word times are then put back on the recording's timeline region by
region, and the text goes through the same steps as a sequential decode: cut at the speaker's
pauses, invented phrases and loops dropped, the other side's bleed removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.diarization.by_channel import drop_bleed
from copilot.domain import Word
from copilot.transcription.engine import AsrSegment, speech_regions
from copilot.transcription.hallucinations import clean
from copilot.transcription.regions import split_by_regions

WINDOW_S = 30.0  # Whisper's window

Span = tuple[int, int]  # sample span in one channel's audio


@runtime_checkable
class WindowDecoder(Protocol):
    """An engine that decodes many short windows of audio at once."""

    def decode_windows(self, pieces: Sequence[np.ndarray]) -> list[list[AsrSegment]]:
        """Segments of each piece (at most 30 s of mono audio), times from the piece's start."""
        ...


@dataclass(frozen=True)
class Window:
    channel: int
    regions: list[Span]

    def audio(self, channel_audio: np.ndarray) -> np.ndarray:
        return np.concatenate([channel_audio[lo:hi] for lo, hi in self.regions])

    def to_timeline(self, t: float, region: int) -> float:
        """Seconds into the packed window -> seconds into the channel's audio, inside `region`."""
        before = sum(hi - lo for lo, hi in self.regions[:region]) / SAMPLE_RATE
        return self.regions[region][0] / SAMPLE_RATE + (t - before)

    def region_at(self, t: float) -> int:
        ends = np.cumsum([hi - lo for lo, hi in self.regions]) / SAMPLE_RATE
        return min(int(np.searchsorted(ends, t, side="right")), len(self.regions) - 1)


def pack(regions: Sequence[Span], channel: int, max_s: float = WINDOW_S) -> list[Window]:
    """Regions laid end to end into windows of at most `max_s` seconds, in order."""
    limit = int(max_s * SAMPLE_RATE)
    windows: list[list[Span]] = []
    length = 0
    for lo, hi in regions:
        hi = min(hi, lo + limit)
        if windows and length + hi - lo <= limit:
            windows[-1].append((lo, hi))
            length += hi - lo
        else:
            windows.append([(lo, hi)])
            length = hi - lo
    return [Window(channel, spans) for spans in windows]


def restore(seg: AsrSegment, window: Window, offset: float) -> AsrSegment | None:
    """A decoded segment with its words back on the recording's timeline (each word kept in
    the region its middle falls in, as faster-whisper restores VAD-joined speech)."""
    words: list[Word] = []
    for w in seg.words:
        region = window.region_at((w.start + w.end) / 2)
        start = window.to_timeline(w.start, region) + offset
        end = window.to_timeline(w.end, region) + offset
        words.append(w.model_copy(update={"start": round(start, 3), "end": round(end, 3)}))
    if not words:
        return None
    return seg.model_copy(
        update={"words": words, "start": words[0].start, "end": words[-1].end, "text": seg.text}
    )


def decode(
    engine: WindowDecoder, windows: Sequence[Window], channels: Sequence[np.ndarray], offset: float
) -> list[dict[Span, list[AsrSegment]]]:
    """Each channel's decoded segments by the region their first word falls in, on the
    recording's timeline; a region no word fell in has no entry."""
    found: list[dict[Span, list[AsrSegment]]] = [{} for _ in channels]
    if not windows:
        return found
    decoded = engine.decode_windows([w.audio(channels[w.channel]) for w in windows])
    for window, segments in zip(windows, decoded, strict=True):
        for seg in segments:
            restored = restore(seg, window, offset)
            if restored is None:
                continue
            for w in seg.words:  # every region a segment's words reach has been heard
                found[window.channel].setdefault(
                    window.regions[window.region_at((w.start + w.end) / 2)], []
                )
            first = window.regions[window.region_at((seg.words[0].start + seg.words[0].end) / 2)]
            found[window.channel][first].append(restored)
    return found


def read_regions(
    engine: WindowDecoder,
    regions: Sequence[Sequence[Span]],
    channels: Sequence[np.ndarray],
    offset: float,
) -> list[dict[Span, list[AsrSegment]]]:
    """Each channel's regions packed into windows and decoded, as `decode` gives them."""
    windows = [w for ch, spans in enumerate(regions) for w in pack(spans, ch)]
    found = decode(engine, windows, channels, offset)
    # Whisper often ends a packed window early and drops its last short stretch (a "yes", a
    # "right"): each stretch left without a word is read once more on its own.
    missed = [
        Window(w.channel, [r]) for w in windows for r in w.regions if r not in found[w.channel]
    ]
    for ch, again in enumerate(decode(engine, missed, channels, offset)):
        found[ch].update(again)
    return found


def recording_segments(
    engine: WindowDecoder, channels: Sequence[np.ndarray], offset: float, bleed: bool = False
) -> list[list[AsrSegment]]:
    """Each channel's segments (mono audio each, starting at `offset` seconds), decoded in
    batches; with `bleed`, two channels each lose the words that are the other leaking in."""
    regions = [speech_regions(audio) for audio in channels]
    found = read_regions(engine, regions, channels, offset)
    out = []
    for ch, audio in enumerate(channels):
        seconds = [(offset + lo / SAMPLE_RATE, offset + hi / SAMPLE_RATE) for lo, hi in regions[ch]]
        segments = [seg for region in sorted(found[ch]) for seg in found[ch][region]]
        segments = clean(split_by_regions(segments, seconds), audio, offset)
        if bleed and len(channels) == 2:
            other = channels[1 - ch]
            kept = [drop_bleed(s, audio, other, offset) for s in segments]
            segments = [s for s in kept if s is not None]
        out.append(segments)
    return out
