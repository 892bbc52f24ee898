"""Errors of the database layer that the command line turns into one sentence (kept free of heavy imports, so
`happykids` can catch them without loading SQLAlchemy first)."""


class MigrationFailed(Exception):
    """A schema upgrade failed; the message says so in one sentence and whether the old database is usable."""
