"""The receipt archive's vocabulary: what kind of trouble it is in, which decides what the director is told."""

from enum import StrEnum


class ArchiveErrorKind(StrEnum):
    LOGIN = "login"  # MEGA refused the e-mail or password: only a human can fix it (tell the admins once)
    UNREACHABLE = "unreachable"  # MEGA did not answer the login check: it heals by itself
    UPLOAD = "upload"  # storing a receipt failed (the outbox retries it with back-off)
