"""Short generated sessions for the model-tier tests (espeak-ng voices, written here)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from encode import encode

from copilot.audio.files import SAMPLE_RATE, read_all

# "en-gb+fN" keeps the male pitch (espeak-ng 1.51 drops the variant for that name); f5 on the RP
# voice is the female variant tiny.en recognised best in a comparison of eight.
VOICES = {"therapist": "en-gb-x-rp+f5", "client": "en-us+m3"}


@dataclass
class Placed:
    role: str
    text: str
    start: float
    end: float


@cache
def synth(text: str, voice: str) -> np.ndarray:
    """espeak-ng speech as float32 16 kHz, its leading and trailing silence trimmed."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "-w", str(wav), text], check=True)
        audio = read_all(wav)[:, 0]
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


def render_dialogue(
    turns: list[tuple[str, str]], seed: int, gap_s: tuple[float, float] = (0.5, 1.2)
) -> tuple[np.ndarray, list[Placed]]:
    """Stereo audio (therapist left, client right) and where each turn landed."""
    rng = np.random.default_rng(seed)
    left: list[np.ndarray] = [np.zeros(SAMPLE_RATE // 2, np.float32)]
    right: list[np.ndarray] = [np.zeros(SAMPLE_RATE // 2, np.float32)]
    t, placed = 0.5, []
    for role, text in turns:
        voice = synth(text, VOICES[role])
        silent = np.zeros_like(voice)
        left.append(voice if role == "therapist" else silent)
        right.append(silent if role == "therapist" else voice)
        placed.append(Placed(role, text, t, t + len(voice) / SAMPLE_RATE))
        gap = np.zeros(int(rng.uniform(*gap_s) * SAMPLE_RATE), np.float32)
        left.append(gap)
        right.append(gap)
        t = placed[-1].end + len(gap) / SAMPLE_RATE
    return np.stack([np.concatenate(left), np.concatenate(right)], axis=1), placed


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


def render(
    tmp: Path,
    turns: list[tuple[str, str]],
    name: str,
    mono: bool = False,
    suffix: str = ".flac",
    seed: int = 3,
) -> tuple[Path, list[dict[str, object]]]:
    stereo, placed = render_dialogue(turns, seed)
    audio = stereo.mean(axis=1) if mono else stereo
    path = encode(tmp / f"{name}{suffix}", audio, SAMPLE_RATE)
    reference = [{"role": p.role, "text": p.text, "start": p.start, "end": p.end} for p in placed]
    (tmp / f"{name}.json").write_text(json.dumps(reference))
    return path, reference


def role_text(utterances: list[dict[str, object]], role: str) -> str:
    return " ".join(str(u["text"]) for u in utterances if u["role"] == role)


def silence(tmp: Path, seconds: float = 6.0) -> Path:
    return encode(
        tmp / "silence.wav", np.zeros(int(SAMPLE_RATE * seconds), np.float32), SAMPLE_RATE
    )
