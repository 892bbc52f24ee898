"""`happykids demo`: the real bot in a terminal, against the Bot API emulator (no token, no network)."""
