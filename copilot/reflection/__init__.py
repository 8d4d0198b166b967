"""After the session: reflection prompts for the therapist, a private journal, check-ins, trends.

Everything here is the therapist's own and stays in its own database (`journal.sqlite3` under
COPILOT_HOME), apart from the clinical session data: nothing in it reaches a session export or
share unless the therapist includes an entry on purpose.

- prompts.py      3–5 prompts grounded in moments of one session (time and verbatim quote)
- moments.py      the moments a prompt can stand on, each with its verbatim quote
- questions.py    the questions as worded locally, and the cues in the talk that choose them
- journal.py      the private journal database and its entries
- instruments.py  the instrument file format, its checks, and the one scoring engine
- checkins.py     running a check-in, with the day's load beside it
- trends.py       weekly trends as SVG (and PNG with Pillow), and gentle suggestions
- reminders.py    an optional, snoozable reminder at session end
- wording.py      Claude's wording, through one lazily imported function, checked, with a
                  fallback to the local wording
- api.py          the same for the window: plain, JSON-ready dicts and lists
"""
