"""Configuration from environment variables and an optional `.env` file.

Every problem with a setting becomes one plain sentence (`ConfigError`) naming it, because the person
running the bot should not have to read a pydantic traceback. `load_settings` (what every command uses)
also checks what a setting needs from the machine before anything else starts: that DATA_DIR is a folder
this user can write to, and that the driver a DATABASE_URL or FSM_STORAGE_URL needs is installed (the
extras `.[postgres]` and `.[redis]`). Whether the servers answer is checked later, at start-up
(app/preflight.py): `happykids catalog export` should not need Redis.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from happykids.domain.clock import DEFAULT_TIMEZONE, zone
from happykids.domain.os_errors import os_reason

WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram delivers webhooks to


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
    database_pool_size: int | None = Field(None, ge=12, le=1000, description="PostgreSQL: сколько подключений "
                                           "держит одна копия бота (по умолчанию 60, обновлений одновременно — на "
                                           "10 меньше); для нескольких копий: копии × (число + 10) ≤ "
                                           "max_connections сервера")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, description="Telegram-id директора и "
                                                      "менеджеров через запятую")
    receipts_chat_id: int | None = Field(None, description="id группы, куда тоже приходит каждый чек")
    mega_email: str | None = Field(None, description="почта аккаунта MEGA для архива чеков (вместе с MEGA_PASSWORD)")
    mega_password: SecretStr | None = Field(None, description="пароль аккаунта MEGA")
    mega_folder: str = Field("HappyKids/Чеки", description="папка архива в MEGA")
    timezone: str = Field(DEFAULT_TIMEZONE, description="местное время агентства: даты в карточках, месяцы в "
                                                       "выгрузках, имена файлов")
    log_level: str = Field("INFO", description="подробность журнала: DEBUG, INFO, WARNING или ERROR")

    # --- Operations (issue #11): health, backups, logs. Kept in one block; docs/operations.md explains each. ---
    health_port: int | None = Field(None, description="порт, на котором работающий бот отвечает на "
                                    "GET /healthz (только 127.0.0.1)")
    health_max_poll_age: int = Field(120, description="сколько секунд без ответа Telegram на getUpdates бот ещё "
                                     "считается здоровым")
    health_archive_stuck_minutes: int = Field(60, description="сколько минут старейший чек может ждать архива, "
                                              "прежде чем health скажет, что очередь стоит")
    backup_enabled: bool = Field(True, description="ежедневная резервная копия в DATA_DIR/backups (и в MEGA, "
                                 "если она настроена): true или false")
    backup_time: str = Field("03:30", description="во сколько делать ежедневную копию, ЧЧ:ММ по TIMEZONE")
    backup_keep: int = Field(14, description="сколько ежедневных копий хранить в DATA_DIR/backups")
    log_format: str = Field("text", description="вид журнала: text (для людей) или json (одна строка — один "
                            "объект)")

    @field_validator("backup_time")
    @classmethod
    def _check_backup_time(cls, value: str) -> str:
        hours, _, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("нужно время суток ЧЧ:ММ, например BACKUP_TIME=03:30")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("нужно text или json")
        return value.lower()

    @field_validator("backup_keep", "health_max_poll_age", "health_archive_stuck_minutes")
    @classmethod
    def _check_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("нужно целое число больше нуля")
        return value
    # --- end of operations settings ---

    # --- Webhook mode (issue #14): Telegram POSTs updates to WEBHOOK_URL instead of long polling. ---
    webhook_url: str | None = Field(None, description="публичный адрес HTTPS, на который Telegram присылает "
                                    "обновления, например https://bot.example.com/telegram (порт 443, 80, 88 или "
                                    "8443); с ним бот работает через вебхук, без него — long polling")
    webhook_secret: SecretStr | None = Field(None, description="секрет вебхука (1–256 символов: латинские буквы, "
                                             "цифры, _ и -); Telegram присылает его в каждом запросе; обязателен "
                                             "с WEBHOOK_URL")
    webhook_host: str = Field("0.0.0.0", description="на каком адресе бот принимает запросы вебхука (за "  # noqa: S104
                              "обратным прокси можно 127.0.0.1)")
    webhook_port: int = Field(8080, description="на каком порту бот принимает запросы вебхука (обратный прокси "
                              "с HTTPS передаёт их сюда)")

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url_blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        own_server = bool(info.data.get("bot_api_url"))  # a self-hosted Bot API (--local) takes http and any port
        if parts.scheme not in (("https", "http") if own_server else ("https",)) or not parts.hostname:
            raise ValueError("нужен полный адрес HTTPS, например https://bot.example.com/telegram: Telegram "
                             "присылает обновления только по HTTPS")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("в адресе неверный порт") from None
        if not own_server and port not in (None, *WEBHOOK_PORTS):
            raise ValueError(f"Telegram присылает обновления только на порты 443, 80, 88 и 8443, а в адресе {port}")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("нужно от 1 до 256 символов: латинские буквы, цифры, _ и - (например, вывод "
                             "`openssl rand -hex 32`)")
        return value

    @field_validator("webhook_port")
    @classmethod
    def _check_webhook_port(cls, value: int) -> int:
        if not 0 < value < 65536:
            raise ValueError("нужен номер порта от 1 до 65535")
        return value

    def require_webhook(self) -> tuple[str, str]:
        """WEBHOOK_URL and WEBHOOK_SECRET for webhook mode, or one sentence saying what is missing."""
        if self.webhook_url is None:
            raise ConfigError("Для режима вебхука нужен WEBHOOK_URL: публичный адрес HTTPS, например "
                              "WEBHOOK_URL=https://bot.example.com/telegram.")
        if self.webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET не задан, а с WEBHOOK_URL он обязателен: впишите в .env случайную "
                              "строку из латинских букв и цифр, например вывод `openssl rand -hex 32`.")
        if self.health_port == self.webhook_port:
            raise ConfigError(f"HEALTH_PORT и WEBHOOK_PORT оба равны {self.webhook_port}: укажите для них разные "
                              "порты.")
        return self.webhook_url, self.webhook_secret.get_secret_value()
    # --- end of webhook settings ---
    # --- Paying inside Telegram (issue #13): docs/payments.md. Without the token parents pay by the link only. ---
    payments_provider_token: SecretStr | None = Field(None, description="платёжный токен из @BotFather → Payments "
                                                      "(например, ЮKassa): родители смогут оплатить прямо в Telegram; "
                                                      "в журнал не попадает")
    payments_receipt_vat_code: int | None = Field(None, description="код ставки НДС для чека по 54-ФЗ (1–12, как в "
                                                  "ЮKassa; 1 — без НДС); с ним бот передаёт данные для чека")
    payments_receipt_tax_system: int | None = Field(None, description="код системы налогообложения для чека (1–6, "
                                                    "как в ЮKassa); нужен, только если их у магазина несколько")
    payments_receipt_contact: str = Field("email", description="куда отправить чек родителю: email или phone "
                                          "(Telegram спросит почту или телефон при оплате)")
    payments_receipt_subject: str = Field("service", description="признак предмета расчёта для чека (как в "
                                          "ЮKassa), по умолчанию service — услуга")

    @field_validator("payments_provider_token")
    @classmethod
    def _blank_token_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None or not value.get_secret_value().strip() else value

    @field_validator("payments_receipt_vat_code")
    @classmethod
    def _check_vat_code(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 12:
            raise ValueError("нужен код ставки НДС от 1 до 12, как в ЮKassa (1 — без НДС)")
        return value

    @field_validator("payments_receipt_tax_system")
    @classmethod
    def _check_tax_system(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 6:
            raise ValueError("нужен код системы налогообложения от 1 до 6, как в ЮKassa")
        return value

    @field_validator("payments_receipt_contact")
    @classmethod
    def _check_receipt_contact(cls, value: str) -> str:
        if value.strip().lower() not in ("email", "phone"):
            raise ValueError("нужно email или phone")
        return value.strip().lower()
    # --- end of Telegram payments settings ---
    # --- Metrics (issue #14): Prometheus /metrics; docs/operations.md, "Metrics". ---
    metrics_port: int | None = Field(None, description="порт, на котором работающий бот отдаёт метрики Prometheus "
                                     "(GET /metrics) и GET /healthz")
    metrics_host: str = Field("127.0.0.1", description="адрес для METRICS_PORT: 127.0.0.1 — только с этой машины, "
                              "0.0.0.0 — для Prometheus в другом контейнере")
    # --- end of metrics settings ---

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("нужны Telegram-id (числа) через запятую, например ADMIN_IDS=12345,67890")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _check_data_dir(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            # Path("") is the current directory: the database would land wherever the bot happened to start.
            raise ValueError("оно пустое, а нужна папка для базы и чеков, например DATA_DIR=./data")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """`METRICS_PORT=` (left empty in .env) means "not set" for every optional setting, as it reads."""
        field = cls.model_fields.get(info.field_name or "")
        optional = field is not None and field.default is None and not field.is_required()
        return None if optional and isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.partition("://")[0].lower()
        if scheme.startswith("postgres") and scheme != "postgresql+asyncpg":
            raise ValueError("для PostgreSQL адрес начинается с postgresql+asyncpg://, "
                             "например postgresql+asyncpg://user:password@host/dbname")
        if scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
            raise ValueError("нужен адрес postgresql+asyncpg://user:password@host/dbname (или уберите настройку, "
                             "и база будет в SQLite в DATA_DIR)")
        return value

    @field_validator("fsm_storage_url")
    @classmethod
    def _check_fsm_url(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("redis://", "rediss://")):
            raise ValueError("нужен адрес Redis, например redis://127.0.0.1:6379/0 (или уберите настройку, и шаги "
                             "диалогов будут храниться в базе)")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zone(value)
        except ValueError:
            raise ValueError(f"часовой пояс «{value}» неизвестен, укажите, например, TIMEZONE={DEFAULT_TIMEZONE}"
                             ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("нужно DEBUG, INFO, WARNING или ERROR")
        return value.upper()

    @field_validator("bot_api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value.rstrip("/")

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        left, _, right = token.partition(":")
        if not left.isdigit() or not right:
            raise ValueError("это не похоже на токен от @BotFather (цифры, двоеточие, затем буквы), "
                             "скопируйте его заново")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'happykids.sqlite3').resolve()}"

    @property
    def mega_enabled(self) -> bool:
        return bool(self.mega_email and self.mega_password and self.mega_password.get_secret_value())

    @property
    def telegram_payments(self) -> bool:
        """Parents may pay inside Telegram (PAYMENTS_PROVIDER_TOKEN is set)."""
        return self.payments_provider_token is not None

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN не задан: впишите токен от @BotFather в файл .env или в переменные "
                              "окружения.")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable ConfigError."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        raise ConfigError(f"Неверное значение {field.upper() or 'настройки'}: {_plain(err)}.") from None
    except (ValueError, TypeError) as exc:  # e.g. pydantic-settings failing to parse .env values
        raise ConfigError(f"Настройки не читаются ({exc}): проверьте строки ИМЯ=значение в .env и переменные "
                          "окружения.") from None
    check_extras(settings)
    check_data_dir(settings.data_dir)
    return settings


# What a setting needs installed: (setting, module to import, the extra that brings it, what it is).
def _needed_drivers(settings: Settings) -> list[tuple[str, str, str, str]]:
    needed = []
    if settings.database_url and settings.database_url.lower().startswith("postgresql"):
        needed.append(("DATABASE_URL", "asyncpg", "postgres", "драйвер PostgreSQL (asyncpg)"))
    if settings.fsm_storage_url:
        needed.append(("FSM_STORAGE_URL", "redis.asyncio", "redis", "клиент Redis (redis)"))
    return needed


def check_extras(settings: Settings) -> None:
    """The driver a DATABASE_URL or FSM_STORAGE_URL needs is importable, else one sentence naming the extra."""
    for setting, module, extra, what in _needed_drivers(settings):
        try:
            importlib.import_module(module)
        except ImportError:
            raise ConfigError(f"Для {setting} нужен {what}, а он не установлен: выполните `pip install "
                              f"'.[{extra}]'` в папке бота и его virtualenv или уберите эту настройку.") from None


def check_data_dir(path: Path) -> None:
    """DATA_DIR is a folder this user can create files in, or can be created: else one sentence saying why.

    Only trying tells for sure (root passes every permission check but still cannot write to a read-only
    mount), so a scratch folder is made and removed where DATA_DIR is, or where it would be created. Nothing
    is left behind: `happykids demo --data-dir elsewhere` should not find a ./data it did not ask for.
    """
    shown = f"DATA_DIR={path}"
    try:
        existing = next(p for p in (path, *path.parents) if p.exists())
        if not existing.is_dir():
            where = "это файл" if existing == path else f"лежит внутри файла {existing}"
            raise ConfigError(f"{shown} — {where}, а не папка: укажите в DATA_DIR папку (если её нет, она будет "
                              "создана), например DATA_DIR=./data.")
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".happykids-write-check-"))
    except OSError as exc:
        raise ConfigError(f"В {shown} этот пользователь (uid {os.getuid()}) не может писать ({os_reason(exc)}): "
                          "дайте ему право на запись или укажите в DATA_DIR папку, которая ему принадлежит.") from None


# Pydantic's own checks (a number, true/false) speak English; what each kind of mistake means, in Russian.
_PYDANTIC_SAYS = {"int_parsing": "нужно целое число", "int_from_float": "нужно целое число",
                  "int_type": "нужно целое число", "bool_parsing": "нужно true или false",
                  "bool_type": "нужно true или false"}


def _plain(err: ErrorDetails) -> str:
    """Our validators' own Russian sentence, or what pydantic's own check found, in Russian."""
    if err.get("type") == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    limits = err.get("ctx") or {}
    if err.get("type") == "greater_than_equal":
        return f"нужно число не меньше {limits.get('ge')}"
    if err.get("type") == "less_than_equal":
        return f"нужно число не больше {limits.get('le')}"
    return _PYDANTIC_SAYS.get(str(err.get("type")), "оно не подходит: что здесь нужно, написано в "
                              "`happykids run --help`")
