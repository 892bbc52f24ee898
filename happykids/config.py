"""Configuration from environment variables and an optional `.env` file.

Every problem with a setting becomes one plain sentence (`ConfigError`) naming it, because the person
running the bot should not have to read a pydantic traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from happykids.domain.clock import DEFAULT_TIMEZONE, zone


class ConfigError(Exception):
    """A setting is missing or malformed; the message is meant for a human."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(None, description="токен от @BotFather; нужен для run, в журнал не попадает")
    bot_api_url: str | None = Field(None, description="адрес своего сервера Bot API, например http://127.0.0.1:8081 "
                                                      "(без него — серверы Telegram)")
    data_dir: Path = Field(Path("./data"), description="папка для базы данных, чеков и файла блокировки")
    database_url: str | None = Field(None, description="адрес базы, например postgresql+asyncpg://user:pass@host/db "
                                                       "(нужен .[postgres]); без него — SQLite в DATA_DIR")
    fsm_storage_url: str | None = Field(None, description="redis://host:6379/0 — хранить шаги диалогов в Redis "
                                                          "(нужен .[redis]); без него — в базе")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, description="Telegram-id директора и "
                                                      "менеджеров через запятую")
    receipts_chat_id: int | None = Field(None, description="id группы, куда тоже приходит каждый чек")
    mega_email: str | None = Field(None, description="почта аккаунта MEGA для архива чеков (вместе с MEGA_PASSWORD)")
    mega_password: SecretStr | None = Field(None, description="пароль аккаунта MEGA")
    mega_folder: str = Field("HappyKids/Чеки", description="папка архива в MEGA")
    timezone: str = Field(DEFAULT_TIMEZONE, description="местное время агентства: даты в карточках, месяцы в "
                                                       "выгрузках, имена файлов")
    log_level: str = Field("INFO", description="подробность журнала: DEBUG, INFO, WARNING или ERROR")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be Telegram user ids (numbers) separated by commas, e.g. 12345,67890")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        zone(value)  # raises ValueError with a readable message
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("bot_api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        left, _, right = token.partition(":")
        if not left.isdigit() or not right:
            raise ValueError("does not look like a token from @BotFather (digits, a colon, then letters)")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'happykids.sqlite3').resolve()}"

    @property
    def mega_enabled(self) -> bool:
        return bool(self.mega_email and self.mega_password and self.mega_password.get_secret_value())

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN is not set: put the token from @BotFather into the environment or .env.")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "a setting"
        raise ConfigError(f"{name} is malformed: {_plain(err)}.") from None
    except (ValueError, TypeError) as exc:  # e.g. pydantic-settings failing to parse .env values
        raise ConfigError(f"Configuration is malformed: {exc}.") from None


def _plain(err: ErrorDetails) -> str:
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")
