"""Data protection: private file modes, real deletion, retention."""
