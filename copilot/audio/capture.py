"""Audio devices: the only module that imports sounddevice.

The PortAudio callback only copies frames into a queue; conversion happens on the reader's side.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from copilot.audio.levels import FLOOR_DB, dbfs
from copilot.domain import Role
from copilot.errors import DependencyMissing, DeviceError

Deliver = Callable[[np.ndarray], None]
ErrorSink = Callable[[str], None]
STARTUP_GAP_S = 0.05  # a stream that begins later than this is padded from its start
SETTLE_BLOCKS = 15  # callbacks held at the start to find when the first sample was heard
FIRST_FRAMES_WAIT_S = 3.0
_open_streams = 0
_streams_lock = threading.Lock()


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float
    pulse_source: str | None = None  # a PulseAudio source recorded through this device


def _sd() -> Any:
    try:
        import sounddevice
    except ImportError as exc:
        raise DependencyMissing(
            "live capture needs the live extra: pip install -e '.[live]'"
        ) from exc
    except OSError as exc:  # the PortAudio library itself is missing
        raise DeviceError(f"PortAudio is not available ({exc}); install libportaudio2") from exc
    return sounddevice


def refresh() -> None:
    """Re-scan devices (PortAudio lists them once, at initialisation).

    Never while a stream is open: re-initialising PortAudio would close it.
    """
    with _streams_lock:
        if _open_streams:
            return
        sd = _sd()
        sd._terminate()
        sd._initialize()


def list_devices() -> list[DeviceInfo]:
    sd = _sd()
    apis = [api["name"] for api in sd.query_hostapis()]
    return [
        DeviceInfo(
            i, d["name"], apis[d["hostapi"]], d["max_input_channels"], d["default_samplerate"]
        )
        for i, d in enumerate(sd.query_devices())
        if d["max_input_channels"] > 0
    ]


def resolve(name: str) -> DeviceInfo:
    """A device by index, exact name, or a unique part of its name; Pulse sources on Linux."""
    devices = list_devices()
    if name.isdigit():
        match = [d for d in devices if d.index == int(name)]
    else:
        match = [d for d in devices if d.name == name] or [
            d for d in devices if name.lower() in d.name.lower()
        ]
    if len(match) == 1:
        return match[0]
    if not match:
        pulse_device = _pulse_device(name)
        if pulse_device is not None:
            return pulse_device
        raise DeviceError(f"no input device {name!r} (see `session-copilot devices`)")
    names = ", ".join(d.name for d in match[:4])
    raise DeviceError(f"input device {name!r} is ambiguous: {names}")


def _pulse_device(name: str) -> DeviceInfo | None:
    """A PulseAudio source (e.g. `call.monitor`) as the ALSA pulse device that records it."""
    try:
        from copilot.audio import pulse
    except ImportError:
        return None
    if name not in pulse.pulse_sources():
        return None
    device = pulse.portaudio_name_for(name)
    found = [d for d in list_devices() if d.name == device]
    if not found:  # the server started after PortAudio looked
        refresh()
        found = [d for d in list_devices() if d.name == device]
    if not found:
        raise DeviceError(
            f"PulseAudio source {name!r} exists but PortAudio has no {device!r} device "
            "(install the ALSA pulse plugin: libasound2-plugins)"
        )
    return replace(found[0], pulse_source=name)


class _Timeline:
    """Keeps a device's frames on the session clock when the device drops some.

    PulseAudio's ALSA plugin starts delivering up to two seconds after the stream starts and
    drops what came before; an overrun drops frames too. The missing time is filled with silence,
    so both sources stay aligned (bleed checks compare them moment by moment). The first frames
    are held for SETTLE_BLOCKS callbacks: the least delayed of them tells when the stream's first
    sample was heard (PortAudio's own timestamps from that plugin are half a second off).
    """

    def __init__(self, rate: int, channels: int):
        self.rate, self.channels = rate, channels
        self.began = time.monotonic()
        self.first_sample = float("inf")
        self.frames = 0  # frames the device gave
        self.delivered = 0  # frames passed on, silence included
        self.held: list[np.ndarray] = []
        self.settled = False

    def place(self, block: np.ndarray, overflowed: bool) -> list[np.ndarray]:
        """What to deliver now for this block: nothing yet, or silence and frames in order."""
        now = time.monotonic()
        self.frames += len(block)
        if not self.settled:
            self.first_sample = min(self.first_sample, now - self.frames / self.rate)
            self.held.append(block)
            if len(self.held) < SETTLE_BLOCKS:
                return []
            self.settled = True
            out = self._silence(self.first_sample - self.began) + self.held
            self.held = []
            self.delivered += self.frames
            return out
        out = []
        if overflowed:  # frames were lost: catch up with the clock
            out = self._silence(now - self.first_sample - (self.delivered - self._lead) / self.rate)
        self.delivered += len(block)
        return [*out, block]

    @property
    def _lead(self) -> int:
        return round((self.first_sample - self.began) * self.rate)

    def _silence(self, seconds: float) -> list[np.ndarray]:
        if seconds < STARTUP_GAP_S:
            return []
        n = round(seconds * self.rate)
        self.delivered += n
        return [np.zeros((n, self.channels), dtype=np.float32)]


class DeviceSource:
    """One input device as a session source with a role."""

    def __init__(self, device: str, role: Role, blocksize_s: float = 0.02, pad_gaps: bool = True):
        self.device_name = device
        self.pad_gaps = pad_gaps
        self.role = role
        self.name = device
        self.blocksize_s = blocksize_s
        self.info = resolve(device)
        self.sample_rate = int(self.info.default_samplerate)
        self.channels = 1
        self._stream: Any = None
        self._watch: Any = None
        self._started_once = False
        self._closing = threading.Event()

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None:
        sd = _sd()
        if self._started_once:  # a device that came back may have a new index
            self.info = resolve(self.device_name)
        self._started_once = True
        self._closing.clear()
        gone = threading.Event()
        timeline = _Timeline(self.sample_rate, self.channels)

        def callback(indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            if gone.is_set():
                return  # the server moved the stream to another source: not ours to record
            if not self.pad_gaps:
                deliver(indata.copy())
                return
            for block in timeline.place(indata.copy(), bool(status.input_overflow)):
                deliver(block)  # copies and silence only: the rest happens off this thread

        def finished() -> None:
            if not self._closing.is_set():
                on_error(f"{self.role} audio device {self.name!r} stopped")

        def vanished() -> None:
            gone.set()
            on_error(f"{self.role} audio device {self.name!r} disappeared")

        try:
            with self._selected():
                self._stream = sd.InputStream(
                    device=self.info.index,
                    channels=self.channels,
                    samplerate=self.sample_rate,
                    dtype="float32",
                    blocksize=int(self.sample_rate * self.blocksize_s),
                    callback=callback,
                    finished_callback=finished,
                )
            _count_stream(+1)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._release()
            raise DeviceError(f"cannot open {self.role} device {self.name!r}: {exc}") from exc
        self._watch_source(vanished)

    def _selected(self) -> contextlib.AbstractContextManager[None]:
        if self.info.pulse_source is None:
            return contextlib.nullcontext()
        from copilot.audio import pulse

        return pulse.selecting(self.info.pulse_source)

    def _watch_source(self, vanished: Callable[[], None]) -> None:
        if self.info.pulse_source is None:
            return
        from copilot.audio import pulse

        self._watch = pulse.SourceWatch(self.info.pulse_source, vanished)
        self._watch.start()

    def stop(self) -> None:
        self._closing.set()
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
        self._release()

    def _release(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        _count_stream(-1)
        try:
            stream.stop(ignore_errors=True)
            stream.close(ignore_errors=True)
        except Exception:  # a vanished device may fail to close; it is gone either way
            pass

    @property
    def active(self) -> bool:
        return bool(self._stream is not None and self._stream.active)


def _count_stream(step: int) -> None:
    global _open_streams
    with _streams_lock:
        _open_streams += step


def level_meter(device: str, seconds: float = 0.2) -> float:
    """The RMS level (dBFS) a device hears now: for the start screen's meters."""
    source = DeviceSource(device, "unknown", pad_gaps=False)
    frames: queue.Queue[np.ndarray] = queue.Queue()
    source.start(frames.put, lambda _message: None)
    try:
        with contextlib.suppress(queue.Empty):  # PulseAudio streams take a moment to begin
            frames.put(frames.get(timeout=FIRST_FRAMES_WAIT_S))
        time.sleep(seconds)
    finally:
        source.stop()
    blocks = []
    while not frames.empty():
        blocks.append(frames.get())
    if not blocks:
        return FLOOR_DB
    return dbfs(np.concatenate(blocks))
