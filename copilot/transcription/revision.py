"""The live session's second pass: a speaker's recent talk decoded again as a recording is.

A live final is decoded within a second of the speaker stopping, greedily and with only their
last few seconds in front of it. Once REVISE_AFTER_S of one speaker's finals have gathered, that
stretch of their channel is decoded again as `analyze` decodes a recording (beam search, speech
joined across the pauses, every word heard with what comes after it as well as before), and the
finals it covers take the revised words. The first text still arrives within a second; its
revision follows once the window is full. On the project's generated 9.4-minute session played
through the audio rig in real time (scripts/bench_live.py, median of three runs), the finals read
at WER 0.089 and their revision at 0.058, beside 0.057 for `analyze` of the audio the session
captured.

Pure logic: which finals are due, and which revised words belong to which final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import takewhile

import numpy as np

from copilot.domain import Utterance, Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.hallucinations import join_words

# This much of one speaker's finals (their audio, the pauses at their edges included) is decoded
# again at once: most of one 30 s Whisper window. With scripts/eval_live_decode.py on six 9.4-min
# sessions (three as the audio rig captured them, three generated with noise at -70 dB), the
# revised WER over `analyze`'s averaged 1.02 at 27 s against 1.14 at 20 s; on the three captured
# ones 1.04 at 27 s, 1.20 at 20 s, 1.17 at 24 s, 1.45 at 31 s. Closing a window before its
# finals pass 30 s instead (never more than one window) averaged 1.07.
REVISE_AFTER_S = 27.0
# A revised line should reach the therapist within 30 s of its turn. Waiting for 27 s of one
# speaker's speech did not: with turns alternating, a speaker gathers it in about a minute, and
# the first line of a window waited that long (revised-line p95 55-71 s on the rig). So a final
# is due at the latest once it ended MAX_WAIT_S ago, and the window still reads REVISE_AFTER_S of
# the speaker's speech, the finals revised before it serving as context. A window closed on the
# newest final read it with nothing after it, and those finals read worst: on the rig, with an
# 18 s limit, the stored transcript's WER over `analyze` was 1.53 / 1.69 (espeak / real voices)
# against 1.10 / 1.31 with no limit. So the finals that ended less than HEAR_AHEAD_S ago stay for
# a later window, and the window runs on to the newest audio: every revised final is read with
# the speaker's speech after it. scripts/eval_live_decode.py, the session's clock simulated, two
# generated 9.4-min sessions (seeds 11 / 5): revised WER over `analyze` 1.44 / 1.16 with the
# 18 s limit alone, 1.03 / 0.95 with 24 s and 8 s ahead (1.15 on the first with no limit); revised
# lines p95 20 s -> 26.5 s after their turn; 49 -> 56 and 46 -> 55 windows.
MAX_WAIT_S = 24.0
HEAR_AHEAD_S = 8.0
# The audio is read back from the session's ring, which keeps 120 s.
MAX_SPAN_S = 80.0


@dataclass(frozen=True)
class Final:
    """A committed live utterance and the stretch of audio its final was decoded from."""

    seq: int
    start: float
    end: float


@dataclass
class RevisionQueue:
    """One speaker's finals waiting for the second pass."""

    speech_s: float = REVISE_AFTER_S
    span_s: float = MAX_SPAN_S
    wait_s: float = MAX_WAIT_S
    ahead_s: float = HEAR_AHEAD_S
    finals: list[Final] = field(default_factory=list)
    done: list[Final] = field(default_factory=list)  # revised already: context for the next

    def add(self, final: Final) -> None:
        self.finals.append(final)

    def due(self, now: float) -> bool:
        if not self.finals:
            return False
        speech = sum(f.end - f.start for f in self.finals)
        return speech >= self.speech_s or self.overdue(now)

    def overdue(self, now: float) -> bool:
        """The oldest final can wait no longer: it ended `wait_s` ago, or its audio is about to
        leave the ring."""
        if not self.finals:
            return False
        oldest = self.finals[0]
        return now - oldest.end >= self.wait_s or now - oldest.start >= self.span_s

    def take(self, now: float = float("inf")) -> list[Final]:
        """The finals to revise now. With `ahead_s`, those that ended less than `ahead_s` ago
        stay: the window hears them after the taken ones, and they are revised in a later
        window with speech after them too."""
        settled = len(list(takewhile(lambda f: now - f.end >= self.ahead_s, self.finals)))
        cut = settled or len(self.finals)
        taken, self.finals = self.finals[:cut], self.finals[cut:]
        self.done = [*self.done, *taken][-64:]
        return taken

    def window(
        self, taken: Sequence[Final], kept_from: float, newest: float | None
    ) -> tuple[float, float]:
        """Where the window for `taken` begins (`context_start`) and ends: after the finals still
        waiting, and on to the `newest` audio the speaker has given (words with speech after
        them read better); with `newest` None (the end of the session), at the last final."""
        end = max([taken[-1].end, *(f.end for f in self.finals)])
        return self.context_start(taken, kept_from), end if newest is None else max(end, newest)

    def context_start(self, taken: Sequence[Final], kept_from: float) -> float:
        """Where the window for `taken` begins: earlier, over finals already revised, until it
        holds `speech_s` of the speaker's speech (never before the ring's oldest audio)."""
        speech = sum(f.end - f.start for f in taken)
        start = taken[0].start
        for final in reversed([f for f in self.done if f.end <= start]):
            if speech >= self.speech_s or final.start < kept_from:
                break
            speech += final.end - final.start
            start = final.start
        return start


def assign(segments: Sequence[AsrSegment], finals: Sequence[Final]) -> dict[int, list[Word]]:
    """The revised words of each final: those whose midpoint lies in its audio. Words outside
    every final's audio belong to none: the first pass heard nothing there, or only bleed."""
    found: dict[int, list[Word]] = {}
    for word in (w for seg in segments for w in seg.words):
        mid = (word.start + word.end) / 2
        final = next((f for f in finals if f.start <= mid <= f.end), None)
        if final is not None:
            found.setdefault(final.seq, []).append(word)
    return found


def revised(utterance: Utterance, words: list[Word]) -> Utterance | None:
    """The utterance with the revised words; None when the revision changes nothing, or found
    no words (the first pass's text is kept rather than lost)."""
    text = join_words(words)
    if not words or text == utterance.text:
        return None
    return utterance.model_copy(
        update={
            "start": words[0].start,
            "end": words[-1].end,
            "text": text,
            "words": words,
            "confidence": round(float(np.mean([w.probability for w in words])), 4),
        }
    )
