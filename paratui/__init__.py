"""paratui — a live room board for special-education classroom teams."""

__version__ = "0.1.0"
