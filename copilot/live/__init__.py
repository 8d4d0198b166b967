"""A live session: capture, transcribe as people speak, analyse, store (see session.py)."""

from copilot.live.options import LiveOptions
from copilot.live.ring import Ring
from copilot.live.session import LiveSession

__all__ = ["LiveOptions", "LiveSession", "Ring"]
