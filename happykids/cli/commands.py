"""The subcommands `run`, `demo`, `catalog`, `db`: what each says in --help, and what it does.

Each `register_*` adds one subcommand and its handler (`set_defaults(handler=...)`). The handlers import the
heavy parts (aiogram, the database) only when they run, so `--help` and a missing token answer at once.
The environment variables in `run --help` are generated from `config.Settings` (names, descriptions, defaults),
so the help cannot drift from what the bot really reads.

`run` imports the bot with the garbage collector paused and then freezes what the imports made
(`imports_kept_for_good`): they build ~300,000 objects (aiogram's models, SQLAlchemy, the routers) that live as
long as the process, and the collector otherwise walked them all again and again while they were being built,
about half a second of CPU of every cold start (more than the whole rest of the start-up). The imports leave
almost no garbage in cycles (~1,200 objects), which stays; plain reference counting frees the rest as always,
and the bot's own objects are collected as usual afterwards, without the frozen ones in every full pass.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from happykids.config import ConfigError, Settings

Subparsers = Any  # argparse._SubParsersAction: private in typeshed's eyes

RUN = """Запускает бота: обновляет схему базы, проверяет токен и получает сообщения из Telegram (long polling,
а с WEBHOOK_URL или --webhook — через вебхук), пока его не остановят Ctrl+C или SIGTERM. Второй экземпляр
с тем же DATA_DIR не запустится.
Настройки берутся из переменных окружения и файла .env в текущей папке."""
DEMO = """Весь бот без интернета и без токена, прямо в этом терминале: настоящие обработчики, база и
хранилище работают с эмулятором Telegram на 127.0.0.1 и примером каталога. Вы пишете как родитель;
/as admin — как директор. Подсказка по командам демо — /demo. Данные — в DATA_DIR/demo."""
CATALOG = """Каталог — группы, периоды, варианты количества детей и ссылки на оплату — в виде файла YAML.
Пример: happykids/catalogs/example.yaml."""
CATALOG_IMPORT = """Проверяет файл целиком и только потом заменяет им каталог. При ошибке называет строку и поле,
а старый каталог остаётся как был. Кнопки, которые уже есть у родителей, продолжают работать."""
DB_UPGRADE = "Применяет миграции схемы базы данных. run и demo делают это сами при запуске."


def environment_help(width: int = 100) -> str:
    """Every setting of `Settings` as the operator sets it: the variable, what it means, its default."""
    fields = Settings.model_fields
    names = {name: str(field.validation_alias or name).upper() for name, field in fields.items()}
    column = max(map(len, names.values())) + 2
    lines = ["переменные окружения (или строки ИМЯ=значение в файле .env):"]
    for name, field in fields.items():
        text = field.description or ""
        default = field.default
        if default not in (None, PydanticUndefined, "") and field.default_factory is None:
            shown = default.as_posix() if isinstance(default, Path) else str(default)
            if isinstance(default, Path) and not default.is_absolute():
                shown = f"./{shown}"
            text += f"; по умолчанию {shown}"
        wrapped = textwrap.wrap(text, width - column - 2) or [""]
        lines.append(f"  {names[name]:<{column}}{wrapped[0]}")
        lines.extend(" " * (column + 2) + rest for rest in wrapped[1:])
    return "\n".join(lines)


def register_run(sub: Subparsers) -> None:
    run = sub.add_parser("run", help="запустить бота (нужен BOT_TOKEN)", description=RUN,
                         epilog=environment_help())
    run.add_argument("--webhook", action="store_true", help="получать обновления через вебхук, а не long polling "
                     "(нужны WEBHOOK_URL и WEBHOOK_SECRET; если WEBHOOK_URL задан, вебхук включён и без флага)")
    run.set_defaults(handler=_run)


def register_demo(sub: Subparsers) -> None:
    demo = sub.add_parser("demo", help="весь бот в этом терминале: без токена и без интернета", description=DEMO)
    demo.add_argument("--data-dir", type=Path, metavar="ПАПКА",
                      help="где хранить данные демо (по умолчанию DATA_DIR/demo)")
    demo.add_argument("--admin", action="store_true", help="начать как директор, а не как родитель")
    demo.set_defaults(handler=_demo)


def register_catalog(sub: Subparsers) -> None:
    catalog = sub.add_parser("catalog", help="загрузить или выгрузить каталог (группы, периоды, ссылки)",
                             description=CATALOG)
    actions = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ДЕЙСТВИЕ", title="действия")
    load = actions.add_parser("import", help="заменить каталог файлом YAML", description=CATALOG_IMPORT)
    load.add_argument("path", type=Path, metavar="ФАЙЛ", help="файл YAML с каталогом")
    load.set_defaults(handler=_catalog_import)
    dump = actions.add_parser("export", help="напечатать текущий каталог в YAML",
                              description="Печатает текущий каталог в том же формате, что понимает import: "
                                          "happykids catalog export > catalog.yaml")
    dump.set_defaults(handler=_catalog_export)


def register_db(sub: Subparsers) -> None:
    db = sub.add_parser("db", help="обслуживание базы данных", description="Обслуживание базы данных.")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ДЕЙСТВИЕ", title="действия")
    upgrade = actions.add_parser("upgrade", help="обновить схему базы (run и demo делают это сами)",
                                 description=DB_UPGRADE)
    upgrade.set_defaults(handler=_db_upgrade)


# -- what they do -------------------------------------------------------------------------------------------

@contextlib.contextmanager
def imports_kept_for_good() -> Iterator[None]:
    """The garbage collector paused while the bot is imported, and what was imported frozen (the docstring)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # moved out of every future collection: modules, classes, models live as long as the process
        if was_enabled:
            gc.enable()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    token = settings.require_token()  # before the slow aiogram import: a missing token answers at once
    webhook = bool(getattr(args, "webhook", False) or settings.webhook_url)
    if webhook:
        settings.require_webhook()  # a missing WEBHOOK_URL or WEBHOOK_SECRET: one sentence, at once

    with imports_kept_for_good():
        from happykids.app import build_app
        from happykids.app.first_contact import StartupError
        from happykids.app.instance_lock import AlreadyRunning, InstanceLock
        from happykids.app.logging_setup import setup_logging_from
        from happykids.app.wiring import run_bot

    setup_logging_from(settings)  # LOG_LEVEL, LOG_FORMAT, secrets hidden
    try:
        with InstanceLock(settings.data_dir, settings.resolved_database_url):
            async def go() -> None:
                await run_bot(await build_app(settings, token=token), webhook=webhook)

            asyncio.run(go())
    except AlreadyRunning as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 3
    except StartupError as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 2
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.demo.terminal import run_demo

    return asyncio.run(run_demo(settings, data_dir=args.data_dir, as_admin=args.admin))


def database_usable(settings: Settings) -> None:
    """For the commands that work on the database without the bot (db upgrade, catalog, backup): a PostgreSQL
    that is not there or refuses the login is the same one sentence as at start (app/preflight.py), not a
    traceback from the first query."""
    if not settings.database_url or settings.database_url.lower().startswith("sqlite"):
        return
    from happykids.app.first_contact import StartupError
    from happykids.app.preflight import check_database

    try:
        asyncio.run(check_database(settings.database_url))
    except StartupError as exc:
        raise ConfigError(str(exc)) from None


def _catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.cli.catalog import import_catalog

    database_usable(settings)
    return asyncio.run(import_catalog(settings, args.path))


def _catalog_export(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.cli.catalog import export_catalog

    database_usable(settings)
    return asyncio.run(export_catalog(settings))


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.db.migrate import upgrade

    database_usable(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    print("База данных обновлена: схема последней версии.")
    return 0
