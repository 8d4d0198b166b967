"""Analyses of a session: metrics, emotion, prosody, risk language and summaries."""
