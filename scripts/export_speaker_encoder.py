"""Export the bundled speaker encoder (build time only; needs torch, Resemblyzer and librosa).

Resemblyzer's GE2E voice encoder (Apache-2.0, weights in its wheel) exported to ONNX fp32 with a
dynamic batch and length, so that the runtime (`copilot.diarization.speaker_embedding`) needs only
numpy and onnxruntime. Checked on real clips from ../shared/data/real_speech: the numpy mel front
end against Resemblyzer's (librosa), and whole-utterance vectors against `VoiceEncoder`'s own. The
largest mel difference and the lowest cosine go into meta.json and are printed.

    # a build venv beside train_emotion.py's torch one (no second torch):
    python3 -m venv /tmp/build && echo /tmp/train-venv/lib/python3.11/site-packages \
        > /tmp/build/lib/python3.11/site-packages/train.pth
    /tmp/build/bin/pip install --no-deps resemblyzer webrtcvad-wheels
    /tmp/build/bin/pip install librosa
    /tmp/build/bin/python scripts/export_speaker_encoder.py
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from resemblyzer import VoiceEncoder, preprocess_wav
from resemblyzer import audio as ra

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.diarization import speaker_embedding as rt  # noqa: E402  (what we ship)

REAL = ROOT.parent / "shared" / "data" / "real_speech"
CHECK_CLIPS = 12  # the first clip of each of this many readers


class Encoder(torch.nn.Module):
    """VoiceEncoder's forward pass alone: final hidden state -> linear -> ReLU -> unit length."""

    def __init__(self, source: VoiceEncoder) -> None:
        super().__init__()
        self.lstm, self.linear = source.lstm, source.linear

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / torch.norm(raw, dim=1, keepdim=True).clamp(min=1e-12)


def check_clips() -> list[Path]:
    with (REAL / "transcripts.tsv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["sex"] in ("F", "M")]
    first: dict[str, Path] = {}
    for row in rows:
        first.setdefault(row["speaker_id"], REAL / row["file"])
    return list(first.values())[:CHECK_CLIPS]


def ours(encoder: rt.SpeakerEncoder, wav: np.ndarray, voice: VoiceEncoder) -> np.ndarray:
    """Resemblyzer's embed_utterance, with our mel and our ONNX graph in place of its own."""
    wav_slices, mel_slices = voice.compute_partial_slices(len(wav), 1.3, 0.75)
    wav = np.pad(wav, (0, max(0, wav_slices[-1].stop - len(wav))))
    mel = rt.mel_spectrogram(wav)
    partials = encoder.embed_mels(np.array([mel[s] for s in mel_slices]))
    mean = partials.mean(axis=0)
    return np.asarray(mean / np.linalg.norm(mean))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=rt.MODEL_DIR)
    args = p.parse_args()
    voice = VoiceEncoder(device="cpu", verbose=False).eval()
    model = Encoder(voice).eval()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        onnx_path = Path(work) / "model.onnx"
        torch.onnx.export(
            model, (torch.zeros(2, 160, rt.N_MELS),), str(onnx_path), input_names=["mels"],
            output_names=["embedding"], opset_version=17, dynamo=False,
            dynamic_axes={"mels": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
        )  # fmt: skip
        shutil.copy(onnx_path, args.out / rt.MODEL_FILE)
    digest = hashlib.sha256((args.out / rt.MODEL_FILE).read_bytes()).hexdigest()
    provisional = {"name": "resemblyzer-ge2e-0.1.4", "dim": 256, "sha256": digest}
    (args.out / rt.META_FILE).write_text(
        json.dumps({**provisional, "mel_max_abs_diff": -1.0, "cosine_min": -1.0}) + "\n"
    )
    encoder = rt.SpeakerEncoder.load(args.out)
    mel_diff, mel_rel, cosines = 0.0, 0.0, []
    for clip in check_clips():
        wav = preprocess_wav(clip)
        theirs_mel, our_mel = ra.wav_to_mel_spectrogram(wav), rt.mel_spectrogram(wav)
        diff = float(np.max(np.abs(theirs_mel - our_mel)))
        mel_diff = max(mel_diff, diff)
        mel_rel = max(mel_rel, diff / float(np.max(theirs_mel)))
        cosines.append(float(np.dot(voice.embed_utterance(wav), ours(encoder, wav, voice))))
    meta = {**provisional, "mel_max_abs_diff": mel_diff, "cosine_min": round(min(cosines), 6)}
    (args.out / rt.META_FILE).write_text(json.dumps(meta, indent=1) + "\n")
    report = {
        "model_mb": round((args.out / rt.MODEL_FILE).stat().st_size / 2**20, 2),
        "clips_checked": len(cosines),
        "mel_max_diff_relative_to_peak": mel_rel,
        "cosine_mean": round(float(np.mean(cosines)), 6),
        **meta,
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
