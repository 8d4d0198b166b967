"""Trainee practice on stored sessions: pauses, answers, feedback, summaries and progress.

The flow's logic is here and pure (`flow`, `feedback`, `examples`); the window (`view`) and the
terminal (`cli`) drive the same functions. Answers are private: stored in their own tables
(copilot/storage/practice.py), never part of a session's export or a share bundle.
"""
