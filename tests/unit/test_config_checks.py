"""What load_settings checks on the machine: DATA_DIR can be written, the extras a URL needs are installed."""

import sys

import pytest

from happykids.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("BOT_TOKEN", "BOT_API_URL", "ADMIN_IDS", "DATA_DIR", "DATABASE_URL", "FSM_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_check_leaves_nothing_behind(tmp_path):
    settings = load_settings()
    assert settings.data_dir.name == "data" and list(tmp_path.iterdir()) == []  # made later, by who needs it


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_data_dir(monkeypatch, value):
    monkeypatch.setenv("DATA_DIR", value)
    with pytest.raises(ConfigError, match=r"^Неверное значение DATA_DIR: оно пустое, а нужна папка"):
        load_settings()


def test_data_dir_is_a_file(monkeypatch, tmp_path):
    (tmp_path / "data").write_text("")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(ConfigError, match=r"— это файл, а не папка: укажите в DATA_DIR папку"):
        load_settings()


@pytest.mark.parametrize(("url", "words"), [
    ("postgresql://u:p@h/db", "для PostgreSQL адрес начинается с postgresql+asyncpg://"),
    ("mysql+aiomysql://u:p@h/db", "нужен адрес postgresql+asyncpg://"),
])
def test_a_database_url_the_bot_cannot_use(monkeypatch, url, words):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match=r"^Неверное значение DATABASE_URL: ") as err:
        load_settings()
    assert words in str(err.value) and "p@h" not in str(err.value)


def test_missing_drivers_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # import asyncpg now raises ImportError
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@h/db")
    with pytest.raises(ConfigError, match=r"^Для DATABASE_URL нужен драйвер PostgreSQL \(asyncpg\), а он не "
                                         r"установлен: выполните `pip install '\.\[postgres\]'`"):
        load_settings()
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("FSM_STORAGE_URL", "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError, match=r"^Для FSM_STORAGE_URL нужен клиент Redis \(redis\), а он не установлен: "
                                         r"выполните `pip install '\.\[redis\]'`"):
        load_settings()


def test_blank_urls_are_unset(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("FSM_STORAGE_URL", " ")
    settings = load_settings()
    assert settings.database_url is None and settings.fsm_storage_url is None


def test_every_optional_setting_left_empty_is_unset(monkeypatch):
    """`METRICS_PORT=` in .env reads as "not set", not as a traceback about parsing an integer."""
    for name in ("METRICS_PORT", "HEALTH_PORT", "RECEIPTS_CHAT_ID", "WEBHOOK_URL", "MEGA_EMAIL",
                 "PAYMENTS_RECEIPT_VAT_CODE"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert (settings.metrics_port, settings.health_port, settings.receipts_chat_id, settings.webhook_url,
            settings.mega_email, settings.payments_receipt_vat_code) == (None,) * 6
    monkeypatch.setenv("METRICS_PORT", "девять")  # a wrong value is still refused
    with pytest.raises(ConfigError):
        load_settings()


def test_the_database_pool_size_sets_the_updates_in_flight(monkeypatch):
    from happykids.db.engine import updates_in_flight

    url = "postgresql+asyncpg://u@h/db"
    assert updates_in_flight(url) == 50 and updates_in_flight("sqlite+aiosqlite:///x.db", 35) == 10
    monkeypatch.setenv("DATABASE_POOL_SIZE", "35")
    assert updates_in_flight(url, load_settings().database_pool_size) == 25
    monkeypatch.setenv("DATABASE_POOL_SIZE", "5")  # fewer than the jobs need: refused with a sentence
    with pytest.raises(ConfigError, match=r"^Неверное значение DATABASE_POOL_SIZE: нужно число не меньше 12"):
        load_settings()
