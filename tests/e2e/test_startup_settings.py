"""Starting `happykids run` with a wrong DATA_DIR, a missing extra or a server that will not let the bot in,
through the real CLI process: one sentence naming the setting and what to do, exit 2, never a traceback.

(Issue 9, item 9: the settings; the token and the network are in test_startup_failures.py.)
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import uuid
from pathlib import Path

import pytest

from tests.e2e.process import BotProcess
from tests.services import require_server


async def fails_to_start(emu, data_dir: Path, env: dict[str, str]) -> str:
    """Run `happykids run`; it must exit with 2 and print one line: return that line."""
    bot = BotProcess(emu, data_dir, extra_env=env)
    await bot.start()
    code = await asyncio.wait_for(bot.proc.wait(), 60)
    output = await bot.output()
    assert code == 2, output
    assert "Traceback" not in output and "Error:" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("happykids: "), output
    assert re.search("[а-яё]", lines[0], re.IGNORECASE), f"the operator reads Russian: {lines[0]}"
    assert not [m for m, _ in emu.calls if m == "getUpdates"], "it must not start polling"
    return lines[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _shadow(tmp_path: Path, module: str) -> dict[str, str]:
    """PYTHONPATH with a stand-in for `module` whose import fails as if the package were not installed
    (it comes before site-packages, so the real one is never reached)."""
    shims = tmp_path / "not-installed"
    (shims / module).mkdir(parents=True)
    (shims / module / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name={module!r})\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(shims), os.environ.get("PYTHONPATH")]))}


# --- DATA_DIR ------------------------------------------------------------------------------------------------

async def test_an_empty_data_dir_is_refused_not_the_current_directory(emu, tmp_path):
    (tmp_path / "data").mkdir()
    line = await fails_to_start(emu, tmp_path / "data", {"DATA_DIR": ""})
    assert line == "happykids: Неверное значение DATA_DIR: оно пустое, а нужна папка для базы и чеков, например " \
                   "DATA_DIR=./data.", line
    assert list(tmp_path.iterdir()) == [tmp_path / "data"], "nothing was created in the current directory"


async def test_a_data_dir_under_a_regular_file(emu, tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    data_dir = tmp_path / "notes.txt" / "data"
    line = await fails_to_start(emu, tmp_path / "data", {"DATA_DIR": str(data_dir)})
    assert f"DATA_DIR={data_dir} — лежит внутри файла {tmp_path / 'notes.txt'}, а не папка" in line, line
    assert "укажите в DATA_DIR папку" in line


async def test_a_data_dir_this_user_cannot_write(emu, tmp_path):
    if os.geteuid() == 0:  # root ignores permission bits; the kernel's sysfs refuses even root
        if not Path("/sys/kernel").is_dir():
            pytest.skip("running as root and there is no /sys to stand for a read-only folder")
        data_dir = Path("/sys/happykids-data")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        data_dir = locked / "data"
    line = await fails_to_start(emu, data_dir, {})
    assert f"В DATA_DIR={data_dir} этот пользователь (uid {os.geteuid()}) не может писать (" in line, line
    assert "дайте ему право на запись" in line


# --- the extras ----------------------------------------------------------------------------------------------

async def test_postgresql_without_the_postgres_extra_names_it(emu, tmp_path):
    env = {**_shadow(tmp_path, "asyncpg"), "DATABASE_URL": "postgresql+asyncpg://bot:secret@127.0.0.1:5432/happykids"}
    line = await fails_to_start(emu, tmp_path / "data", env)
    assert "Для DATABASE_URL нужен драйвер PostgreSQL (asyncpg), а он не установлен" in line, line
    assert "pip install '.[postgres]'" in line
    assert "secret" not in line


async def test_redis_without_the_redis_extra_names_it(emu, tmp_path):
    env = {**_shadow(tmp_path, "redis"), "FSM_STORAGE_URL": "redis://127.0.0.1:6379/0"}
    line = await fails_to_start(emu, tmp_path / "data", env)
    assert "Для FSM_STORAGE_URL нужен клиент Redis (redis), а он не установлен" in line, line
    assert "pip install '.[redis]'" in line


async def test_an_fsm_storage_url_that_is_not_redis_is_refused(emu, tmp_path):
    # Before: anything but redis:// was silently ignored and the state went to the database.
    line = await fails_to_start(emu, tmp_path / "data", {"FSM_STORAGE_URL": "memcached://127.0.0.1:11211"})
    assert "Неверное значение FSM_STORAGE_URL: нужен адрес Redis, например redis://127.0.0.1:6379/0" in line, line


# --- the servers ---------------------------------------------------------------------------------------------

async def test_a_postgresql_database_that_does_not_exist(emu, tmp_path):
    require_server("PostgreSQL", 5432)
    name = f"hk_missing_{uuid.uuid4().hex[:8]}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    line = await fails_to_start(emu, tmp_path / "data", {"DATABASE_URL": url})
    assert f"базе из DATABASE_URL (127.0.0.1:5432): базы «{name}» нет — создайте её" in line, line
    assert f"createdb {name}" in line


async def test_a_postgresql_that_refuses_the_login(emu, tmp_path):
    require_server("PostgreSQL", 5432)
    # The machine's PostgreSQL trusts every known user on loopback: an unknown one is what it refuses.
    url = "postgresql+asyncpg://hk_nobody:not-the-password@127.0.0.1:5432/postgres"
    line = await fails_to_start(emu, tmp_path / "data", {"DATABASE_URL": url})
    assert "DATABASE_URL" in line and "PostgreSQL не пускает пользователя «hk_nobody»" in line, line
    assert "not-the-password" not in line


async def test_no_postgresql_at_that_address(emu, tmp_path):
    port = _closed_port()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/happykids"
    line = await fails_to_start(emu, tmp_path / "data", {"DATABASE_URL": url})
    assert f"DATABASE_URL (127.0.0.1:{port}): по адресу 127.0.0.1:{port} никто не отвечает" in line, line
    assert "— запустите PostgreSQL или исправьте адрес в DATABASE_URL" in line


async def test_redis_not_reachable(emu, tmp_path):
    port = _closed_port()
    line = await fails_to_start(emu, tmp_path / "data", {"FSM_STORAGE_URL": f"redis://127.0.0.1:{port}/0"})
    assert f"Не удаётся подключиться к Redis из FSM_STORAGE_URL (127.0.0.1:{port})" in line, line
    assert "запустите Redis" in line
