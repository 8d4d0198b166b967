"""`session-copilot devices` and `live`: the audio inputs, and a live session in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from copilot.cli.context import Commands, Context
from copilot.settings import KEPT_AUDIO, KEPT_AUDIO_DEFAULT

HANDLERS = Commands()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("devices", help="list audio inputs (and the remembered choice)")
    live = sub.add_parser("live", help="transcribe a live session from the mic and call audio")
    live.add_argument("--mic", metavar="DEVICE", help="the therapist's microphone")
    live.add_argument("--call", metavar="DEVICE", help="the call's audio (output monitor/loopback)")
    live.add_argument(
        "--replay", type=Path, metavar="FILE", help="replay a recording instead of devices"
    )
    live.add_argument(
        "--consent",
        choices=["verbal", "written"],
        required=True,
        help="how the client consented to this recording",
    )
    live.add_argument("--consent-by", default="client", metavar="WHO", help="who consented")
    live.add_argument("--client-label", default="Client", metavar="ALIAS")
    live.add_argument("--seconds", type=float, help="stop after this many seconds")
    live.add_argument("--no-partials", action="store_true", help="final text only")
    live.add_argument("--model", metavar="NAME_OR_PATH", help="speech model (default tiny.en)")
    live.add_argument(
        "--keep-audio",
        nargs="?",
        const=KEPT_AUDIO_DEFAULT,
        choices=KEPT_AUDIO,
        help="keep the audio after the session: ogg (Opus, small) or flac (lossless)",
    )


@HANDLERS.command("devices")
def devices(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.audio.capture import list_devices

    settings = ctx.settings
    for d in list_devices():
        marks = [
            m
            for m, dev in (("mic", settings.mic_device), ("call", settings.call_device))
            if dev == d.name
        ]
        tag = f"  <- remembered {'/'.join(marks)}" if marks else ""
        print(
            f"{d.index:>3}  {d.name}  ({d.hostapi}, {d.max_input_channels} ch, "
            f"{d.default_samplerate:.0f} Hz){tag}"
        )
    try:
        from copilot.audio.pulse import pulse_sources
    except ImportError:
        return 0
    for name in pulse_sources():
        print(f"  -  {name}  (PulseAudio source)")
    return 0


@HANDLERS.command("live")
def live(args: argparse.Namespace, ctx: Context) -> int:
    from copilot.live.console import run_live

    return run_live(args, ctx.store, ctx.settings)
