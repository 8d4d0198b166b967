"""Two-speaker diarization of a mono recording, offline and without a neural speaker model.

Words are grouped into short blocks at pauses; each block gets a voice vector (pitch level and
MFCC timbre); the blocks are split into two voices by weighted k-means; consecutive blocks of one
voice become utterances. Roles follow a stated rule (see ROLE_RULE); the UI and CLI can swap them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from copilot.audio.features import SpanAcoustics, measure, span
from copilot.domain import Role, Utterance, Word
from copilot.transcription.hallucinations import join_words

ROLE_RULE = (
    "mono recording: two voices told apart by pitch and timbre; the voice with the larger share "
    "of questions is taken as the therapist (on a tie, the voice heard first)"
)
ONE_VOICE_RULE = "mono recording: one voice found; its role is unknown"
BLOCK_GAP_S = 0.3
BLOCK_MAX_S = 3.0
MERGE_GAP_S = 1.5
PAD_S = 0.1
# Pitch is repeated so that it weighs half as much as the 24 timbre dimensions together: with
# less, the timbre of short blocks ("It is.") outvotes a clear difference in voice height.
PITCH_DIMS = 12
# Two clusters count as two voices only when they differ this much in pitch (semitones) or in
# timbre (mean Fisher ratio over the MFCC statistics) and each has some talk of its own.
TWO_VOICE_MIN_PITCH_ST = 2.0
TWO_VOICE_MIN_TIMBRE_FISHER = 0.6
VOICE_MIN_BLOCKS = 3
VOICE_MIN_TALK_S = 6.0


@dataclass
class Block:
    words: list[Word]
    segment: int
    acoustics: SpanAcoustics | None = None
    speaker: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end


def make_blocks(segments: Sequence[Sequence[Word]]) -> list[Block]:
    blocks: list[Block] = []
    for index, words in enumerate(segments):
        current: list[Word] = []
        for word in words:
            if current and (
                word.start - current[-1].end >= BLOCK_GAP_S
                or word.end - current[0].start > BLOCK_MAX_S
            ):
                blocks.append(Block(current, index))
                current = []
            current.append(word)
        if current:
            blocks.append(Block(current, index))
    return blocks


def measure_blocks(blocks: list[Block], audio: np.ndarray, offset: float) -> None:
    for block in blocks:
        block.acoustics = measure(span(audio, block.start - PAD_S, block.end + PAD_S, offset))


def voice_vectors(blocks: Sequence[Block]) -> np.ndarray:
    pitches = [b.acoustics.pitch_hz for b in blocks if b.acoustics and b.acoustics.pitch_hz]
    default = float(np.median(pitches)) if pitches else 150.0
    rows = []
    for b in blocks:
        assert b.acoustics is not None
        pitch = np.log2(b.acoustics.pitch_hz or default)
        rows.append(np.concatenate([[pitch] * PITCH_DIMS, b.acoustics.timbre]))
    matrix = np.array(rows)
    spread = matrix.std(axis=0)
    return np.asarray((matrix - matrix.mean(axis=0)) / np.where(spread > 1e-9, spread, 1.0))


def two_means(x: np.ndarray, weights: np.ndarray, iterations: int = 30) -> np.ndarray:
    """Labels for two clusters by weighted k-means, started from the two farthest points."""
    if len(x) < 2:
        return np.zeros(len(x), dtype=int)
    first = int(np.argmax(np.linalg.norm(x - x.mean(axis=0), axis=1)))
    second = int(np.argmax(np.linalg.norm(x - x[first], axis=1)))
    centres = x[[first, second]].copy()
    labels = np.zeros(len(x), dtype=int)
    for _ in range(iterations):
        distances = np.linalg.norm(x[:, None, :] - centres[None, :, :], axis=2)
        new = np.argmin(distances, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for k in (0, 1):
            members = labels == k
            if members.any():
                centres[k] = np.average(x[members], axis=0, weights=weights[members])
    return labels


def distinct_voices(blocks: Sequence[Block], labels: np.ndarray) -> bool:
    groups = [[b for b, lab in zip(blocks, labels, strict=True) if lab == k] for k in (0, 1)]
    for group in groups:
        talk = sum(b.end - b.start for b in group)
        if len(group) < VOICE_MIN_BLOCKS or talk < VOICE_MIN_TALK_S:
            return False
    pitches = [
        [b.acoustics.pitch_hz for b in g if b.acoustics and b.acoustics.pitch_hz] for g in groups
    ]
    if all(pitches):
        gap = abs(12 * np.log2(float(np.median(pitches[0])) / float(np.median(pitches[1]))))
        if gap >= TWO_VOICE_MIN_PITCH_ST:
            return True
    timbres = [np.array([b.acoustics.timbre for b in g if b.acoustics]) for g in groups]
    mean_a, mean_b = timbres[0].mean(axis=0), timbres[1].mean(axis=0)
    spread = timbres[0].var(axis=0) + timbres[1].var(axis=0) + 1e-9
    return float(np.mean((mean_a - mean_b) ** 2 / spread)) >= TWO_VOICE_MIN_TIMBRE_FISHER


def assign_speakers(blocks: list[Block]) -> bool:
    """Label each block 0 or 1. Returns False when the recording sounds like one voice."""
    if len(blocks) < 2:
        return False
    weights = np.array([max(0.2, b.end - b.start) for b in blocks])
    labels = two_means(voice_vectors(blocks), weights)
    if not distinct_voices(blocks, labels):
        for b in blocks:
            b.speaker = 0
        return False
    first = labels[0]
    for b, label in zip(blocks, labels, strict=True):
        b.speaker = 0 if label == first else 1  # speaker 0 is heard first
    return True


def to_utterances(blocks: Sequence[Block], first_seq: int = 0) -> list[Utterance]:
    merged: list[list[Block]] = []
    for block in blocks:
        last = merged[-1][-1] if merged else None
        if last and last.speaker == block.speaker and block.start - last.end < MERGE_GAP_S:
            merged[-1].append(block)
        else:
            merged.append([block])
    out = []
    for i, group in enumerate(merged):
        words = [w for b in group for w in b.words]
        out.append(
            Utterance(
                seq=first_seq + i,
                role="unknown",
                start=words[0].start,
                end=words[-1].end,
                text=join_words(words),
                words=words,
                confidence=round(float(np.mean([w.probability for w in words])), 4),
                speaker=f"S{group[0].speaker + 1}",
            )
        )
    return out


def assign_roles(utterances: list[Utterance], two_voices: bool, swap: bool = False) -> str:
    """Set roles by ROLE_RULE; returns the rule applied, for the session record."""
    if not two_voices:
        for u in utterances:
            u.role = "unknown"
        return ONE_VOICE_RULE
    therapist = _questioner(utterances)
    roles: dict[str, Role] = {therapist: "therapist", _other(therapist): "client"}
    if swap:
        roles = {k: ("client" if v == "therapist" else "therapist") for k, v in roles.items()}
    for u in utterances:
        u.role = roles.get(u.speaker or "", "unknown")
    return ROLE_RULE + ("; roles swapped on request" if swap else "")


def _questioner(utterances: Sequence[Utterance]) -> str:
    share = {}
    for speaker in ("S1", "S2"):
        mine = [u for u in utterances if u.speaker == speaker]
        asked = sum(1 for u in mine if u.text.rstrip().endswith("?"))
        share[speaker] = asked / len(mine) if mine else 0.0
    return "S2" if share["S2"] > share["S1"] else "S1"


def _other(speaker: str) -> str:
    return "S2" if speaker == "S1" else "S1"
