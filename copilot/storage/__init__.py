"""SQLite storage under COPILOT_HOME: schema migrations and the session repository."""

from copilot.storage.db import connect, database_path
from copilot.storage.repository import SessionStore

__all__ = ["SessionStore", "connect", "database_path"]
