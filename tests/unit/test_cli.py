"""The `happykids` command speaks Russian and says what every subcommand does; `run --help` lists every setting."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from happykids.cli import build_parser, main
from happykids.config import Settings


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every subcommand path in the parser tree: ("run",), ("catalog", "import"), ..."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.append((*path, name))
                found += _commands(child, (*path, name))
    return found


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_subcommand_says_what_it_does_in_russian(capsys):
    commands = _commands(build_parser())
    assert {("run",), ("demo",), ("catalog", "import"), ("catalog", "export"), ("db", "upgrade")} <= set(commands)
    top = _help(capsys)
    assert top.startswith("Использование: happykids") and "usage" not in top and "options" not in top
    for path in commands:
        text = _help(capsys, *path)
        assert text.startswith(f"Использование: happykids {' '.join(path)}"), text
        description = text.split("\n\n")[1]
        assert len(description) > 20 and any("а" <= ch <= "я" for ch in description), (path, text)
        assert "show this help" not in text and "показать эту справку" in text
        if path[-1] in ("run", "demo", "catalog", "db"):
            assert path[-1] in top, f"`happykids --help` lists {path}"


def test_run_help_lists_every_setting_with_its_meaning(capsys):
    text = _help(capsys, "run")
    settings_part = text[text.index("переменные окружения"):]  # an option's help may name a setting too
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} needs Field(description=...): `run --help` shows it"
        line = next((line for line in settings_part.splitlines() if line.strip().startswith(name.upper() + " ")),
                    None)
        assert line is not None, f"{name.upper()} missing from `run --help`:\n{text}"
        assert field.description.split()[0] in line
    flat = " ".join(text.split())  # lines are wrapped
    assert "по умолчанию ./data" in flat and "по умолчанию Asia/Yekaterinburg" in flat


def test_mistakes_in_the_command_line_are_told_in_russian(capsys):
    with pytest.raises(SystemExit) as done:
        main(["catalog"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Использование: happykids catalog") and "ошибка: не указано: ДЕЙСТВИЕ" in err
    with pytest.raises(SystemExit):
        main(["rnu"])
    assert "неизвестное значение 'rnu' (можно: 'run', 'demo'" in capsys.readouterr().err


def test_db_upgrade_reports_in_russian(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == "База данных обновлена: схема последней версии.\n"


def test_the_installed_command_answers_help_without_settings(tmp_path):
    env = {**os.environ, "ADMIN_IDS": "not numbers"}  # --help needs no settings, even broken ones
    done = subprocess.run([sys.executable, "-m", "happykids", "run", "--help"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "BOT_TOKEN" in done.stdout and "ADMIN_IDS" in done.stdout
