"""A PulseAudio test rig: a private user daemon with a virtual call and a virtual microphone.

Both voices are played, in real time, as one stereo stream into a null sink (`speakers`): the
therapist on the left, the client on the right. Two sources split its monitor by channel: `mic`
(what the therapist's microphone picks up) and `call` (what the video call plays: the client).
They are the capture devices a live session records. One stream for both sides keeps them in
step: two players feeding two sinks drifted apart by up to 200 ms here whenever the loaded CPU
let one of them underrun, which no real room does. With `bleed_db`, the client's voice also
reaches the microphone (quieter and 20 ms late), as when the therapist uses loudspeakers.
Removing a side's source is a device vanishing; a silent default source (`quiet`) takes in
whatever the server moves away from it, so nothing is recorded from the other side instead.

The daemon runs from its own runtime folder with `-n` (no system configuration), anonymous
auth on its socket and no idle exit; PULSE_SERVER points this process (and so PortAudio's ALSA
`pulse` device and `pactl`) at it while the rig runs.

A new recording stream on a monitor delivers its first frames about two seconds after it opens
(measured here with PortAudio and with `parec` alike), and sound played meanwhile reaches it late.
So: start recording, wait until both sides deliver frames (`wait_for_frames`), then play.

    with AudioRig() as rig:
        ... start recording from rig.source("mic") and rig.source("call") ...
        playback = rig.play(stereo)           # (n, 2) float32 at 16 kHz: therapist, client
        playback.wait()

    python scripts/audio_rig.py DIR/session.ogg [--bleed-db 12]   # play a file through the rig
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]

RATE = 16_000
BLOCK_S = 0.1
PLAYER_LATENCY_MS = 100  # room for a busy CPU; heard this much after `Playback.started`
BLEED_DELAY_S = 0.02
START_TIMEOUT_S = 15.0
SIDES = ("mic", "call")  # source names, in the order of the stereo channels they take
CHANNELS = {"mic": "front-left", "call": "front-right"}
SPEAKERS = "speakers"
TOOLS = ("pulseaudio", "pactl", "pacat")


class RigError(RuntimeError):
    """The rig could not start (a tool is missing or the daemon refused)."""


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def with_bleed(stereo: Audio, bleed_db: float | None) -> Audio:
    """The microphone also hears the client from the loudspeakers, `bleed_db` dB down."""
    if bleed_db is None:
        return stereo
    delay = int(BLEED_DELAY_S * RATE)
    leak = np.zeros(len(stereo), np.float32)
    leak[delay:] = stereo[:-delay, 1]
    out = stereo.copy()
    out[:, 0] += leak * np.float32(10 ** (-abs(bleed_db) / 20))
    return out


@dataclass
class Playback:
    """Stereo audio streamed into the speakers by `pacat`, paced by the sink's clock.

    `started` is the monotonic time the first samples were sent to the server.
    """

    audio: Audio
    proc: subprocess.Popen[bytes] | None = None
    thread: threading.Thread | None = None
    started: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)

    def begin(self, server: str) -> None:
        self.proc = subprocess.Popen(
            [
                "pacat",
                "--playback",
                "--raw",
                f"--device={SPEAKERS}",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=2",
                "--channel-map=front-left,front-right",
                f"--latency-msec={PLAYER_LATENCY_MS}",
                "--client-name=rig-player",
            ],
            stdin=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PULSE_SERVER": server},
        )
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._feed, name="rig-player", daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        step = int(BLOCK_S * RATE)
        try:
            for at in range(0, len(self.audio), step):
                if self.stopped.is_set():
                    break
                self.proc.stdin.write(self.audio[at : at + step].astype("<f4").tobytes())
            self.proc.stdin.close()  # pacat drains what it holds, then exits
            self.proc.wait()
        except (BrokenPipeError, ValueError, OSError):
            pass  # stopped on purpose
        finally:
            self.done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def stop(self) -> None:
        self.stopped.set()
        if self.proc is not None and self.proc.poll() is None:
            _end(self.proc)
        if self.thread is not None:
            self.thread.join(timeout=3)
        self.done.set()


class AudioRig:
    """The daemon, its sinks and the players; a context manager that always cleans up."""

    def __init__(self, sides: tuple[str, ...] = SIDES, keep_log: Path | None = None):
        self.sides = sides
        self.keep_log = keep_log
        self.folder: Path | None = None
        self.server = ""
        self.pid: int | None = None
        self.modules: dict[str, int] = {}
        self._env_before: str | None = None
        self._playbacks: list[Playback] = []

    # lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> AudioRig:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        absent = missing_tools()
        if absent:
            raise RigError(f"the audio rig needs {', '.join(absent)} (pulseaudio-utils)")
        self.folder = Path(tempfile.mkdtemp(prefix="copilot-rig-"))
        runtime = self.folder / "pulse"
        runtime.mkdir()
        socket = runtime / "native"
        self.server = f"unix:{socket}"
        try:
            self._launch(runtime, socket)
            self._env_before = os.environ.get("PULSE_SERVER")
            os.environ["PULSE_SERVER"] = self.server
            self._load("quiet", "module-null-sink", "sink_name=quiet", "channels=1")
            self.pactl("set-default-sink", "quiet")  # where orphaned streams go: silence
            self.pactl("set-default-source", "quiet.monitor")
            self._load(
                SPEAKERS,
                "module-null-sink",
                f"sink_name={SPEAKERS}",
                "channels=2",
                "channel_map=front-left,front-right",
            )
            for side in self.sides:
                self.add_source(side)
        except BaseException:
            self.stop()
            raise

    def _launch(self, runtime: Path, socket: Path) -> None:
        assert self.folder is not None
        log = self.folder / "daemon.log"
        command = [
            "pulseaudio",
            "--daemonize=yes",
            "-n",  # no system default.pa: only what the rig loads
            "--exit-idle-time=-1",
            "--realtime=no",
            "--high-priority=no",
            "--disable-shm=yes",
            f"--log-target=file:{log}",
            f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
        ]
        env = {
            **os.environ,
            "HOME": str(self.folder),
            "XDG_RUNTIME_DIR": str(self.folder),
            "XDG_CONFIG_HOME": str(self.folder / "config"),
            "PULSE_RUNTIME_PATH": str(runtime),
        }
        env.pop("PULSE_SERVER", None)
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S
        )
        pid_file = runtime / "pid"
        if done.returncode != 0 or not pid_file.exists():
            detail = (done.stderr or "").strip() or _tail(log)
            raise RigError(f"pulseaudio did not start: {detail}")
        self.pid = int(pid_file.read_text().split()[0])
        deadline = time.monotonic() + START_TIMEOUT_S
        while self._pactl_env("info") is None:
            if time.monotonic() > deadline:
                raise RigError(f"pulseaudio does not answer on {socket}: {_tail(log)}")
            time.sleep(0.1)

    def stop(self) -> None:
        for playback in self._playbacks:
            playback.stop()
        self._playbacks.clear()
        if self.pid is not None:
            _terminate(self.pid)
            self.pid = None
        if self.server and os.environ.get("PULSE_SERVER") == self.server:
            if self._env_before is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = self._env_before
        if self.folder is not None:
            if self.keep_log is not None and (self.folder / "daemon.log").exists():
                shutil.copy(self.folder / "daemon.log", self.keep_log)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    @property
    def running(self) -> bool:
        return self.pid is not None and _alive(self.pid)

    # sinks ------------------------------------------------------------------------------------

    def pactl(self, *args: str) -> str:
        out = self._pactl_env(*args)
        if out is None:
            raise RigError(f"pactl {' '.join(args)} failed")
        return out

    def _pactl_env(self, *args: str) -> str | None:
        env = {**os.environ, "PULSE_SERVER": self.server}
        done = subprocess.run(["pactl", *args], env=env, capture_output=True, text=True, timeout=10)
        return done.stdout if done.returncode == 0 else None

    def _load(self, name: str, module: str, *args: str) -> None:
        index = self.pactl("load-module", module, f"rate={RATE}", *args)
        self.modules[name] = int(index.strip())

    def add_source(self, side: str) -> None:
        """A side's capture device: one channel of what the speakers play."""
        self._load(
            side,
            "module-remap-source",
            f"source_name={side}",
            f"master={SPEAKERS}.monitor",
            "channels=1",
            f"master_channel_map={CHANNELS[side]}",
            "channel_map=mono",
            "remix=no",
            f"source_properties=device.description=rig-{side}",
        )

    def remove_source(self, side: str) -> None:
        """The device vanishes (a microphone unplugged)."""
        self.pactl("unload-module", str(self.modules.pop(side)))

    def wait_for_frames(self, heard: dict[str, threading.Event], timeout: float = 10.0) -> None:
        """Until every recorder has delivered frames (each sets its event on its first block)."""
        deadline = time.monotonic() + timeout
        for side, event in heard.items():
            if not event.wait(max(0.0, deadline - time.monotonic())):
                raise RigError(f"no frames from the {side} recording after {timeout:.0f} s")

    def source(self, side: str) -> str:
        """The capture device name for a side."""
        return side

    # playing ----------------------------------------------------------------------------------

    def play(self, stereo: Audio, bleed_db: float | None = None) -> Playback:
        """Therapist (channel 0) to the microphone, client (channel 1) to the call, in real time."""
        if stereo.ndim != 2 or stereo.shape[1] != 2:
            raise ValueError("play takes stereo (n, 2) audio: therapist, client")
        playback = Playback(np.ascontiguousarray(with_bleed(stereo.astype(np.float32), bleed_db)))
        self._playbacks.append(playback)
        playback.begin(self.server)
        return playback


def _end(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _tail(log: Path, lines: int = 5) -> str:
    if not log.exists():
        return "(no log)"
    return " | ".join(log.read_text(errors="replace").splitlines()[-lines:])


def main() -> None:
    parser = argparse.ArgumentParser(description="Play a stereo session through the rig.")
    parser.add_argument("audio", type=Path, help="stereo: therapist left, client right")
    parser.add_argument("--bleed-db", type=float, help="client into the microphone, dB down")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import speech

    stereo, rate = speech.read_audio(args.audio)
    if rate != RATE:
        raise SystemExit(f"{args.audio}: expected {RATE} Hz, got {rate}")
    with AudioRig() as rig:
        print(f"PULSE_SERVER={rig.server}  sources: mic call", flush=True)
        playback = rig.play(stereo, args.bleed_db)
        playback.wait()


if __name__ == "__main__":
    main()
