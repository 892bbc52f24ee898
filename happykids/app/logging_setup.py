"""Logging for the operator: readable lines by default, one JSON object per line with LOG_FORMAT=json.

Never in the log: the bot token (anything shaped like one), the MEGA password, the passwords inside
DATABASE_URL / FSM_STORAGE_URL; redaction runs on the finished text, tracebacks included. Receipts' contents are
never logged by the code in the first place (only ids and file names). Every line written while an update is
handled carries its update_id and user_id (handlers/log_context.py). A 409 Conflict is said once, in plain words.

The JSON formatter is a few lines over the standard library's json: a dependency (python-json-logger) would
add little for one flat object per line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from happykids.config import Settings
from happykids.handlers.log_context import update_id_var, user_id_var

TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{10,}")


class RedactTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg, record.args = TOKEN_RE.sub("<token>", message), ()
        return True


class UpdateContextFilter(logging.Filter):
    """Puts the update's id and the person's id on the record (None outside an update)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = update_id_var.get()
        record.user_id = user_id_var.get()
        return True


# How app/polling.py starts the line after each failed poll; the 409 filter below hides it during a conflict.
RETRY_LINE = "Следующий запрос к Telegram"


class ConflictOnceFilter(logging.Filter):
    """Every failed poll is logged (app/polling.py); for a 409 (another copy elsewhere) say it once until it clears."""

    TEXT = ("Telegram сообщает, что с тем же токеном работает другая копия бота (409 Conflict): остановите её, "
            "а эта копия пока тихо повторяет запросы.")

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
        if self.in_conflict and message.startswith(RETRY_LINE):
            return False
        if self.in_conflict and "Connection established" in message:
            self.in_conflict = False
        return True


class _Redacting:
    def __init__(self, secrets: Iterable[str]):
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        text = TOKEN_RE.sub("<token>", text)
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return text


class TextFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redacting = _Redacting(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            first, newline, rest = line.partition("\n")
            line = f"{first} [update {update_id} user {getattr(record, 'user_id', None)}]{newline}{rest}"
        return self._redacting.redact(line)


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self._redacting = _Redacting(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name,
            "message": self._redacting.redact(record.getMessage()),
        }
        for key in ("update_id", "user_id"):
            if getattr(record, key, None) is not None:
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self._redacting.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def secret_values(settings: Settings) -> list[str]:
    """The values that must never reach the log."""
    values = []
    if settings.bot_token is not None:
        values.append(settings.bot_token.get_secret_value())
    if settings.mega_password is not None:
        values.append(settings.mega_password.get_secret_value())
    for url in (settings.database_url, settings.fsm_storage_url):
        try:
            password = make_url(url).password if url else None
        except ArgumentError:
            password = None
        if password:
            values.append(str(password))
    return values


def setup_logging(level: str = "INFO", log_format: str = "text", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    secrets = list(secrets)
    handler.setFormatter(JsonFormatter(secrets) if log_format == "json" else TextFormatter(secrets))
    handler.addFilter(RedactTokenFilter())
    handler.addFilter(ConflictOnceFilter())
    handler.addFilter(UpdateContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiogram says "Update id=… is handled" for every update: useful when debugging, noise (and a cost per
    # update) in production. INFO keeps start, stop, failures and what the operator must act on.
    if root.level > logging.DEBUG:
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def setup_logging_from(settings: Settings) -> None:
    """`happykids run`: level, format and the secrets to hide, from the settings."""
    setup_logging(settings.log_level, settings.log_format, secret_values(settings))
