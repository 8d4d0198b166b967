"""What the window scripts share: a display (Xvfb when there is none) and a driven window.

One window per process: Qt WebEngine does not survive a second window torn down in one process.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from copilot.window.bridge import Bridge


@contextmanager
def display(width: int = 1280, height: int = 900) -> Iterator[str]:
    """The current DISPLAY, or a private Xvfb for as long as the block runs."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with open(read, "rb") as pipe:
        name = f":{pipe.readline().decode().strip()}"
    os.environ["DISPLAY"] = name
    try:
        yield name
    finally:
        server.terminate()
        server.wait(10)


def wait(window: Any, script: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = window.evaluate_js(script)
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for: {script}")


def drive(bridge: Bridge, work: Callable[[Any], None], size: tuple[int, int] = (1180, 800)) -> None:
    """Open the window at the screen's corner, run `work(window)` once the page is ready."""
    from copilot.window.host import create_window, run

    window = create_window(bridge, size=size, x=0, y=0)
    failures: list[BaseException] = []

    def driver(window: Any) -> None:
        try:
            if not bridge.wait_ready(60):
                raise TimeoutError("the page never became ready")
            work(window)
        except BaseException as exc:
            failures.append(exc)
        finally:
            window.destroy()

    run(bridge, window, driver)
    if failures:
        raise failures[0]
