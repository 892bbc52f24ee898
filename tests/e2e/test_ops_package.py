"""What the Docker image does, without a container engine: build the wheel the way the Dockerfile does, install
it into a fresh environment, and start it the way the image does (`happykids run`, HEALTHCHECK `happykids health`).
A file missing from the package (a migration, the example catalog) shows here, not on the agency's server.
Also: the Dockerfile, compose.yaml and .dockerignore say what the guide promises."""

# ruff: noqa: S603 - the commands run are this interpreter, pip and the freshly built venv's own scripts

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.e2e.process import BotProcess

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_run(pattern: str) -> str:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(pattern, text, re.M)
    assert match, pattern
    return match.group(0)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with only our wheel installed; the dependencies are borrowed from this environment (read
    through a .pth file) so the test needs no download of them."""
    work = tmp_path_factory.mktemp("package")
    assert "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ." in dockerfile_run(r"^RUN pip wheel .*$")
    source = work / "src"  # what the Dockerfile copies into its build stage, and nothing else
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("happykids", "tgemulator", "tgtext"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-cache-dir", "--no-deps", "--wheel-dir",
                    str(work / "wheels"), "."], check=True, timeout=300, cwd=source)
    [wheel] = (work / "wheels").glob("happykids_bot-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=300)
    return venv


def clean_env(env: dict) -> dict:
    return {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


async def test_the_built_package_starts_answers_and_reports_healthy(installed, emu, tmp_path):
    bin_dir = installed / "bin"
    plain_env = clean_env(dict(os.environ))
    where = await asyncio.create_subprocess_exec(str(bin_dir / "python"), "-c",
                                                 "import happykids; print(happykids.__file__)", cwd=tmp_path,
                                                 env=plain_env, stdout=asyncio.subprocess.PIPE)
    location = (await where.communicate())[0].decode()
    assert location.startswith(str(installed)), location  # the wheel's copy, not the source tree
    helper = await asyncio.create_subprocess_exec(str(bin_dir / "happykids"), "--help", cwd=tmp_path, env=plain_env,
                                                  stdout=asyncio.subprocess.PIPE)
    assert b"backup" in (await helper.communicate())[0] and helper.returncode == 0

    bot = BotProcess(emu, tmp_path / "data")
    env = clean_env(bot.env)
    assert dockerfile_run(r"^CMD .*$") == 'CMD ["happykids", "run"]'
    bot.proc = await asyncio.create_subprocess_exec(str(bin_dir / "happykids"), "run", env=env, cwd=tmp_path,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await bot.wait_polling()
        parent = emu.user(7001, "Ира")
        await parent.send_command("/start")
        await parent.wait_for(lambda m: "Happy Kids" in m.text)  # migrations and texts came with the wheel
        assert dockerfile_run(r"^HEALTHCHECK .*$").endswith('CMD ["happykids", "health"]')
        for _ in range(300):  # the heartbeat is written right after the getUpdates that brought /start
            if (tmp_path / "data" / "heartbeat.json").exists():
                break
            await asyncio.sleep(0.1)
        health = await asyncio.create_subprocess_exec(str(bin_dir / "happykids"), "health", env=env,
                                                      cwd=tmp_path, stdout=asyncio.subprocess.PIPE)
        out, _ = await health.communicate()
        assert health.returncode == 0 and out.decode().startswith("Всё хорошо: Telegram ответил на getUpdates"), out
        await emu.settle(quiet=0.3)
    finally:
        bot.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.proc.wait(), 30)
    assert code == 0, await bot.output()


def test_dockerfile_runs_as_a_user_with_a_data_volume():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^USER 10001:10001$", text, re.M) and 'VOLUME ["/data"]' in text
    assert "DATA_DIR=/data" in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") + 1:][:5] == ["!pyproject.toml", "!README.md", "!happykids/", "!tgemulator/",
                                                     "!tgtext/"]


def test_compose_runs_the_bot_alone_by_default_and_postgres_redis_on_request():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert "profiles" not in services["bot"], "the bot starts with a plain `docker compose up`"
    assert services["bot"]["volumes"] == ["data:/data"] and services["bot"]["environment"]["DATA_DIR"] == "/data"
    assert services["postgres"]["profiles"][0] == "postgres" and services["redis"]["profiles"][0] == "postgres"
    assert all(dep["required"] is False for dep in services["bot"]["depends_on"].values())
