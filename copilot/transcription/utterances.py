"""Recognised segments become stored utterances here, for recordings and live sessions alike."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copilot.domain import Role, Utterance
from copilot.transcription.engine import AsrSegment


def to_utterance(
    segments: Sequence[AsrSegment], seq: int, role: Role, channel: int | None = None
) -> Utterance | None:
    """One utterance of the segments' words (their text as recognised), timed by its first and
    last word; None when they hold nothing. Segments without word times keep their own."""
    text = " ".join(s.text for s in segments if s.text).strip()
    if not segments or not text:
        return None
    words = [w for s in segments for w in s.words]
    probs = [w.probability for w in words]
    return Utterance(
        seq=seq,
        role=role,
        start=words[0].start if words else segments[0].start,
        end=words[-1].end if words else segments[-1].end,
        text=text,
        words=words,
        confidence=round(float(np.mean(probs)), 4) if probs else None,
        channel=channel,
    )
