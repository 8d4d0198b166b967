"""The live session end to end on replayed recordings: real tiny.en, real threads and storage.

Replayed sources stand where the sound card would; the PulseAudio rig tests cover the devices.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from dialogues import SHORT, render_dialogue
from encode import encode
from live_events import WAIT_S, EventLog, Timed
from speech import delay

from copilot.audio.capture import Deliver, ErrorSink
from copilot.audio.files import SAMPLE_RATE
from copilot.audio.sources import AudioSource, FileSource
from copilot.domain import Consent
from copilot.errors import ConsentError
from copilot.evaluation import wer
from copilot.events import RevisionEvent, RiskEvent, StatusEvent, UtteranceEvent
from copilot.live import LiveOptions, LiveSession
from copilot.pipeline import load_engine
from copilot.settings import Settings, home
from copilot.storage import SessionStore
from copilot.storage.keys import home_key
from copilot.storage.sealed import read_sealed

pytestmark = pytest.mark.model

RISKY = [
    ("therapist", "How has this week been for you?"),
    ("client", "Hard. Sometimes I think everyone would be better off without me."),
    ("therapist", "Thank you for telling me. Can we talk about that feeling?"),
    ("client", "Yes. I have no plan, I just feel like a burden."),
]
Reference = list[tuple[str, str, float, float]]  # role, text, start, end in seconds


def write(
    tmp: Path, turns: list[tuple[str, str]], name: str, bleed_db: float | None = None
) -> tuple[Path, Reference]:
    stereo, placed = render_dialogue(turns, seed=5)
    if bleed_db is not None:  # the client from the loudspeakers, into the microphone, 20 ms late
        delay = SAMPLE_RATE // 50
        leak = np.concatenate([np.zeros(delay, np.float32), stereo[:-delay, 1]])
        stereo[:, 0] += leak * 10 ** (-bleed_db / 20)
    path = encode(tmp / f"{name}.wav", stereo, SAMPLE_RATE)
    return path, [(p.role, p.text, p.start, p.end) for p in placed]


def replay(path: Path, speed: float = 1.0) -> list[AudioSource]:
    return [FileSource(path, 0, "therapist", speed), FileSource(path, 1, "client", speed)]


def run(
    live: LiveSession,
    sources: list[AudioSource],
    reference: Reference,
    roles: tuple[str, ...] = ("therapist", "client"),
) -> Timed:
    """Record the replayed sources until each of `roles` has its last turn in a final."""
    log = EventLog()
    live.subscribe(log)
    live.record_consent(Consent(given_by="client", method="verbal"))
    live.start()
    for source in sources:
        if isinstance(source, FileSource):
            assert source.finished.wait(WAIT_S), f"{source.role} replay never finished"
    log.wait_for_turns({role: last_end(reference, role) for role in roles})
    return log.events


def last_end(reference: Reference, role: str) -> float:
    return max(end for r, _text, _start, end in reference if r == role)


def heard(events: Timed, role: str) -> str:
    return " ".join(
        e.utterance.text
        for _, e in events
        if isinstance(e, UtteranceEvent) and e.utterance.role == role
    )


def test_no_capture_without_consent() -> None:
    live = LiveSession(LiveOptions(), SessionStore(), Settings.load(), sources=[])
    with pytest.raises(ConsentError):
        live.start()
    assert SessionStore().list_sessions() == []


def test_replayed_session_is_transcribed_live_with_roles_and_stored(tmp_path: Path) -> None:
    path, reference = write(tmp_path, SHORT, "live")
    sources = replay(path)
    live = LiveSession(
        LiveOptions(client_label="L-1"), SessionStore(), Settings.load(), sources=sources
    )
    events = run(live, sources, reference)
    stored = SessionStore().transcript.utterances(live.session_id or "")
    assert len(stored) == sum(isinstance(e, UtteranceEvent) for _, e in events)  # as they happen
    assert live.reviser is not live.engine  # a final never waits behind a revision
    result = live.stop()
    for role in ("therapist", "client"):
        said = " ".join(text for r, text, _s, _e in reference if r == role)
        assert wer(said, heard(events, role)) <= 0.25, heard(events, role)
    assert result.export.session.status == "complete"
    assert live.report_path is not None and live.report_path.exists()
    assert not (home() / "audio").exists()  # audio is discarded unless kept on purpose


def test_risk_is_flagged_within_two_seconds(tmp_path: Path) -> None:
    path, reference = write(tmp_path, RISKY, "risky")
    sources = replay(path)
    live = LiveSession(LiveOptions(), SessionStore(), Settings.load(), sources=sources)
    events = run(live, sources, reference)
    t0 = live.started_at
    live.stop()
    flags = [(t, e) for t, e in events if isinstance(e, RiskEvent)]
    assert flags, "the risk sentence raised no flag"
    t, event = flags[0]
    assert event.flag.category == "suicidal_ideation"
    spoken_end = next(end for role, text, _s, end in reference if "better off" in text)
    assert t - t0 - spoken_end <= 2.0


OTHER_WORDS = [
    ("therapist", "How have the evenings been?"),
    ("client", "I would like to go to sleep and stay asleep forever."),
    ("therapist", "That sounds very heavy. Tell me more."),
]


def test_risk_in_words_no_rule_knows_is_flagged_within_two_seconds(tmp_path: Path) -> None:
    path, reference = write(tmp_path, OTHER_WORDS, "other_words")
    sources = replay(path)
    live = LiveSession(LiveOptions(), SessionStore(), Settings.load(), sources=sources)
    events = run(live, sources, reference)
    t0 = live.started_at
    live.stop()
    flags = [(t, e) for t, e in events if isinstance(e, RiskEvent)]
    assert flags, "the risk sentence raised no flag"
    t, event = flags[0]
    assert event.flag.layer == "learned" and event.flag.exemplars
    assert event.flag.category == "suicidal_ideation"
    spoken_end = next(end for role, text, _s, end in reference if "asleep" in text)
    assert t - t0 - spoken_end <= 2.0


class Rereading:
    """A second-pass engine at the boundary: the real model, except that it hears one client
    sentence as risk language (its first words), as a revision may where the first pass
    misheard it."""

    name = "rereading"

    def __init__(self) -> None:
        self.engine = load_engine("tiny.en", 1, slot="second pass")
        self.calls = 0

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, **options: object) -> Iterator:
        self.calls += 1
        for seg in self.engine.transcribe(audio, offset, **options):  # type: ignore[arg-type]
            texts = [w.text.strip(".,").lower() for w in seg.words]
            if "cannot" in texts:  # "That I am letting everyone down and I cannot keep up."
                at = 0
                said = ["I", "want", "to", "kill", "myself"]
                words = list(seg.words)
                for i, text in enumerate(said[: len(words) - at]):
                    words[at + i] = words[at + i].model_copy(update={"text": text})
                seg = seg.model_copy(
                    update={"words": words, "text": " ".join(w.text for w in words)}
                )
            yield seg


def test_the_second_pass_revises_finals_in_place_and_flags_what_it_finds(tmp_path: Path) -> None:
    path, reference = write(tmp_path, SHORT, "revise")
    sources = replay(path)
    reviser = Rereading()
    live = LiveSession(
        LiveOptions(partials=False),
        SessionStore(),
        Settings.load(),
        sources=sources,
        reviser=reviser,
    )
    events = run(live, sources, reference)
    result = live.stop()
    firsts = {e.utterance.seq: e.utterance for _, e in events if isinstance(e, UtteranceEvent)}
    revisions = [e for _, e in events if isinstance(e, RevisionEvent)]
    assert reviser.calls >= 2  # both speakers, at the latest when the session stops
    assert revisions, "the second pass changed nothing"
    stored = {u.seq: u for u in SessionStore().transcript.utterances(live.session_id or "")}
    assert stored.keys() == firsts.keys()  # revised in place: no utterance added or lost
    for event in revisions:
        assert event.previous_text == firsts[event.utterance.seq].text
        assert stored[event.utterance.seq].text == event.utterance.text
    risky = next(e.utterance for e in revisions if "kill myself" in e.utterance.text)
    assert "cannot" in firsts[risky.seq].text
    flags = [e.flag for _, e in events if isinstance(e, RiskEvent)]
    assert [(f.utterance_seq, f.kind, f.rule) for f in flags if f.rule] == [
        (risky.seq, "active_ideation", "kill_self")
    ]
    # Nothing else risky was said. The first pass may mishear a line into words close in meaning
    # to a risk exemplar ("landing every one time" near "every time I'm on the platform"): the
    # learned layer may flag that, marked as such; no rule fires on it.
    assert all(f.layer == "learned" for f in flags if "kill myself" not in f.quote)
    assert any(f.utterance_seq == risky.seq for f in result.export.risk_flags)


class Timing:
    """A second-pass engine at the boundary: the real model, noting when each decode ended and
    which stretch of session time it read."""

    name = "timing"

    def __init__(self) -> None:
        self.engine = load_engine("tiny.en", 1, slot="second pass")
        self.decoded: list[tuple[float, float, float]] = []  # ended (monotonic), start, end

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, **options: object) -> Iterator:
        yield from self.engine.transcribe(audio, offset, **options)  # type: ignore[arg-type]
        self.decoded.append((time.monotonic(), offset, offset + len(audio) / SAMPLE_RATE))


def test_a_quiet_speakers_line_is_revised_within_thirty_seconds_while_recording(
    tmp_path: Path,
) -> None:
    """The therapist says little (four short questions: far less than a revision window of
    speech); their first line is still read again within 30 s of its end, before the session
    stops (it once waited for 80 s of session or the stop)."""
    stereo, placed = render_dialogue(SHORT, seed=5)
    quiet = np.zeros((25 * SAMPLE_RATE, 2), np.float32)  # the call goes on in silence
    path = encode(tmp_path / "quiet.wav", np.concatenate([stereo, quiet]), SAMPLE_RATE)
    reference = [(p.role, p.text, p.start, p.end) for p in placed]
    sources = replay(path)
    reviser = Timing()
    live = LiveSession(
        LiveOptions(partials=False),
        SessionStore(),
        Settings.load(),
        sources=sources,
        reviser=reviser,
    )
    events = run(live, sources, reference)
    stopping = time.monotonic()
    live.stop()
    first = next(
        e.utterance for _, e in events
        if isinstance(e, UtteranceEvent) and e.utterance.role == "therapist"
    )  # fmt: skip
    # the utterance keeps its times to the millisecond; the window read is exact
    ended = [
        t for t, lo, hi in reviser.decoded
        if round(lo, 3) <= first.start and first.end <= round(hi, 3)
    ]  # fmt: skip
    assert ended, "the therapist's first line was never read again"
    assert ended[0] < stopping  # while recording, not only when the session stopped
    assert ended[0] - (live.started_at + first.end) <= 30.0


class LateSource(FileSource):
    """The call's audio arriving behind the microphone's, as on a busy machine."""

    def __init__(self, path: Path, channel: int, role: str, late_s: float):
        super().__init__(path, channel, role)  # type: ignore[arg-type]
        self.late_s = late_s

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None:
        held: queue.Queue[tuple[float, np.ndarray]] = queue.Queue()

        def release() -> None:
            while True:
                due, block = held.get()
                time.sleep(max(0.0, due - time.monotonic()))
                deliver(block)

        threading.Thread(target=release, daemon=True).start()
        super().start(lambda block: held.put((time.monotonic() + self.late_s, block)), on_error)


@pytest.mark.parametrize("call_late_s", [0.0, 3.0])
def test_loudspeaker_bleed_is_not_transcribed_as_the_therapist(
    tmp_path: Path, call_late_s: float
) -> None:
    path, reference = write(tmp_path, SHORT, "bleed", bleed_db=12.0)
    sources: list[AudioSource] = [
        FileSource(path, 0, "therapist"),
        LateSource(path, 1, "client", call_late_s),
    ]
    live = LiveSession(
        LiveOptions(partials=False), SessionStore(), Settings.load(), sources=sources
    )
    events = run(live, sources, reference)
    live.stop()
    therapist = heard(events, "therapist").lower()
    revised = " ".join(  # as stored: the second pass read the microphone's audio again
        u.text
        for u in SessionStore().transcript.utterances(live.session_id or "")
        if u.role == "therapist"
    ).lower()
    for client_words in ("worry about my job", "letting everyone down", "walk in the morning"):
        assert client_words not in therapist
        assert client_words not in revised
    assert "sleeping since we last met" in therapist
    assert "sleeping since we last met" in revised


class VanishingSource(FileSource):
    """A device that disappears part-way and comes back when reopened."""

    def __init__(self, path: Path, channel: int, role: str, vanish_after_s: float):
        super().__init__(path, channel, role)  # type: ignore[arg-type]
        self.vanish_after_s = vanish_after_s
        self.opened = 0

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None:
        self.opened += 1
        if self.opened > 1:
            return  # back, but silent: the rest of the test needs the other side only
        began = time.monotonic()

        def deliver_until_gone(block: np.ndarray) -> None:
            if time.monotonic() - began < self.vanish_after_s:
                deliver(block)
            elif not self.finished.is_set():
                self.finished.set()
                on_error(f"{self.role} audio device {self.name!r} disappeared")

        super().start(deliver_until_gone, on_error)


def test_a_vanished_device_leaves_the_other_source_running(tmp_path: Path) -> None:
    path, reference = write(tmp_path, SHORT, "vanish")
    mic = VanishingSource(path, 0, "therapist", vanish_after_s=4.0)
    call = FileSource(path, 1, "client")
    live = LiveSession(
        LiveOptions(partials=False), SessionStore(), Settings.load(), sources=[mic, call]
    )
    events = run(live, [mic, call], reference, roles=("client",))
    result = live.stop()
    statuses = [e.message for _, e in events if isinstance(e, StatusEvent)]
    assert any("disappeared" in m and "continuing with the client audio" in m for m in statuses)
    assert any("is back" in m for m in statuses)
    assert mic.opened >= 2
    said = " ".join(text for r, text, _s, _e in reference if r == "client")
    assert wer(said, heard(events, "client")) <= 0.25
    assert "How have you been sleeping" in heard(events, "therapist")  # kept from before
    assert len(result.export.utterances) == len(
        SessionStore().transcript.utterances(live.session_id or "")
    )


def unsealed(sealed: Path, out: Path) -> Path:
    """Kept audio is sealed under the data key on disk; a readable copy to look at."""
    assert sealed.exists() and sealed.read_bytes()[:4] == b"SCS1"
    out.write_bytes(read_sealed(sealed, home_key()))
    return out


def test_kept_audio_is_one_stereo_file(tmp_path: Path) -> None:
    path, reference = write(tmp_path, SHORT[:2], "keep")
    sources = replay(path)
    live = LiveSession(
        LiveOptions(keep_audio=True, partials=False),
        SessionStore(),
        Settings.load(),
        sources=sources,
    )
    run(live, sources, reference)
    growing = sorted((home() / "audio").glob("*.flac.sealing"))  # while it still records
    assert len(growing) == 2 and not any(b"fLaC" in p.read_bytes() for p in growing)
    live.stop()
    from copilot.audio.files import probe

    kept = home() / "audio" / f"{live.session_id}.ogg.sealed"
    info = probe(unsealed(kept, tmp_path / "kept.ogg"))
    assert info.channels == 2 and info.duration_s > 5
    assert sorted(p.name for p in (home() / "audio").iterdir()) == [kept.name]


def test_audio_kept_losslessly_is_the_audio_the_session_heard(tmp_path: Path) -> None:
    path, reference = write(tmp_path, SHORT[:2], "lossless")
    sources = replay(path)
    live = LiveSession(
        LiveOptions(keep_audio=True, keep_audio_as="flac", partials=False),
        SessionStore(),
        Settings.load(),
        sources=sources,
    )
    run(live, sources, reference)
    live.stop()
    from copilot.audio.files import read_all

    sealed = home() / "audio" / f"{live.session_id}.flac.sealed"
    kept = read_all(unsealed(sealed, tmp_path / "k.flac"))
    played = read_all(path)
    for channel in (0, 1):  # each source's frames land where the session's clock had them
        lag, _fit = delay(kept[:, channel], played[:, channel])
        n = min(len(kept) - lag, len(played))
        assert n > 0.9 * len(played)
        assert np.max(np.abs(kept[lag : lag + n, channel] - played[:n, channel])) < 2e-4


def test_the_cli_prints_finals_and_keeps_the_audio_it_was_asked_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from copilot.audio.files import read_all
    from copilot.cli import main

    path, _ = write(tmp_path, SHORT[:2], "cli")
    argv = ["live", "--replay", str(path), "--consent", "verbal", "--keep-audio", "flac"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "] therapist: " in out and "] client: " in out
    (session,) = SessionStore().list_sessions()
    kept = home() / "audio" / f"{session.id}.flac.sealed"
    assert SessionStore().audio_path(session.id) == str(kept)
    assert main(["export", session.id, "--audio", str(tmp_path / "readable.flac")]) == 0
    assert read_all(tmp_path / "readable.flac").shape[1] == 2


def test_a_locked_app_keeps_recording_and_storing_and_shows_none_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_bridge import RecordingHost

    from copilot.cli import main
    from copilot.protection import lock as app_lock
    from copilot.storage.keys import set_passphrase
    from copilot.window.bridge import Bridge

    set_passphrase(home(), "a long enough passphrase")
    path, reference = write(tmp_path, SHORT, "locked")
    sources = replay(path)
    live = LiveSession(
        LiveOptions(client_label="L-3"), SessionStore(), Settings.load(), sources=sources
    )
    bridge, host = Bridge(SessionStore(), Settings.load()), RecordingHost()
    bridge.attach(host)
    live.subscribe(bridge.publish)  # the window, as it is subscribed to a live session
    app_lock.lock(home(), "window")
    events = run(live, sources, reference)
    live.stop()  # the second pass's last revisions are in, stored and published
    latest: dict[int, str] = {}  # each line as the window last had it: second-pass revisions too
    for _, e in events:
        if isinstance(e, UtteranceEvent | RevisionEvent):
            latest[e.utterance.seq] = e.utterance.text
    said = [latest[seq] for seq in sorted(latest)]
    session_id = live.session_id or ""
    assert said and [u.text for u in SessionStore().transcript.utterances(session_id)] == said
    assert main(["show", session_id]) == 2
    assert "locked" in capsys.readouterr().err
    bridge.shutdown()
    assert not any("utterance" in script or said[0] in script for script in host.scripts)
    app_lock.unlock(home(), "a long enough passphrase")
    assert main(["show", session_id]) == 0
    assert said[-1] in capsys.readouterr().out
