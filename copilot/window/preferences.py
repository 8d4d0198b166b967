"""The window's preferences: font size, staying on top, and whether reminders show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from copilot.settings import Settings, home
from copilot.window.support import Host, Result, answers


class WindowPrefs(BaseModel):
    font_scale: float = Field(default=1.0, ge=0.75, le=2.0)
    on_top: bool = False


def load_prefs() -> WindowPrefs:
    try:
        return WindowPrefs.model_validate_json((home() / "window.json").read_text("utf-8"))
    except (OSError, ValueError):
        return WindowPrefs()


class PreferencesApi:
    def __init__(self, settings: Settings, host: Callable[[], Host | None]):
        self._settings = settings
        self._host = host

    @answers
    def set_prefs(self, changes: dict[str, Any]) -> Result:
        prefs = load_prefs().model_copy(update=dict(changes))
        prefs = WindowPrefs.model_validate(prefs.model_dump())
        path = home() / "window.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(prefs.model_dump_json(), encoding="utf-8")
        return {"prefs": prefs.model_dump()}

    @answers
    def set_on_top(self, on_top: bool) -> Result:
        host = self._host()
        if host is not None:
            host.set_on_top(bool(on_top))
        return self.set_prefs({"on_top": bool(on_top)})

    @answers
    def set_reminders(self, on: bool) -> Result:
        self._settings.reminders = bool(on)
        self._settings.save()
        return {"enabled": self._settings.reminders}
