"""Every failure the operator meets at the command line is one Russian sentence, never a traceback (issue #10).

The cheap failure paths are walked through the real entry point `happykids.cli.main` with a bad environment:
each must exit non-zero and print exactly one line `happykids: …` in Russian (Cyrillic, and none of the English
words the messages used to be made of). The server checks and the start-up itself are in tests/e2e/.
"""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest

from happykids.app.first_contact import StartupError
from happykids.app.instance_lock import AlreadyRunning, InstanceLock
from happykids.app.preflight import check_database, check_redis
from happykids.cli import main
from happykids.cli.ops import _os_error
from happykids.config import ConfigError, load_settings

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
# Words of the old English messages: none of them may be left in a sentence (the settings' own names aside).
ENGLISH = re.compile(r"\b(is|are|the|must|not|cannot|malformed|failed|please|should|run|set|fix|check)\b")


def russian_sentence(text: str) -> str:
    line = text.strip()
    assert "\n" not in line and "Traceback" not in line, text
    assert CYRILLIC.search(line), f"not Russian: {line}"
    assert not ENGLISH.search(re.sub(r"`[^`]*`|\b[A-Z_]{2,}\b|\S*/\S*", "", line)), f"English left: {line}"
    assert line.endswith("."), f"a sentence ends with a full stop: {line}"
    return line


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("BOT_TOKEN", "BOT_API_URL", "ADMIN_IDS", "DATA_DIR", "DATABASE_URL", "FSM_STORAGE_URL", "TIMEZONE",
                 "LOG_LEVEL", "LOG_FORMAT", "BACKUP_TIME", "BACKUP_KEEP", "BACKUP_ENABLED", "HEALTH_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


BAD_SETTINGS = [
    ("ADMIN_IDS", "12,abc", "нужны Telegram-id (числа) через запятую"),
    ("BOT_TOKEN", "not-a-token", "не похоже на токен от @BotFather"),
    ("BOT_API_URL", "localhost:8081", "адрес должен начинаться с http:// или https://"),
    ("DATA_DIR", " ", "оно пустое, а нужна папка"),
    ("DATABASE_URL", "postgresql://u:p@h/db", "для PostgreSQL адрес начинается с postgresql+asyncpg://"),
    ("DATABASE_URL", "mysql://u:p@h/db", "нужен адрес postgresql+asyncpg://"),
    ("FSM_STORAGE_URL", "memcached://h", "нужен адрес Redis"),
    ("TIMEZONE", "Mars/Base", "часовой пояс «Mars/Base» неизвестен"),
    ("LOG_LEVEL", "LOUD", "нужно DEBUG, INFO, WARNING или ERROR"),
    ("LOG_FORMAT", "xml", "нужно text или json"),
    ("BACKUP_TIME", "25:00", "нужно время суток ЧЧ:ММ"),
    ("BACKUP_KEEP", "0", "нужно целое число больше нуля"),
    ("BACKUP_ENABLED", "maybe", "нужно true или false"),
    ("HEALTH_PORT", "eighty", "нужно целое число"),
]


@pytest.mark.parametrize(("name", "value", "words"), BAD_SETTINGS, ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_a_bad_setting_is_one_russian_sentence_naming_it(monkeypatch, capsys, name, value, words):
    monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = russian_sentence(captured.err)
    assert line.startswith(f"happykids: Неверное значение {name}: ") and words in line, line
    assert "p@h" not in line, "a password in a URL is never echoed"


def test_settings_the_machine_cannot_serve(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "file"))
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert russian_sentence(str(err.value)).startswith(f"DATA_DIR={tmp_path / 'file'} — это файл, а не папка")


def test_run_without_a_token(capsys):
    assert main(["run"]) == 2
    line = russian_sentence(capsys.readouterr().err)
    assert line == ("happykids: BOT_TOKEN не задан: впишите токен от @BotFather в файл .env или в переменные "
                    "окружения.")


def test_backup_and_restore_refusals(capsys, tmp_path):
    assert main(["backup"]) == 1  # no database in DATA_DIR yet
    assert russian_sentence(capsys.readouterr().err).startswith(
        f"happykids: Файла базы {tmp_path / 'data' / 'happykids.sqlite3'} нет, и копировать нечего: проверьте DATA_DIR")
    assert main(["restore", str(tmp_path / "missing.tar.gz")]) == 1
    assert russian_sentence(capsys.readouterr().err) == (
        f"happykids: Файла резервной копии {tmp_path / 'missing.tar.gz'} нет: проверьте путь.")
    (tmp_path / "not-a-backup.tar.gz").write_text("hello")
    assert main(["restore", str(tmp_path / "not-a-backup.tar.gz")]) == 1
    assert russian_sentence(capsys.readouterr().err) == (
        f"happykids: {tmp_path / 'not-a-backup.tar.gz'} не читается как резервная копия (это не архив .tar.gz или "
        "он повреждён): проверьте, что это файл от `happykids backup` и он скопирован целиком.")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "old.txt").write_text("")
    assert main(["restore", str(tmp_path / "not-a-backup.tar.gz")]) == 1
    assert "не пуста: восстанавливать можно только в пустую" in russian_sentence(capsys.readouterr().err)


def test_file_system_errors_say_what_to_do():
    assert russian_sentence(_os_error(PermissionError(13, "Permission denied", "/var/lib/happykids"))) == (
        "Нет доступа (/var/lib/happykids): запустите команду от пользователя бота, например sudo -u happykids.")
    assert russian_sentence(_os_error(OSError(28, "No space left on device", "/backups/x.tar.gz"))) == (
        "Файл или папка недоступны (/backups/x.tar.gz): на диске нет места, проверьте путь и место на диске.")


def test_catalog_import_of_a_missing_file(capsys, tmp_path):
    assert main(["catalog", "import", str(tmp_path / "нет.yaml")]) == 2
    assert russian_sentence(capsys.readouterr().err) == (
        f"happykids: не удаётся прочитать {tmp_path / 'нет.yaml'}: нет такого файла или папки. Каталог не изменён.")


def test_health_of_a_bot_that_never_ran(capsys):
    assert main(["health"]) == 1
    assert russian_sentence(capsys.readouterr().err).startswith("Бот не запущен: ни один живой процесс")


def test_a_second_copy(tmp_path):
    with InstanceLock(tmp_path), pytest.raises(AlreadyRunning) as err:
        InstanceLock(tmp_path).acquire()
    assert russian_sentence(str(err.value)).startswith(f"С DATA_DIR={tmp_path} уже работает другая копия бота")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_servers_that_do_not_answer():
    port = _closed_port()
    with pytest.raises(StartupError) as err:
        asyncio.run(check_database(f"postgresql+asyncpg://u:secret@127.0.0.1:{port}/db"))
    line = str(err.value)  # the driver's own words stay inside the parentheses
    assert line.startswith(f"Не удаётся подключиться к базе из DATABASE_URL (127.0.0.1:{port}): по адресу "), line
    assert line.endswith("— запустите PostgreSQL или исправьте адрес в DATABASE_URL.") and "secret" not in line
    with pytest.raises(StartupError) as err:
        asyncio.run(check_redis(f"redis://127.0.0.1:{port}/0"))
    assert str(err.value).startswith(f"Не удаётся подключиться к Redis из FSM_STORAGE_URL (127.0.0.1:{port}): там "
                                     "никто не отвечает"), err.value


def test_the_rule_is_written_down():
    guide = (Path(__file__).parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "## Messages and logs" in guide


@pytest.mark.parametrize("argv", [["db", "upgrade"], ["catalog", "export"], ["backup"]])
def test_commands_without_the_bot_on_a_postgresql_that_is_not_there(monkeypatch, capsys, argv):
    # Before: a traceback from the first query (socket.gaierror / ConnectionRefusedError).
    port = _closed_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://u:secret@127.0.0.1:{port}/db")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"happykids: Не удаётся подключиться к базе из DATABASE_URL (127.0.0.1:{port})"), err
    assert err.count("\n") == 1 and "Traceback" not in err and "secret" not in err


def test_backup_and_restore_summaries_agree_with_their_numbers():
    from happykids.domain.backup_manifest import FileEntry, Manifest
    from happykids.services.backup import BackupResult, RestoreResult

    def manifest(receipts: int, files: int, included: bool = True) -> Manifest:
        return Manifest(created_at="", app_version="", schema_revision=None, database="sqlite" if included
                        else "postgresql", database_included=included,
                        counts={"receipts": receipts, "text_overrides": receipts, "payment_links": receipts,
                                "fsm_records": receipts},
                        files=[FileEntry(f"data/receipts/2026-11/{n}.jpg", 1, "") for n in range(files)])

    assert BackupResult(Path("/b.tar.gz"), manifest(1, 2)).summary() == (
        "Резервная копия записана в /b.tar.gz: 1 чек, 2 файла, 1 изменённый текст, 1 ссылка, 1 незаконченный "
        "диалог.")
    assert BackupResult(Path("/b.tar.gz"), manifest(5, 21, included=False)).summary() == (
        "Резервная копия записана в /b.tar.gz: 5 чеков, 21 файл, 5 изменённых текстов, 5 ссылок, 5 незаконченных "
        "диалогов. Базы postgresql в копии нет: сохраните её через pg_dump (docs/operations.md).")
    assert RestoreResult(Path("/data"), manifest(3, 3), 3, True).summary() == (
        "Восстановлено в /data: 3 чека, 3 файла, 3 изменённых текста, 3 ссылки; все контрольные суммы и числа строк "
        "совпадают с описью.")
