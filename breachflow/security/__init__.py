"""Personal-data safety: encryption at rest, master key, retention, scrubbing."""
