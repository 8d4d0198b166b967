"""Audio sources. Inside the program audio is float32 at 16 kHz; sources convert at their edge."""

from copilot.audio.files import SAMPLE_RATE

__all__ = ["SAMPLE_RATE"]
