"""Who spoke: one role per channel for stereo and live sources, clustering for mono recordings."""
