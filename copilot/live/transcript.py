"""The live transcript: the finals so far, numbered in order, shared by the worker and reviser."""

from __future__ import annotations

import threading

import numpy as np

from copilot.domain import Role, Utterance, Word
from copilot.transcription.hallucinations import join_words
from copilot.transcription.revision import Final, revised


class Transcript:
    def __init__(self) -> None:
        self.utterances: list[Utterance] = []
        self.lock = threading.Lock()

    def append(self, role: Role, words: list[Word]) -> tuple[Utterance, Utterance | None]:
        """A new final from its words; returns it and the utterance before it."""
        with self.lock:
            utterance = Utterance(
                seq=len(self.utterances),
                role=role,
                start=words[0].start,
                end=words[-1].end,
                text=join_words(words),
                words=words,
                confidence=round(float(np.mean([w.probability for w in words])), 4),
            )
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
