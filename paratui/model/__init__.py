"""Pure functions: events + classroom + schedule + clock → board state. No I/O, no Textual."""
