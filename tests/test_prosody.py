from __future__ import annotations

import numpy as np

from copilot.analysis.prosody import against_baseline, readings
from copilot.audio.features import measure, pitch_track
from copilot.audio.files import SAMPLE_RATE
from copilot.domain import ProsodyReading, Utterance


def voiced(f0: float, seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 10))
    return (level * wave / 3).astype(np.float32)


def test_pitch_and_loudness_are_measured() -> None:
    quiet_low, loud_high = voiced(110, 1.0, 0.05), voiced(220, 1.0, 0.4)
    assert abs(np.median(pitch_track(quiet_low)) - 110) < 3
    a, b = measure(quiet_low), measure(loud_high)
    assert a.pitch_hz is not None and b.pitch_hz is not None and b.pitch_hz > 1.8 * a.pitch_hz
    assert b.loudness_db - a.loudness_db > 15


def test_readings_compare_the_client_with_their_own_baseline() -> None:
    base = [
        ProsodyReading(
            utterance_seq=i,
            loudness_db=-20 + (i % 3) * 0.5,
            pitch_hz=120.0,
            pitch_variability_st=2.0,
            speech_rate_wps=2.5 + (i % 2) * 0.1,
            pause_before_s=0.8,
        )
        for i in range(8)
    ]
    slow_quiet = ProsodyReading(
        utterance_seq=8,
        loudness_db=-30.0,
        pitch_hz=120.0,
        pitch_variability_st=2.0,
        speech_rate_wps=1.5,
        pause_before_s=0.8,
    )
    out = against_baseline([*base, slow_quiet])
    last = out[-1]
    assert last.relative["loudness_db"] < -1 and last.relative["speech_rate_wps"] < -1
    assert last.observations == [
        "spoke more quietly and more slowly than is usual for them in this session"
    ]
    assert out[0].observations == []


def test_pause_before_answering_comes_from_the_previous_speaker() -> None:
    talk = [
        Utterance(seq=0, role="therapist", start=0.0, end=2.0, text="How are you?"),
        Utterance(seq=1, role="client", start=4.5, end=6.0, text="Tired."),
        Utterance(seq=2, role="client", start=7.0, end=9.0, text="Very tired today."),
    ]
    out = readings(talk, {})
    assert [r.utterance_seq for r in out] == [1, 2]
    assert out[0].pause_before_s == 2.5 and out[1].pause_before_s is None
