"""Who spoke: one role per channel for stereo and live sources; for mono recordings, voices
told apart word by word by the bundled speaker encoder (voices.py), roles by a stated rule
(roles.py)."""
