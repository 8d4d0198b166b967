"""The built-in engines, registered through the same hook a plugin uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copilot.plugins import EngineRegistry


def register(registry: EngineRegistry) -> None:
    registry.register("asr", "faster-whisper", _whisper)
    registry.register("emotion", "local", _local_emotion)
    registry.register("session", "local", _local_summary)
    registry.register("session", "claude", _claude_summary)


def _whisper(model: str = "tiny.en", threads: int = 2, **_: Any) -> Any:
    from copilot.transcription.engine import WhisperEngine
    from copilot.transcription.models import resolve

    return WhisperEngine(resolve(model), threads=threads)


def _local_emotion(**_: Any) -> Any:
    from copilot.analysis.emotion_engine import LocalEmotionAnalyser

    return LocalEmotionAnalyser()


def _local_summary(**_: Any) -> Any:
    from copilot.analysis.summary import LocalSessionAnalyser

    return LocalSessionAnalyser()


def _claude_summary(**options: Any) -> Any:
    from copilot.analysis.claude import ClaudeSessionAnalyser

    return ClaudeSessionAnalyser(**options)
