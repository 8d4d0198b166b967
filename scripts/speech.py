"""Generated two-speaker speech (espeak-ng) for the demo session, long sessions and test clips.

Import with `scripts/` on sys.path. Audio is float32 at 16 kHz: mono arrays for single lines,
shape (n, 2) for dialogues with the therapist on channel 0 (left) and the client on channel 1.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]

SAMPLE_RATE = 16_000
# "en-gb+fN" keeps the male pitch (espeak-ng 1.51 drops the variant for that name); f5 on the RP
# voice is the female variant tiny.en recognised best in a comparison of eight.
VOICES = {"therapist": "en-gb-x-rp+f5", "client": "en-us+m3"}
CHANNEL = {"therapist": 0, "client": 1}
DEFAULT_SPEED = 155  # words per minute, a calm conversational pace
PEAK = 0.6  # per-line peak level: headroom for bleed and lossy encoding
BACKCHANNELS = ("Right.", "Okay.", "Yes.", "I see.")
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)


@dataclass
class Turn:
    role: str
    text: str
    pause_before: float | None = None  # fixed silence before this turn (no backchannel)


@dataclass
class PlacedTurn:
    role: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Gaps:
    """Silence between turns: mostly short, now and then a long pause or a backchannel."""

    short: tuple[float, float] = (0.4, 1.5)
    long: tuple[float, float] = (3.0, 6.0)
    long_p: float = 0.06
    backchannel_gap: tuple[float, float] = (0.25, 0.5)
    backchannel_p: float = 0.06  # between turns of different speakers
    backchannel_same_p: float = 0.6  # between two turns of the same speaker


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split()[:4])


def synth(
    text: str, voice: str, speed: int = DEFAULT_SPEED, cache_dir: Path | None = None
) -> Audio:
    """One line spoken by espeak-ng: float32 mono at 16 kHz, leading/trailing silence trimmed.

    With `cache_dir`, the result is kept there as .npy keyed by (text, voice, speed).
    """
    cached = _cache_path(cache_dir, text, voice, speed)
    if cached is not None and cached.exists():
        return np.load(cached).astype(np.float32)
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), "--", text]
        subprocess.run(cmd, check=True, capture_output=True)
        audio, rate = _read_wav(wav)
    audio = _normalise(_trim(resample(audio, rate, SAMPLE_RATE)))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, audio)
    return audio


def _cache_path(cache_dir: Path | None, text: str, voice: str, speed: int) -> Path | None:
    if cache_dir is None:
        return None
    key = hashlib.sha1(f"{voice}\0{speed}\0{text}".encode()).hexdigest()
    return cache_dir / f"{key}.npy"


def _read_wav(path: Path) -> tuple[Audio, int]:
    with wave.open(str(path), "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM from espeak-ng, got {8 * width}-bit")
    ints = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)[:, 0]
    return (ints.astype(np.float32) / 32768.0), rate


def resample(audio: Audio, rate: int, target: int = SAMPLE_RATE) -> Audio:
    """Band-limited resampling via the FFT; fine for the few-second lines espeak-ng makes."""
    if rate == target or len(audio) == 0:
        return audio.astype(np.float32)
    n_out = round(len(audio) * target / rate)
    spectrum = np.fft.rfft(audio)
    keep = n_out // 2 + 1
    if keep <= len(spectrum):
        spectrum = spectrum[:keep]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(keep - len(spectrum), complex)])
    out = np.fft.irfft(spectrum, n_out) * (n_out / len(audio))
    return out.astype(np.float32)


def _trim(audio: Audio, threshold: float = 0.01) -> Audio:
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio[:0]


def _normalise(audio: Audio) -> Audio:
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return audio if peak == 0.0 else (audio * (PEAK / peak)).astype(np.float32)


def render_dialogue(
    turns: Sequence[Turn],
    gaps_rng_seed: int,
    *,
    speed: int = DEFAULT_SPEED,
    voices: dict[str, str] | None = None,
    bleed_db: float | None = None,
    gaps: Gaps | None = None,
    lead_in: float = 0.5,
    tail: float = 1.0,
    cache_dir: Path | None = None,
) -> tuple[Audio, list[PlacedTurn]]:
    """Place the turns one after another (never overlapping) on their role's channel.

    Returns stereo float32 (n, 2) at 16 kHz and the turns with their start/end in seconds.
    `bleed_db` adds each speaker into the other channel at -bleed_db dB, as a mic hears speakers.
    """
    voices = voices or VOICES
    spoken = _with_backchannels(turns, random.Random(gaps_rng_seed), gaps or Gaps())
    clips = [synth(t.text, voices[t.role], speed, cache_dir) for t, _ in spoken]
    placed, cursor = [], lead_in
    for (turn, gap), clip in zip(spoken, clips, strict=True):
        cursor += gap
        end = cursor + len(clip) / SAMPLE_RATE
        placed.append(PlacedTurn(turn.role, turn.text, round(cursor, 3), round(end, 3)))
        cursor = end
    stereo = np.zeros((round((cursor + tail) * SAMPLE_RATE), 2), np.float32)
    for turn, clip in zip(placed, clips, strict=True):
        at = round(turn.start * SAMPLE_RATE)
        stereo[at : at + len(clip), CHANNEL[turn.role]] += clip
    if bleed_db is not None:
        stereo = add_bleed(stereo, bleed_db)
    return stereo, placed


def _with_backchannels(
    turns: Sequence[Turn], rng: random.Random, gaps: Gaps
) -> list[tuple[Turn, float]]:
    """Each turn with the silence before it; short listener replies inserted now and then."""
    out: list[tuple[Turn, float]] = []
    for i, turn in enumerate(turns):
        if turn.pause_before is not None:
            out.append((turn, turn.pause_before))
            continue
        if i > 0:
            prev = turns[i - 1]
            p = gaps.backchannel_same_p if prev.role == turn.role else gaps.backchannel_p
            if rng.random() < p:
                listener = _other(prev.role)
                out.append((Turn(listener, rng.choice(BACKCHANNELS)), rng.uniform(*gaps.short)))
                out.append((turn, rng.uniform(*gaps.backchannel_gap)))
                continue
        out.append((turn, _gap(rng, gaps) if i > 0 else 0.0))
    return out


def _gap(rng: random.Random, gaps: Gaps) -> float:
    return rng.uniform(*gaps.long) if rng.random() < gaps.long_p else rng.uniform(*gaps.short)


def _other(role: str) -> str:
    return "client" if role == "therapist" else "therapist"


def add_bleed(stereo: Audio, bleed_db: float) -> Audio:
    """Each channel also carries the other at -bleed_db dB (a 2 ms acoustic delay)."""
    gain = float(10 ** (-abs(bleed_db) / 20))
    delay = int(0.002 * SAMPLE_RATE)
    shifted = np.zeros_like(stereo)
    shifted[delay:] = stereo[:-delay]
    out = stereo.copy()
    out[:, 0] += gain * shifted[:, 1]
    out[:, 1] += gain * shifted[:, 0]
    return out


def delay(later: Audio, earlier: Audio) -> tuple[int, float]:
    """Where mono `earlier` lies in the longer mono `later` (samples in), and how well it fits
    there (normalised correlation, 1.0 for the same samples): the cross-correlation's peak."""
    size = 1 << int(np.ceil(np.log2(len(later) + len(earlier))))
    spectrum = np.fft.rfft(later, size) * np.conj(np.fft.rfft(earlier, size))
    scores = np.fft.irfft(spectrum, size)[: len(later) - len(earlier) + 1]
    lag = int(np.argmax(scores))
    match = later[lag : lag + len(earlier)]
    fit = float(scores[lag] / (np.linalg.norm(match) * np.linalg.norm(earlier) + 1e-9))
    return lag, fit


def to_mono(stereo: Audio) -> Audio:
    """Average the channels (speakers never overlap, so nothing cancels)."""
    if stereo.ndim == 1:
        return stereo.astype(np.float32)
    return stereo.mean(axis=1).astype(np.float32)


CODECS = {".wav": "pcm_s16le", ".flac": "flac", ".ogg": "libopus", ".opus": "libopus"}


def write_audio(
    path: Path | str, audio: Audio, sr: int = SAMPLE_RATE, bitrate: int | None = None
) -> Path:
    """Write mono (n,) or stereo (n, 2) float32 audio as .wav, .flac or .ogg/.opus (Opus).

    `bitrate` (bits/s) applies to Opus; default 24 kbit/s, ample for speech at 16 kHz.
    """
    import av

    path = Path(path)
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise ValueError(f"{path}: write .wav, .flac, .ogg or .opus")
    if codec == "libopus" and sr not in OPUS_RATES:
        raise ValueError(f"Opus takes {OPUS_RATES} Hz, not {sr}")
    data = audio if audio.ndim == 2 else audio[:, None]
    layout = "mono" if data.shape[1] == 1 else "stereo"
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(codec, rate=sr)
        stream.layout = layout
        if codec == "libopus":
            stream.bit_rate = bitrate or 24_000
        fmt = stream.codec_context.codec.audio_formats[0].name
        step = stream.codec_context.frame_size or 1024
        for at in range(0, len(data), step):
            frame = _frame(data[at : at + step], fmt, layout)
            frame.sample_rate, frame.pts = sr, at
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _frame(block: Audio, fmt: str, layout: str) -> Any:
    import av

    clipped = np.clip(block, -1.0, 1.0)
    if fmt.startswith("s16"):
        values: npt.NDArray[Any] = (clipped * 32767).astype(np.int16)
    elif fmt.startswith("s32"):
        values = (clipped * 2147483647).astype(np.int32)
    else:
        values = clipped.astype(np.float32)
    array = values.T if fmt.endswith("p") else values.reshape(1, -1)
    return av.AudioFrame.from_ndarray(np.ascontiguousarray(array), format=fmt, layout=layout)


def read_audio(path: Path | str) -> tuple[Audio, int]:
    """Decode a whole file with PyAV: float32 (n, channels) at the file's decoded rate."""
    import av

    parts: list[npt.NDArray[Any]] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = int(stream.codec_context.sample_rate)
        for frame in container.decode(stream):
            arr = frame.to_ndarray()
            planar = frame.format.is_planar
            chans = len(frame.layout.channels)
            parts.append(arr.T if planar else arr.reshape(-1, chans))
    data = np.concatenate(parts) if parts else np.zeros((0, 1))
    if data.dtype.kind == "i":
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max)
    return data.astype(np.float32), rate


def reference_json(
    placed_turns: Sequence[PlacedTurn],
    path: Path | str,
    *,
    voices: dict[str, str] | None = None,
    generator: dict[str, Any] | None = None,
    duration_s: float | None = None,
) -> Path:
    """The reference transcript: every turn with its role, text, start and end in seconds."""
    doc: dict[str, Any] = {
        "turns": [asdict(t) for t in placed_turns],
        "voices": voices or VOICES,
        "generator": generator or {"tool": "espeak-ng"},
    }
    if duration_s is not None:
        doc["duration_s"] = round(duration_s, 3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
