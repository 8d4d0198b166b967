"""User-facing errors: each becomes one clear line at the CLI and a message in the window."""

from __future__ import annotations


class CopilotError(Exception):
    """An error the user can cause and fix. The message is one line, shown as is."""

    exit_code = 2


class InputFileError(CopilotError):
    """A path that is missing, a directory, empty, corrupt or not audio."""


class ChannelSpecError(CopilotError):
    """A channel/role spec that does not fit the recording."""


class ModelError(CopilotError):
    """An unknown model name, missing model files or a digest that does not match."""


class DeviceError(CopilotError):
    """No such audio device, or a device that failed."""


class ConsentError(CopilotError):
    """Recording was asked for without a recorded consent."""


class SessionNotFound(CopilotError):
    """No stored session has that id."""


class StorageError(CopilotError):
    """The database could not be read or written (disk full, corrupt file)."""


class AnalyserError(CopilotError):
    """A session analyser could not produce its result (no key, network, rate limit...)."""


class DependencyMissing(CopilotError):
    """An optional dependency is not installed; the message names the extra to install."""
