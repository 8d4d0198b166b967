"""The speaker's last seconds put in front of a live utterance, and the words kept after."""

from __future__ import annotations

import numpy as np
import pytest
from dialogues import VOICES, synth

from copilot.audio.files import SAMPLE_RATE
from copilot.domain import Word
from copilot.transcription.context import SpeakerContext, words_from
from copilot.transcription.engine import LIVE_OPTIONS, AsrSegment


def clip(seconds: float, value: float) -> np.ndarray:
    return np.full(int(seconds * SAMPLE_RATE), value, dtype=np.float32)


def segment(*words: tuple[str, float, float]) -> AsrSegment:
    found = [Word(text=t, start=s, end=e) for t, s, e in words]
    return AsrSegment(
        start=found[0].start,
        end=found[-1].end,
        text=" ".join(t for t, _s, _e in words),
        words=found,
        avg_logprob=-0.2,
        no_speech_prob=0.01,
        compression_ratio=1.2,
    )


def test_nothing_is_put_in_front_of_the_first_utterance() -> None:
    audio = clip(1.0, 0.5)
    joined, lead = SpeakerContext().before(audio)
    assert lead == 0.0 and joined is audio


def test_whole_recent_clips_go_in_front_each_followed_by_silence() -> None:
    heard = SpeakerContext(seconds=4.0, gap_s=0.5)
    for value in (0.1, 0.2, 0.3):
        heard.remember(clip(1.5, value))  # 2 s each with its gap: the first no longer fits
    joined, lead = heard.before(clip(1.0, 0.9))
    assert lead == pytest.approx(4.0)
    gap = int(0.5 * SAMPLE_RATE)
    first, second = int(1.5 * SAMPLE_RATE), int(2.0 * SAMPLE_RATE)
    assert np.all(joined[:first] == np.float32(0.2))
    assert np.all(joined[first : first + gap] == 0.0)
    assert np.all(joined[second : second + first] == np.float32(0.3))
    assert np.all(joined[int(lead * SAMPLE_RATE) :] == np.float32(0.9))


def test_a_clip_longer_than_the_context_is_not_kept() -> None:
    heard = SpeakerContext(seconds=3.0, gap_s=0.5)
    heard.remember(clip(5.0, 0.2))
    assert heard.before(clip(1.0, 0.9))[1] == 0.0


def test_only_words_that_start_in_the_new_audio_are_kept() -> None:
    earlier = segment(("I", 8.0, 8.2), ("slept", 8.2, 8.6))
    across = segment(("badly.", 8.6, 9.0), ("Then", 10.05, 10.3), ("work", 10.3, 10.7))
    later = segment(("was", 11.0, 11.3), ("hard.", 11.3, 11.8))
    kept = words_from([earlier, across, later], start=10.1)
    assert [s.text for s in kept] == ["Then work", "was hard."]
    assert kept[0].start == 10.05 and kept[0].end == 10.7
    assert kept[1] is later


@pytest.mark.model
def test_the_real_model_with_context_keeps_the_new_words_only(espeak: str) -> None:
    from copilot.pipeline import load_engine
    from copilot.transcription.hallucinations import clean

    engine = load_engine("tiny.en", 2)
    voice = VOICES["client"]
    heard = SpeakerContext()
    heard.remember(synth("I could not sleep at all last night.", voice))
    audio, lead = heard.before(synth("Work was hard again today.", voice))
    offset = 20.0 - lead
    decoded = engine.transcribe(audio, offset=offset, **LIVE_OPTIONS)
    kept = words_from(clean(list(decoded), audio, offset), 20.0)
    text = " ".join(s.text for s in kept).lower()
    assert "work was hard again today" in text and "sleep" not in text, text
    assert kept[0].start >= 19.9


class GenerateSpy:
    """The real CTranslate2 model, with a note of every generate call and its output lengths."""

    def __init__(self, model: object):
        self._model = model
        self.lengths: list[int] = []

    def generate(self, *args: object, **kwargs: object) -> object:
        results = self._model.generate(*args, **kwargs)  # type: ignore[attr-defined]
        self.lengths += [len(r.sequences_ids[0]) for r in results]
        return results

    def __getattr__(self, name: str) -> object:
        return getattr(self._model, name)


@pytest.mark.model
def test_a_short_window_that_loops_stops_at_its_token_budget() -> None:
    """Generated speech as the audio rig captured it (one speaker's last utterance, a gap, the
    new one), on which the window after the words looped on "." at every temperature. Kept as
    float samples: rounded to 16 bits, the same clip decodes without the loop."""
    from pathlib import Path

    from copilot.audio.files import read_all
    from copilot.pipeline import load_engine
    from copilot.transcription.engine import SHORT_TOKENS_EXTRA, SHORT_TOKENS_PER_S
    from copilot.transcription.hallucinations import clean

    audio = read_all(Path(__file__).parent / "data" / "short_window_loop.wav")[:, 0]
    engine = load_engine("tiny.en", 2)
    spy = GenerateSpy(engine._whisper.model)
    engine._whisper.model = spy
    segments = clean(list(engine.transcribe(audio, **LIVE_OPTIONS)), audio)
    # The new utterance comes through whole (its opening word differs by CPU: "that" / "Matt").
    assert any(s.text.endswith("left you feeling frustrated.") for s in segments), segments
    budget = np.ceil(len(audio) / SAMPLE_RATE * SHORT_TOKENS_PER_S) + SHORT_TOKENS_EXTRA
    assert sum(spy.lengths) <= budget, spy.lengths  # the windows after the speech included


class FoldsIntoContext:
    """An engine at the boundary that, given the speaker's last seconds in front, hears the new
    short reply as part of them (nothing after the cut-off); heard alone, it hears it."""

    name = "scripted"

    def __init__(self) -> None:
        self.lengths: list[float] = []

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, **options: object) -> list:
        seconds = len(audio) / SAMPLE_RATE
        self.lengths.append(seconds)
        if seconds > 1.0:  # with context: the reply's words timed inside the earlier speech
            return [segment(("earlier", offset + 0.1, offset + 0.5))]
        return [segment(("Yes.", offset + 0.1, offset + 0.4))]


def test_a_short_reply_lost_in_its_context_is_heard_alone() -> None:
    from copilot.transcription.context import decode_final

    heard = SpeakerContext()
    engine = FoldsIntoContext()
    first = decode_final(engine, heard, clip(2.0, 0.1), start=1.0, alone=True)
    assert [w.text for s in first for w in s.words] == ["earlier"]
    reply = decode_final(engine, heard, clip(0.6, 0.1), start=10.0)
    assert [w.text for s in reply for w in s.words] == ["Yes."]
    assert engine.lengths[-2] > 1.0 and engine.lengths[-1] == pytest.approx(0.6)
