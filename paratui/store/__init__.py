"""The data folder on disk: reading, merging, watching and writing. Knows nothing of Textual."""
