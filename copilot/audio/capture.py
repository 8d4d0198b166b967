"""Audio devices: the only module that imports sounddevice.

The PortAudio callback only copies frames into a queue; conversion happens on the reader's side.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.domain import Role
from copilot.errors import DependencyMissing, DeviceError

Deliver = Callable[[np.ndarray], None]
ErrorSink = Callable[[str], None]


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float


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
    """Re-scan devices (PortAudio lists them once, at initialisation)."""
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
        pulse_name = _pulse_device(name)
        if pulse_name:
            return resolve(pulse_name)
        raise DeviceError(f"no input device {name!r} (see `session-copilot devices`)")
    names = ", ".join(d.name for d in match[:4])
    raise DeviceError(f"input device {name!r} is ambiguous: {names}")


def _pulse_device(name: str) -> str | None:
    try:
        from copilot.audio import pulse
    except ImportError:
        return None
    if name not in pulse.pulse_sources():
        return None
    device: str = pulse.portaudio_name_for(name)
    refresh()
    return device


class DeviceSource:
    """One input device as a session source with a role."""

    def __init__(self, device: str, role: Role, blocksize_s: float = 0.02):
        self.device_name = device
        self.role = role
        self.name = device
        self.blocksize_s = blocksize_s
        self.info = resolve(device)
        self.sample_rate = int(self.info.default_samplerate)
        self.channels = 1
        self._stream: Any = None
        self._started_once = False

    def start(self, deliver: Deliver, on_error: ErrorSink) -> None:
        sd = _sd()
        if self._started_once:  # a device that came back may have a new index
            self.info = resolve(self.device_name)
        self._started_once = True

        def callback(indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            deliver(indata.copy())  # only a copy: everything else happens off this thread

        def finished() -> None:
            on_error(f"{self.role} audio device {self.name!r} stopped")

        try:
            self._stream = sd.InputStream(
                device=self.info.index,
                channels=self.channels,
                samplerate=self.sample_rate,
                dtype="float32",
                blocksize=int(self.sample_rate * self.blocksize_s),
                callback=callback,
                finished_callback=finished,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._stream = None
            raise DeviceError(f"cannot open {self.role} device {self.name!r}: {exc}") from exc

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception:  # a vanished device may fail to close; it is gone either way
                pass

    @property
    def active(self) -> bool:
        return bool(self._stream is not None and self._stream.active)


def level_meter(device: str, seconds: float = 0.2) -> float:
    """The RMS level (dBFS) a device hears now: for the start screen's meters."""
    info = resolve(device)
    sd = _sd()
    frames: queue.Queue[np.ndarray] = queue.Queue()
    with sd.InputStream(
        device=info.index,
        channels=1,
        samplerate=info.default_samplerate,
        callback=lambda data, *_: frames.put(data.copy()),
    ):
        sd.sleep(int(seconds * 1000))
    blocks = []
    while not frames.empty():
        blocks.append(frames.get())
    if not blocks:
        return -120.0
    data = np.concatenate(blocks)
    rms = float(np.sqrt(np.mean(np.square(data, dtype=np.float64))))
    return 20 * float(np.log10(max(rms, 1e-6)))
