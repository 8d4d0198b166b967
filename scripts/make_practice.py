"""Store and analyse the project's practice sessions (text only) in COPILOT_HOME's database.

    .venv/bin/python scripts/make_practice.py

The same as `session-copilot practice --make-sessions`.
"""

from __future__ import annotations

import sys

from copilot.practice.material import store_practice_sessions
from copilot.storage import SessionStore


def main() -> int:
    store = SessionStore()
    try:
        for session_id in store_practice_sessions(store):
            print(session_id)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
