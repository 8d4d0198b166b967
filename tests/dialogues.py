"""Short generated sessions for the model-tier tests (espeak-ng voices, written here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import speech

SHORT = [
    ("therapist", "How have you been sleeping since we last met?"),
    ("client", "Not well. I wake up at night and worry about my job."),
    ("therapist", "What goes through your mind when you wake up?"),
    ("client", "That I am letting everyone down and I cannot keep up."),
    ("therapist", "That sounds heavy to carry alone at night."),
    ("client", "It is. I feel so tired and sad most days."),
    ("therapist", "What would help you feel a little more rested?"),
    ("client", "Maybe going for a walk in the morning would help."),
]


def render(tmp: Path, turns: list[tuple[str, str]], name: str, mono: bool = False,
           suffix: str = ".flac", seed: int = 3) -> tuple[Path, list[dict[str, object]]]:  # fmt: skip
    stereo, placed = speech.render_dialogue([speech.Turn(r, t) for r, t in turns], seed)
    audio = speech.to_mono(stereo) if mono else stereo
    path = tmp / f"{name}{suffix}"
    speech.write_audio(path, audio)
    reference = [{"role": p.role, "text": p.text, "start": p.start, "end": p.end} for p in placed]
    (tmp / f"{name}.json").write_text(json.dumps(reference))
    return path, reference


def role_text(utterances: list[dict[str, object]], role: str) -> str:
    return " ".join(str(u["text"]) for u in utterances if u["role"] == role)


def silence(tmp: Path, seconds: float = 6.0) -> Path:
    path = tmp / "silence.wav"
    speech.write_audio(path, np.zeros(int(16000 * seconds), dtype=np.float32))
    return path
