"""Speech recognition: model files, the faster-whisper engine, and what cleans its output."""
