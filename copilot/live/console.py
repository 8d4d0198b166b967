"""A headless live session printing what it hears, line by line (`session-copilot live`)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType

from pydantic import BaseModel

from copilot.analysis.risk import describe
from copilot.audio.sources import AudioSource, FileSource
from copilot.domain import Consent
from copilot.errors import DeviceError
from copilot.events import RevisionEvent, RiskEvent, StatusEvent, UtteranceEvent
from copilot.live import LiveOptions, LiveSession
from copilot.protection import lock as app_lock
from copilot.settings import KEPT_AUDIO_DEFAULT, Settings, home
from copilot.storage import SessionStore
from copilot.timefmt import clock

_CONTENT = (UtteranceEvent, RevisionEvent, RiskEvent)


def printer(event: BaseModel) -> None:
    if isinstance(event, _CONTENT) and app_lock.is_locked(home()):
        return  # the app is locked: the session goes on recording, the terminal shows nothing
    if isinstance(event, UtteranceEvent):
        u = event.utterance
        print(f"[{clock(u.start, pad=True)}] {u.role}: {u.text}", flush=True)
    elif isinstance(event, RevisionEvent):  # the second pass, read with more of the speaker
        u = event.utterance
        print(f"[{clock(u.start, pad=True)}] {u.role} (revised): {u.text}", flush=True)
    elif isinstance(event, RiskEvent):
        print(f"[{clock(event.flag.start, pad=True)}] RISK {describe.line(event.flag)}", flush=True)
    elif isinstance(event, StatusEvent):
        print(f"session-copilot: {event.level}: {event.message}", file=sys.stderr, flush=True)


def _sources(args: argparse.Namespace) -> list[FileSource] | None:
    if args.replay is None:
        return None
    from copilot.audio.files import probe

    info = probe(args.replay)
    if info.channels == 1:
        return [FileSource(args.replay, 0, "client")]
    return [FileSource(args.replay, 0, "therapist"), FileSource(args.replay, 1, "client")]


def _wait(stop: threading.Event, seconds: float | None, sources: list[FileSource] | None) -> None:
    """Until Ctrl-C, the time limit, or the end of a replayed recording."""
    deadline = time.monotonic() + seconds if seconds else None
    while not stop.wait(0.2):
        if deadline is not None and time.monotonic() >= deadline:
            return
        if sources and all(s.finished.is_set() for s in sources):
            stop.wait(1.0)  # the silence after the last words ends their utterance
            return


def run_live(args: argparse.Namespace, store: SessionStore, settings: Settings) -> int:
    mic = args.mic or settings.mic_device
    call = args.call or settings.call_device
    sources = _sources(args)
    if sources is None and not (mic or call):
        raise DeviceError("choose devices: --mic DEVICE and --call DEVICE (see `devices`)")
    options = LiveOptions(
        mic=mic,
        call=call,
        client_label=args.client_label,
        model=args.model or settings.asr_model,
        threads=settings.live_threads,
        keep_audio=bool(args.keep_audio) or settings.keep_audio,
        keep_audio_as=args.keep_audio or KEPT_AUDIO_DEFAULT,
        partials=not args.no_partials,
    )
    replay: list[AudioSource] | None = list(sources) if sources is not None else None
    live = LiveSession(options, store, settings, sources=replay)
    live.subscribe(printer)
    live.record_consent(Consent(given_by=args.consent_by, method=args.consent))
    stop = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        session_id = live.start()
        if sources is None and (args.mic or args.call):
            settings.mic_device, settings.call_device = mic, call
            settings.save()  # the choice is remembered
        print(f"session-copilot: recording session {session_id} (Ctrl-C stops)", file=sys.stderr)
        _wait(stop, args.seconds, sources)
    finally:
        signal.signal(signal.SIGINT, previous)
    print("session-copilot: stopping; analysing the session", file=sys.stderr, flush=True)
    result = live.stop()
    m = result.export.metrics
    print(
        f"session {session_id} · {clock(m.duration_s)} · {len(result.export.utterances)} "
        f"utterances · report kept encrypted (`session-copilot export {session_id} "
        "--report OUT.html` for a readable copy)"
    )
    return 0
