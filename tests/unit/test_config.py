import pytest

from happykids.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("BOT_TOKEN", "BOT_API_URL", "ADMIN_IDS", "DATA_DIR", "DATABASE_URL", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_admin_ids_and_defaults(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "12, 34")
    settings = load_settings()
    assert settings.admin_ids == [12, 34]
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert not settings.mega_enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_IDS", "12,abc"), ("BOT_TOKEN", "not-a-token"), ("BOT_API_URL", "localhost:8081")],
)
def test_malformed_setting_is_one_sentence_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert name in str(err.value) and "\n" not in str(err.value)


def test_token_required_for_run_and_never_echoed(monkeypatch):
    with pytest.raises(ConfigError, match=r"^BOT_TOKEN не задан: впишите токен от @BotFather в файл \.env"):
        load_settings().require_token()
    monkeypatch.setenv("BOT_TOKEN", "123456:SECRET-abcdefghij")
    settings = load_settings()
    assert "SECRET" not in repr(settings)


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("ADMIN_IDS=5\nBOT_API_URL=http://127.0.0.1:8081/\n")
    settings = load_settings()
    assert settings.admin_ids == [5] and settings.bot_api_url == "http://127.0.0.1:8081"


def test_timezone_is_checked(monkeypatch):
    assert load_settings().timezone == "Asia/Yekaterinburg"
    monkeypatch.setenv("TIMEZONE", "Europe/Moscow")
    assert load_settings().timezone == "Europe/Moscow"
    monkeypatch.setenv("TIMEZONE", "Mars/Base")
    with pytest.raises(ConfigError, match=r"^Неверное значение TIMEZONE: часовой пояс «Mars/Base» неизвестен, укажите, "
                       r"например, TIMEZONE=Asia/Yekaterinburg\.$"):
        load_settings()
