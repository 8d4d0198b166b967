"""Session Copilot: a private, local companion for psychotherapists."""

__version__ = "0.1.0"
