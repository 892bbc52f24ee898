"""Logging that never prints the bot token and says a 409 Conflict once, in plain words."""

from __future__ import annotations

import logging
import re

TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{10,}")


class RedactTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg, record.args = TOKEN_RE.sub("<token>", message), ()
        return True


class ConflictOnceFilter(logging.Filter):
    """aiogram logs every failed poll; for a 409 (another copy elsewhere) say it once until it clears."""

    TEXT = ("Telegram says another copy of this bot is polling with the same token (409 Conflict). "
            "This copy keeps retrying quietly; stop the other copy.")

    def __init__(self) -> None:
        super().__init__()
        self.in_conflict = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "TelegramConflictError" in message:
            if self.in_conflict:
                return False
            self.in_conflict = True
            record.msg, record.args = self.TEXT, ()
            return True
        if self.in_conflict and message.startswith("Sleep for"):
            return False
        if self.in_conflict and "Connection established" in message:
            self.in_conflict = False
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter())
    handler.addFilter(ConflictOnceFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiogram says "Update id=… is handled" for every update: useful when debugging, noise (and a cost per
    # update) in production. INFO keeps start, stop, failures and what the operator must act on.
    if root.level > logging.DEBUG:
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
