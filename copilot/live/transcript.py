"""The live transcript: the finals so far, numbered in order, shared by the worker and reviser."""

from __future__ import annotations

import threading

from copilot.domain import Role, Utterance, Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.revision import Final, revised
from copilot.transcription.utterances import to_utterance


class Transcript:
    def __init__(self) -> None:
        self.utterances: list[Utterance] = []
        self.lock = threading.Lock()

    def append(
        self, role: Role, segments: list[AsrSegment]
    ) -> tuple[Utterance, Utterance | None] | None:
        """A new final from its segments; returns it and the utterance before it (None when
        the segments hold no words)."""
        with self.lock:
            utterance = to_utterance(segments, len(self.utterances), role)
            if utterance is None or not utterance.words:
                return None
            previous = self.utterances[-1] if self.utterances else None
            self.utterances.append(utterance)
        return utterance, previous

    def recent(self, count: int) -> list[Utterance]:
        with self.lock:
            return self.utterances[-count:]

    def revise(
        self, finals: list[Final], words: dict[int, list[Word]]
    ) -> list[tuple[str, Utterance]]:
        """Give each final the second pass's words; returns (text before, revised) per change."""
        changed: list[tuple[str, Utterance]] = []
        with self.lock:
            for final in finals:
                before = self.utterances[final.seq]
                after = revised(before, words.get(final.seq, []))
                if after is not None:
                    self.utterances[final.seq] = after
                    changed.append((before.text, after))
        return changed
