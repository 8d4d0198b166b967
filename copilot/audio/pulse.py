"""PulseAudio sources (Linux) reached through PortAudio's ALSA `pulse` device.

Debian's PortAudio has no PulseAudio host API: PortAudio lists the ALSA `pulse` plugin device,
which records from the server's default source unless the client asks for another one. libpulse
reads PULSE_SOURCE when the plugin opens its connection, so a stream is opened with that variable
set to the source the therapist chose (a microphone or an output's `.monitor` for the call).
PipeWire's pulse server answers the same way. Only `pactl` is used here, no sounddevice.

A source that disappears is not an error to PortAudio: the server moves the stream to another
source, and it would go on recording the wrong thing. `SourceWatch` follows the server's events
and reports the removal, so the session can say so and retry the source the therapist chose.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from copilot.errors import DeviceError

PORTAUDIO_DEVICE = "pulse"  # the ALSA plugin device, from libasound2-plugins
PACTL_TIMEOUT_S = 5.0
_REMOVED = re.compile(r"Event 'remove' on source #(\d+)")
_env_lock = threading.Lock()  # PULSE_SOURCE is process-wide: one stream opens at a time


def _pactl(*args: str) -> str | None:
    """pactl's output, or None when there is no pactl or no server to talk to."""
    if shutil.which("pactl") is None:
        return None
    try:
        done = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=PACTL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def source_indices() -> dict[str, int]:
    """Every PulseAudio source by name (microphones and monitors), with its server index."""
    found: dict[str, int] = {}
    for line in (_pactl("list", "short", "sources") or "").splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0].isdigit():
            found[fields[1]] = int(fields[0])
    return found


def pulse_sources() -> list[str]:
    return list(source_indices())


def portaudio_name_for(source: str) -> str:
    """The PortAudio device that records `source` (opened inside `selecting(source)`)."""
    if source not in source_indices():
        raise DeviceError(f"no PulseAudio source {source!r} (see `session-copilot devices`)")
    return PORTAUDIO_DEVICE


@contextmanager
def selecting(source: str) -> Iterator[None]:
    """Streams opened inside this block record from `source`."""
    with _env_lock:
        before = os.environ.get("PULSE_SOURCE")
        os.environ["PULSE_SOURCE"] = source
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = before


class SourceWatch:
    """Calls `gone` once when the named source is removed from the server."""

    def __init__(self, source: str, gone: Callable[[], None]):
        self.source = source
        self._gone = gone
        self._fired = threading.Event()
        self._proc: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if shutil.which("pactl") is None:
            return
        self._proc = subprocess.Popen(
            ["pactl", "subscribe"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        index = source_indices().get(self.source)  # read after subscribing: no gap
        self._thread = threading.Thread(
            target=self._follow, args=(index,), name=f"watch-{self.source}", daemon=True
        )
        self._thread.start()

    def _follow(self, index: int | None) -> None:
        if index is None:
            self._fire()
            return
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            match = _REMOVED.search(line)
            if match and int(match.group(1)) == index:
                self._fire()
                return

    def _fire(self) -> None:
        if not self._fired.is_set():
            self._fired.set()
            self._gone()

    @property
    def fired(self) -> bool:
        return self._fired.is_set()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
