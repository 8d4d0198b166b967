"""Cut recognised text at the speaker's real pauses.

With VAD on, faster-whisper joins a channel's speech stretches before decoding: Whisper reads
more context that way and recognises short turns far better than one by one, but a segment can
then run across a pause in which the other side spoke. Word times are restored to the real
timeline, so each word is given to the stretch of speech (region) it falls in, and each region's
words become one segment: one utterance per stretch of talk.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copilot.domain import Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.hallucinations import join_words

Region = tuple[float, float]  # start, end in seconds on the session's timeline


def region_of(word: Word, regions: Sequence[Region]) -> int:
    """The region holding the word's midpoint, else the nearest one."""
    mid = (word.start + word.end) / 2
    gaps = [0.0 if lo <= mid <= hi else min(abs(mid - lo), abs(mid - hi)) for lo, hi in regions]
    return int(np.argmin(gaps))


def split_by_regions(segments: Sequence[AsrSegment], regions: Sequence[Region]) -> list[AsrSegment]:
    if not regions:
        return list(segments)
    groups: list[tuple[int, list[tuple[Word, AsrSegment]]]] = []
    out: list[AsrSegment] = []
    for seg in segments:
        if not seg.words:
            out.extend(_finish(groups))
            groups = []
            out.append(seg)
            continue
        for word in seg.words:
            index = region_of(word, regions)
            if groups and groups[-1][0] == index:
                groups[-1][1].append((word, seg))
            else:
                groups.append((index, [(word, seg)]))
    out.extend(_finish(groups))
    return out


def _finish(groups: list[tuple[int, list[tuple[Word, AsrSegment]]]]) -> list[AsrSegment]:
    return [_segment(items) for _index, items in groups]


def _segment(items: list[tuple[Word, AsrSegment]]) -> AsrSegment:
    words = [w for w, _ in items]
    sources = list({id(s): s for _, s in items}.values())
    return AsrSegment(
        start=words[0].start,
        end=words[-1].end,
        text=join_words(words),
        words=words,
        avg_logprob=float(np.mean([s.avg_logprob for s in sources])),
        no_speech_prob=min(s.no_speech_prob for s in sources),
        compression_ratio=max(s.compression_ratio for s in sources),
    )
