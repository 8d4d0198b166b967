"""Live analysis of each client final: risk at once, then the emotional reading and prosody."""

from __future__ import annotations

import threading

import numpy as np

from copilot.analysis import prosody as prosody_analysis
from copilot.analysis.emotion_engine import EmotionAnalyser
from copilot.analysis.risk import flag_utterances
from copilot.analysis.states import read_states
from copilot.audio.features import measure
from copilot.domain import ProsodyReading, RiskFlag, Utterance
from copilot.events import EmotionEvent, EventBus, RiskEvent
from copilot.live.options import EMOTION_CONTEXT
from copilot.live.transcript import Transcript


class LiveAnalysis:
    def __init__(self, bus: EventBus, transcript: Transcript, emotion: EmotionAnalyser):
        self.prosody: list[ProsodyReading] = []
        self.flags: list[RiskFlag] = []
        self._bus = bus
        self._transcript = transcript
        self._emotion = emotion
        self._lock = threading.Lock()

    def analyse(self, utterance: Utterance, audio: np.ndarray, previous: Utterance | None) -> None:
        """Risk at once for every client utterance; then its emotional reading and prosody."""
        if utterance.role == "therapist":
            return
        self.flag_risk(utterance)
        readings = self._emotion.read(self._transcript.recent(EMOTION_CONTEXT))
        reading = next((r for r in readings if r.utterance_seq == utterance.seq), None)
        voice = prosody_analysis.raw_reading(utterance, measure(audio), previous)
        self.prosody.append(voice)
        relative = prosody_analysis.against_baseline(self.prosody)[-1]
        if reading is not None:
            now = read_states(readings, self._transcript.recent(EMOTION_CONTEXT))
            self._bus.publish(EmotionEvent(reading=reading, prosody=relative, now=now))

    def flag_risk(self, utterance: Utterance) -> None:
        """Raise each kind of flag on this utterance once; a revision may find one the first
        text hid (or a graver kind in the same category)."""
        with self._lock:
            raised = {(f.utterance_seq, f.category, f.kind) for f in self.flags}
            new = [
                f
                for f in flag_utterances([utterance])
                if (f.utterance_seq, f.category, f.kind) not in raised
            ]
            self.flags.extend(new)
        for flag in new:
            self._bus.publish(RiskEvent(flag=flag))

    def prosody_against_baseline(self) -> list[ProsodyReading]:
        return prosody_analysis.against_baseline(self.prosody)
