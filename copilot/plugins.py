"""Engines registered through one hook, the built-ins included.

A plugin is a module or object with `register(registry)`. The built-ins are registered the same
way a third party's are, through the `copilot.engines` entry-point group or DEFAULT_PLUGINS.

Kinds of engine and what their factories return:
- "asr": a `Transcriber` (copilot.transcription.engine), built from a model name and threads.
- "emotion": an `EmotionAnalyser`, reading client utterances into `EmotionReading`s.
- "session": a `SessionAnalyser`, turning a stored session into a `SessionSummary`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Literal, Protocol

from copilot.errors import CopilotError

if TYPE_CHECKING:
    from copilot.analysis.emotion_engine import EmotionAnalyser
    from copilot.domain import SessionExport, SessionSummary
    from copilot.transcription.engine import Transcriber

Kind = Literal["asr", "emotion", "session"]
Factory = Callable[..., Any]
DEFAULT_PLUGINS = ("copilot.engines",)
ENTRY_POINT_GROUP = "copilot.engines"


class SessionAnalyser(Protocol):
    """A "session" engine: a stored session's export in, its summary out."""

    def summarise(self, export: SessionExport) -> SessionSummary: ...


class EngineRegistry:
    def __init__(self) -> None:
        self._factories: dict[tuple[str, str], Factory] = {}

    def register(self, kind: Kind, name: str, factory: Factory) -> None:
        self._factories[(kind, name)] = factory

    def names(self, kind: Kind) -> list[str]:
        return sorted(name for k, name in self._factories if k == kind)

    def create(self, kind: Kind, name: str, **options: Any) -> Any:
        factory = self._factories.get((kind, name))
        if factory is None:
            known = ", ".join(self.names(kind)) or "none"
            raise CopilotError(f"no {kind} engine named {name!r} (known: {known})")
        return factory(**options)

    # Typed by kind: a factory returns Any, the callers get the engine's Protocol.

    def asr(self, name: str, **options: Any) -> Transcriber:
        engine: Transcriber = self.create("asr", name, **options)
        return engine

    def emotion(self, name: str, **options: Any) -> EmotionAnalyser:
        engine: EmotionAnalyser = self.create("emotion", name, **options)
        return engine

    def session(self, name: str, **options: Any) -> SessionAnalyser:
        engine: SessionAnalyser = self.create("session", name, **options)
        return engine


@cache
def registry() -> EngineRegistry:
    found = EngineRegistry()
    for module in DEFAULT_PLUGINS:
        import_module(module).register(found)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.value in DEFAULT_PLUGINS:
            continue
        plugin = point.load()
        plugin.register(found) if hasattr(plugin, "register") else plugin(found)
    return found
