"""`happykids catalog import|export`: the catalog as a YAML file, checked before anything is replaced."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.migrate import upgrade_async
from happykids.db.repositories.catalog import export_spec, replace_catalog
from happykids.domain.catalog import CatalogError
from happykids.domain.catalog_yaml import CatalogSpec, dump_catalog_yaml, parse_catalog_yaml
from happykids.domain.os_errors import os_reason

UNCHANGED = "Каталог не изменён."


async def _sessions(settings: Settings) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade_async(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    return engine, create_session_factory(engine)


async def import_catalog(settings: Settings, path: Path) -> int:
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except UnicodeDecodeError:
        print(f"happykids: {path}: файл не в кодировке UTF-8. {UNCHANGED}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"happykids: не удаётся прочитать {path}: {os_reason(exc)}. {UNCHANGED}", file=sys.stderr)
        return 2
    try:
        spec = parse_catalog_yaml(text)
    except CatalogError as exc:
        print(f"happykids: {path}: {exc}. {UNCHANGED}", file=sys.stderr)
        return 2
    engine, sessions = await _sessions(settings)
    try:
        async with sessions() as session, session.begin():
            await replace_catalog(session, spec)
    finally:
        await engine.dispose()
    print(import_summary(spec))
    return 0


def import_summary(spec: CatalogSpec) -> str:
    hidden = sum(item.hidden for item in spec.groups + spec.periods + spec.children)
    parts = [f"групп — {len(spec.groups)}", f"периодов — {len(spec.periods)}",
             f"вариантов количества детей — {len(spec.children)}", f"ссылок — {len(spec.links)}"]
    if hidden:
        parts.append(f"скрыто от родителей — {hidden}")
    notes = "".join(f"\n{note}" for note in spec.notes)  # renewals: a period without a length
    return f"Каталог загружен: {', '.join(parts)}.{notes}"


async def export_catalog(settings: Settings) -> int:
    engine, sessions = await _sessions(settings)
    try:
        async with sessions() as session:
            sys.stdout.write(dump_catalog_yaml(await export_spec(session)))
    finally:
        await engine.dispose()
    return 0
