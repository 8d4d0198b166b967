"""The window: the only module that imports pywebview (lazily: it is the `window` extra).

The page is the static `ui/` folder loaded from disk (file://), so no HTTP server runs; the page
calls the Bridge through pywebview's js_api, and live events come back through the window.
Qt WebEngine on Linux, the platform's own web view elsewhere.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.errors import CopilotError, DependencyMissing
from copilot.window.bridge import Bridge
from copilot.window.start import RECORDING_TYPES

if TYPE_CHECKING:
    from copilot.settings import Settings
    from copilot.storage import SessionStore
    from copilot.storage.journal import JournalStore

TITLE = "Session Copilot"
CLI_ALTERNATIVES = (
    "use `session-copilot analyze PATH`, `session-copilot live ...` or `session-copilot demo`"
)
# Qt 6.5+ loads its X11 plugin only with these (Debian: libxcb-cursor0 libxcb-icccm4
# libxcb-keysyms1); without them Qt aborts the process instead of raising.
XCB_LIBRARIES = ("xcb-cursor", "xcb-icccm", "xcb-keysyms")
CLOSE_WHILE_RECORDING = (
    "A session is recording. Close the window? The recording stops and is kept and analysed."
)


def _webview() -> Any:
    try:
        import webview
    except ImportError as exc:
        raise DependencyMissing(
            "the window needs the window extra: pip install -e '.[window]'"
        ) from exc
    return webview


def ui_dir() -> Path:
    """The static page: COPILOT_UI_DIR, the source tree's ui/, or a copy inside the package."""
    override = os.environ.get("COPILOT_UI_DIR")
    package = Path(__file__).resolve().parent.parent  # copilot/
    for candidate in (Path(override) if override else None, package.parent / "ui", package / "ui"):
        if candidate is not None and (candidate / "index.html").is_file():
            return candidate
    raise CopilotError(f"the window's page (ui/index.html) is missing; {CLI_ALTERNATIVES}")


def check_display(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> None:
    """On Linux a window needs X11 or Wayland; say so in one line, with what works without."""
    if not platform.startswith("linux"):
        return
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        raise CopilotError(
            f"no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            f"{CLI_ALTERNATIVES}"
        )
    if _uses_xcb(env):
        missing = [name for name in XCB_LIBRARIES if ctypes.util.find_library(name) is None]
        if missing:
            packages = " ".join(f"lib{name}0" if name == "xcb-cursor" else f"lib{name}"
                                for name in missing)  # fmt: skip
            raise CopilotError(
                f"the window needs the system libraries {', '.join(missing)} (Debian/Ubuntu: "
                f"apt install {packages}); {CLI_ALTERNATIVES}"
            )


def _uses_xcb(env: Mapping[str, str]) -> bool:
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return not env.get("WAYLAND_DISPLAY")


def prepare_environment(env: MutableMapping[str, str] = os.environ) -> None:
    """Qt WebEngine's Chromium refuses its sandbox as root; it also needs nothing online. The page
    is the app's own, so its audio may start without a gesture Chromium recognises (practice
    plays a kept recording to each pause, the trainee having pressed Start or Next)."""
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    wanted = [
        "--disable-background-networking",
        "--disable-component-update",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        wanted.append("--no-sandbox")
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags + [f for f in wanted if f not in flags])


class WindowHost:
    """The Bridge's view of a pywebview window."""

    def __init__(self, webview: Any, window: Any):
        self._webview = webview
        self._window = window

    def run_js(self, script: str) -> None:
        self._window.run_js(script)

    def set_on_top(self, on_top: bool) -> None:
        self._window.on_top = on_top

    def choose_file(self) -> str | None:
        kinds = ";".join(f"*.{ext}" for ext in RECORDING_TYPES)
        chosen = self._window.create_file_dialog(
            self._webview.FileDialog.OPEN, file_types=(f"Recordings ({kinds})", "All files (*.*)")
        )
        return str(chosen[0]) if chosen else None


def create_window(
    bridge: Bridge, webview: Any | None = None, size: tuple[int, int] = (1180, 800), **options: Any
) -> Any:
    """The window on the static page; `options` go to pywebview (x, y, on_top ...)."""
    webview = webview or _webview()
    options.setdefault("on_top", bridge.prefs().on_top)
    page = ui_dir() / "index.html"
    window = webview.create_window(
        TITLE,
        url=page.as_uri(),  # a file:// address: pywebview starts no HTTP server for it
        js_api=bridge,
        width=size[0],
        height=size[1],
        min_size=(340, 420),
        text_select=True,
        background_color="#f6f6f3",
        localization={"global.quitConfirmation": CLOSE_WHILE_RECORDING},
        **options,
    )
    bridge.attach(WindowHost(webview, window))

    def closing() -> bool:
        # Runs on the GUI thread before the close: ask only while a session records.
        window.confirm_close = bridge.live_state() in ("recording", "paused")
        return True

    window.events.closing += closing
    return window


def run(bridge: Bridge, window: Any, func: Callable[[Any], None] | None = None) -> None:
    """The GUI loop, on this (the main) thread, until the window closes; `func` gets a thread."""
    webview = _webview()
    prepare_environment()
    gui = "qt" if sys.platform.startswith("linux") else None
    try:
        if func is None:
            webview.start(gui=gui, private_mode=True)
        else:
            webview.start(func, window, gui=gui, private_mode=True)
    except webview.errors.WebViewException as exc:
        raise DependencyMissing(
            f"the window could not start ({exc}); install the window extra: "
            f"pip install -e '.[window]'"
        ) from exc
    finally:
        if gui == "qt":
            _delete_closed_pages()
        bridge.shutdown()


def _delete_closed_pages() -> None:
    """Delete the closed window's web page now. pywebview queues its deletion just as the loop
    ends, too late to run, so the page outlived its profile at exit and Qt WebEngine aborted
    the process now and then ("Release of profile requested but WebEnginePage still not
    deleted")."""
    from qtpy.QtCore import QCoreApplication, QEvent  # the binding pywebview's Qt backend uses

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def open_window(
    store: SessionStore,
    journal: JournalStore,
    settings: Settings,
    review_session_id: str | None = None,
) -> int:
    """`session-copilot` with no command, or `session-copilot open SESSION_ID` for a review.
    The command's one store, journal and settings are passed to every view."""
    from copilot.protection import retention

    check_display()
    webview = _webview()
    if review_session_id:
        review_session_id = store.get(review_session_id).id  # a clear line if there is none
    bridge = Bridge(store, settings, review_session_id=review_session_id, journal=journal)
    window = create_window(bridge, webview)
    upkeep = retention.Daily(
        lambda: retention.apply(store, retention.plan(store, settings), "window")
    )
    upkeep.start()
    try:
        run(bridge, window)
    finally:
        upkeep.stop()
    return 0
