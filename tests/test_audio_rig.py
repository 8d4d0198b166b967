"""The live session on real capture devices: a PulseAudio rig played in real time.

The rig (scripts/audio_rig.py) plays the therapist to its `mic` source and the client to its
`call` source; the session records them through PortAudio, as it would a microphone and a call's
output on a therapist's laptop. Real tiny.en, real threads, real storage.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_rig import AudioRig, Playback, RigError, missing_tools
from conftest import require
from dialogues import render_dialogue
from live_events import EventLog
from pydantic import BaseModel
from test_encryption import raw_hits

from copilot.domain import Consent
from copilot.evaluation import wer
from copilot.events import LevelEvent, RiskEvent
from copilot.live import LiveOptions, LiveSession
from copilot.settings import Settings, home
from copilot.storage import SessionStore

pytestmark = [pytest.mark.rig, pytest.mark.model]

TURNS = [
    ("therapist", "How have you been sleeping since we last met?"),
    ("client", "Not well. I wake up at night and worry about my job."),
    ("therapist", "What goes through your mind when you wake up?"),
    ("client", "That I am letting everyone down and I cannot keep up."),
    ("therapist", "That sounds heavy to carry alone at night."),
    ("client", "Sometimes I think everyone would be better off without me."),
    ("therapist", "Thank you for telling me. Can we talk about that feeling?"),
    ("client", "Yes. I have no plan, I just feel so tired and sad."),
    ("therapist", "What would help you feel a little more rested?"),
    ("client", "Maybe going for a walk in the morning would help."),
]
CLIENT_PHRASES = ("worry about my job", "letting everyone down", "walk in the morning")
SESSION_THREADS = ("pump-", "asr-worker", "monitor", "watch-")
ROLES = ("therapist", "client")

Reference = list[tuple[str, str, float, float]]


def _capture_available() -> bool:
    try:
        import sounddevice  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


@pytest.fixture
def rig() -> Iterator[AudioRig]:
    absent = missing_tools()
    require(not absent, f"the audio rig needs {', '.join(absent)}")
    require(_capture_available(), "sounddevice with PortAudio (libportaudio2) is not available")
    server_before = os.environ.get("PULSE_SERVER")
    audio_rig = AudioRig()
    try:
        audio_rig.start()
    except RigError as exc:
        require(False, str(exc))
    try:
        yield audio_rig
    finally:
        audio_rig.stop()
    assert not audio_rig.running  # the daemon is gone
    assert os.environ.get("PULSE_SERVER") == server_before


def start_live(rig: AudioRig, partials: bool = True) -> tuple[LiveSession, EventLog]:
    """A session on the two monitors, recording; returns once both deliver frames."""
    live = LiveSession(
        LiveOptions(mic=rig.source("mic"), call=rig.source("call"), partials=partials),
        SessionStore(),
        Settings.load(),
    )
    log = EventLog()
    heard = {"therapist": threading.Event(), "client": threading.Event()}

    def collect(event: BaseModel) -> None:
        log(event)
        if isinstance(event, LevelEvent) and event.role in heard:
            heard[event.role].set()

    live.subscribe(collect)
    live.record_consent(Consent(given_by="client", method="verbal"))
    live.start()
    rig.wait_for_frames({"mic": heard["therapist"], "call": heard["client"]})
    return live, log


def play(
    rig: AudioRig, turns: list[tuple[str, str]], bleed_db: float | None = None
) -> tuple[Playback, Reference]:
    stereo, placed = render_dialogue(turns, seed=5)
    playback = rig.play(stereo.astype(np.float32), bleed_db=bleed_db)
    return playback, [(p.role, p.text, p.start, p.end) for p in placed]


def said_text(reference: Reference, role: str) -> str:
    return " ".join(text for r, text, _start, _end in reference if r == role)


def last_ends(reference: Reference, offset: float, roles: tuple[str, ...]) -> dict[str, float]:
    """Each role's last turn's end in session time (`offset`: the playback's first sample)."""
    return {role: offset + max(e for r, _t, _s, e in reference if r == role) for role in roles}


def heard_between(log: EventLog, role: str, start: float, end: float) -> str:
    """Final text of `role` that overlaps [start, end] in session time."""
    return " ".join(
        e.utterance.text
        for _, e in log.finals()
        if e.utterance.role == role and e.utterance.start < end and e.utterance.end > start
    )


def test_two_devices_roles_bleed_and_risk_timing(rig: AudioRig) -> None:
    live, log = start_live(rig)
    playback, reference = play(rig, TURNS, bleed_db=12.0)
    assert playback.wait(timeout=120)
    offset = playback.started - live.started_at  # session time of the playback's first sample
    log.wait_for_turns(last_ends(reference, offset, ("therapist", "client")))
    stored = SessionStore().transcript.utterances(live.session_id or "")
    assert len(stored) == len(log.finals())  # each final committed as it happened
    result = live.stop()

    for role in ("therapist", "client"):
        assert wer(said_text(reference, role), log.text(role)) <= 0.25, log.text(role)
    therapist = log.text("therapist").lower()
    for phrase in CLIENT_PHRASES:  # the loudspeakers' bleed is not the therapist speaking
        assert phrase not in therapist

    for _, event in log.finals():
        u = event.utterance
        middle = (u.start + u.end) / 2 - offset
        turn = min(reference, key=lambda r: 0 if r[2] <= middle <= r[3] else abs(middle - r[2]))
        assert turn[0] == u.role, (u.role, u.text, turn)

    flags = [(t, e.flag) for t, e in log.events if isinstance(e, RiskEvent)]
    spoken_end = next(end for _r, text, _s, end in reference if "better off" in text)
    said = [(t, f) for t, f in flags if f.start - offset <= spoken_end <= f.end - offset + 1.0]
    assert said, ("the risk sentence raised no flag", flags)
    raised, flag = said[0]
    assert flag.category == "suicidal_ideation" and not flag.negated
    assert raised - (playback.started + spoken_end) <= 2.0
    # "I have no plan" may be flagged, but only as a denial, for the therapist to read as one
    assert all(f.negated for _t, f in flags if f.category == "immediate_danger")

    assert result.export.session.status == "complete"
    assert [t.name for t in threading.enumerate() if t.name.startswith(SESSION_THREADS)] == []
    # at rest nothing of what was said is readable: database, WAL, backlog, report, kept audio
    stored_lines = [t for _r, t, _s, _e in reference if len(t) >= 30]
    stored_lines += [u.text for u in result.export.utterances if len(u.text) >= 30]
    assert stored_lines and all(raw_hits(home(), line) == [] for line in stored_lines)


def test_a_device_that_vanishes_leaves_the_other_running(rig: AudioRig) -> None:
    live, log = start_live(rig, partials=False)
    playback, reference = play(rig, TURNS[:8])
    offset = playback.started - live.started_at
    therapist_turns = [(s, e) for role, _t, s, e in reference if role == "therapist"]
    # Unplugged once the microphone's second turn is transcribed: something to keep from before.
    log.wait_for(
        lambda: log.reached("therapist", offset + therapist_turns[1][1]),
        "the therapist's second turn",
    )
    vanish_at = time.monotonic() - playback.started
    rig.remove_source("mic")  # the microphone is unplugged
    log.wait_for_status("disappeared")
    rig.add_source("mic")  # and plugged in again
    log.wait_for_status("therapist audio is back")
    assert playback.wait(timeout=120)
    log.wait_for_turns(last_ends(reference, offset, ("client",)))
    result = live.stop()

    statuses = log.statuses()
    assert any("disappeared" in m and "continuing with the client audio" in m for m in statuses)
    client = log.text("client")
    assert wer(said_text(reference, "client"), client) <= 0.25, client
    before = [(text, start, end) for role, text, start, end in reference
              if role == "therapist" and end < vanish_at]  # fmt: skip
    assert len(before) >= 2  # pooled, as everywhere: one short sentence is too coarse a measure
    kept = heard_between(log, "therapist", before[0][1] + offset, before[-1][2] + offset)
    said = " ".join(text for text, _start, _end in before)
    assert wer(said, kept) <= 0.25, kept  # what the microphone heard before it went is kept
    therapist = log.text("therapist").lower()
    for phrase in ("letting everyone down", "better off without me"):
        assert phrase not in therapist  # the moved stream never recorded the call
    assert len(result.export.utterances) == len(
        SessionStore().transcript.utterances(live.session_id or "")
    )


def test_a_real_voice_session_loses_no_turn_and_gives_each_its_speaker(
    rig: AudioRig, tmp_path: Path
) -> None:
    """Two real readers (../shared/data/real_speech, a tuning pair), with gaps, overlaps and
    backchannels (a few words of the listener between two turns of the reader): every turn,
    the backchannels included, reaches a final under its speaker's role."""
    import make_real_session as mrs
    import real_voices
    import speech
    from live_measures import covering

    require(real_voices.REAL_SPEECH.is_dir(), "../shared/data/real_speech is not here")
    options = mrs.Options(minutes=1.0, backchannel_p=0.6)
    stereo_path, _mono, reference = mrs.build(("367", "1998"), tmp_path, 5, options)
    doc = json.loads(reference.read_text())
    turns = doc["turns"]
    assert any(t["kind"] == "backchannel" for t in turns)  # the session holds one to keep
    stereo, _rate = speech.read_audio(stereo_path)
    live, log = start_live(rig, partials=False)
    playback = rig.play(stereo)
    assert playback.wait(timeout=180)
    offset = playback.started - live.started_at
    ends = {r: offset + max(t["end"] for t in turns if t["role"] == r) for r in ROLES}
    log.wait_for_turns(ends)
    live.stop()

    heard = [e.utterance.model_dump(mode="json") for _, e in log.finals()]
    said = [(u["role"], round(u["start"] - offset, 1), u["text"][:30]) for u in heard]
    lost = [t for t in turns if not covering(t, heard, offset)]
    # Every full turn arrives. A backchannel (a faint 0.6 s reply) is still sometimes lost on
    # the rig though the same file decoded offline keeps it: bench_live.py counts those.
    assert not [t for t in lost if t["kind"] == "turn"], (lost, said)
    for role in ROLES:
        text = " ".join(t["text"] for t in turns if t["role"] == role and t["kind"] == "turn")
        assert wer(text, log.text(role)) <= 0.3, log.text(role)
    # (Each side is its own device, so the role is the channel's; which turn a word lies in is
    # a matter of the timeline, which a loaded machine shifts by seconds: bench_live.py aligns
    # the captured audio for its speaker accuracy; a test here cannot.)
