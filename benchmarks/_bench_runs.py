"""One measured run of press_speed.py: a bot (bare or the project) in this process, a crowd of parents, numbers.

Why it exists: both bots must be measured the same way -- same emulator class, same warm-up, same crowd,
same clocks -- so the comparison is only about the bots. It also holds what the project's run needs around
it: counting SQL per kind of update, and a fresh PostgreSQL database (dropped afterwards) and a Redis key
range nobody else uses (deleted afterwards) when the benchmark runs on those servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import random
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _bench_emulator import PRESSES, TimedEmulator, crowd
from sqlalchemy import event
from sqlalchemy.engine import make_url

CATALOG = Path(__file__).resolve().parents[1] / "happykids" / "catalogs" / "example.yaml"
USERS_PER_RUN = 100_000  # each run's parents get their own id range (also their Redis keys)


@dataclass
class Backend:
    """Where the project keeps its data: SQLite in a temporary folder, or PostgreSQL (+ Redis)."""

    database_url: str | None = None  # a PostgreSQL *server* URL; each run gets a fresh database on it
    fsm_storage_url: str | None = None  # redis://host:port/db (a spare db number is kindest)

    @property
    def label(self) -> str:
        database = "PostgreSQL" if self.database_url else "SQLite"
        return database + (" + Redis" if self.fsm_storage_url else "")


@dataclass
class RunResult:
    bot: str
    parents: int
    wall_s: float = 0.0
    cpu_s: float = 0.0
    updates: int = 0
    presses: int = 0
    api_calls: int = 0
    failed: int = 0
    ack_ms: list[float] = field(default_factory=list)
    screen_ms: list[float] = field(default_factory=list)
    felt_ms: list[float] = field(default_factory=list)  # tap -> screen, the wait to be fetched included
    felt_ack_ms: list[float] = field(default_factory=list)  # tap -> answerCallbackQuery, likewise
    start_screen_ms: list[float] = field(default_factory=list)
    sql: dict[str, Counter[str]] = field(default_factory=dict)  # "press" / "start" / "other" -> kind -> count
    starts: int = 0

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0


def fresh_ids() -> int:
    """A base user id no other run (or test, which use small ids) shares."""
    return 6_000_000_000 + random.randrange(10**6) * USERS_PER_RUN  # noqa: S311 - not for security


# -- counting SQL per kind of update -------------------------------------------------------------------------

UPDATE_KIND: ContextVar[str] = ContextVar("bench_update_kind", default="other")


class SqlCounter:
    """Statements and commits on the project's engine, by the kind of update that caused them.

    The kind is a context variable set when the dispatcher is fed the update (``feed_update`` wrapped on the
    instance, before any middleware); SQLAlchemy's async layer carries the caller's context into its greenlet,
    so the engine events see it. Background jobs' statements fall under "other"."""

    def __init__(self, app: Any) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.engine = app.engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        original = app.dp.feed_update

        async def feed_update(bot: Any, update: Any, **kwargs: Any) -> Any:
            UPDATE_KIND.set("press" if update.callback_query else "start" if update.message else "other")
            return await original(bot, update, **kwargs)

        app.dp.feed_update = feed_update

    def _count(self, what: str) -> None:
        self.counts.setdefault(UPDATE_KIND.get(), Counter())[what] += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._count(statement.lstrip().split(None, 1)[0].upper())

    def _commit(self, _conn: Any) -> None:
        self._count("COMMIT")

    def _rollback(self, _conn: Any) -> None:
        self._count("ROLLBACK")

    def reset(self) -> None:
        self.counts = {}


# -- servers ------------------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def project_database(backend: Backend) -> AsyncIterator[str | None]:
    """SQLAlchemy URL for one run: None (SQLite in DATA_DIR) or a fresh PostgreSQL database, dropped after."""
    if not backend.database_url:
        yield None
        return
    import asyncpg

    server = make_url(backend.database_url).set(drivername="postgresql")
    name = f"bench_press_{random.randrange(16**8):08x}"  # noqa: S311
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def forget_redis_keys(url: str, first_id: int) -> int:
    """Delete the FSM keys of this run's parents (``fsm:<chat>:<user>:...`` in their id range), nothing else."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    doomed = []
    try:
        async for key in client.scan_iter(match="fsm:*", count=1000):
            parts = key.decode().split(":")
            if len(parts) > 2 and parts[1].lstrip("-").isdigit() and \
                    first_id <= int(parts[1]) < first_id + USERS_PER_RUN:
                doomed.append(key)
        for start in range(0, len(doomed), 500):
            await client.delete(*doomed[start:start + 500])
    finally:
        await client.aclose()
    return len(doomed)


# -- the runs -----------------------------------------------------------------------------------------------

async def _measure(emu: TimedEmulator, parents: int, first_id: int, step_timeout: float,
                   counter: SqlCounter | None, result: RunResult, profiler: Any = None) -> RunResult:
    await emu.polled.wait()
    # Warm-up: one parent walks the whole dialog (connections opened, caches filled), not measured.
    await crowd(emu, 1, PRESSES, first_id=first_id + USERS_PER_RUN - 1, timeout=step_timeout)
    await asyncio.sleep(0.2)
    emu.steps.clear()
    if counter:
        counter.reset()
    calls_before = len(emu.calls)
    gc.collect()
    if profiler:
        profiler.enable()
    cpu, started = time.process_time(), time.perf_counter()
    result.failed = await crowd(emu, parents, PRESSES, first_id=first_id, timeout=step_timeout)
    result.wall_s = time.perf_counter() - started
    result.cpu_s = time.process_time() - cpu
    if profiler:
        profiler.disable()
    result.api_calls = emu.api_calls(calls_before)
    for step in emu.steps:
        if step.handed_at is None:
            continue
        result.updates += 1
        if step.kind == "press":
            result.presses += 1
            if step.ack_ms is not None:
                result.ack_ms.append(step.ack_ms)
            if step.screen_ms is not None:
                result.screen_ms.append(step.screen_ms)
            if step.felt_ms is not None:
                result.felt_ms.append(step.felt_ms)
            if step.felt_ack_ms is not None:
                result.felt_ack_ms.append(step.felt_ack_ms)
        else:
            result.starts += 1
            if step.screen_ms is not None:
                result.start_screen_ms.append(step.screen_ms)
    if counter:
        result.sql = counter.counts
    return result


async def run_bare(parents: int, step_timeout: float, backend: Backend, profiler: Any = None) -> RunResult:
    from _bare_bot import build

    first_id = fresh_ids()
    emu = TimedEmulator()
    await emu.start()
    bot, dp = build(emu.base_url, emu.token)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=20))
    try:
        return await _measure(emu, parents, first_id, step_timeout, None, RunResult("bare", parents), profiler)
    finally:
        await _stop(polling, dp.stop_polling)
        await bot.session.close()
        await emu.stop()


async def run_project(parents: int, step_timeout: float, backend: Backend, profiler: Any = None) -> RunResult:
    from happykids.app import build_app, run_polling
    from happykids.cli.catalog import import_catalog
    from happykids.config import Settings

    first_id = fresh_ids()
    emu = TimedEmulator()
    await emu.start()
    try:
        async with project_database(backend) as database_url:
            with tempfile.TemporaryDirectory(prefix="press_speed_") as tmp:
                settings = Settings(_env_file=None, bot_token=emu.token, bot_api_url=emu.base_url,
                                    data_dir=Path(tmp), database_url=database_url,
                                    fsm_storage_url=backend.fsm_storage_url)
                with contextlib.redirect_stdout(io.StringIO()):  # "Каталог загружен: ..."
                    assert await import_catalog(settings, CATALOG) == 0
                app = await build_app(settings)
                counter = SqlCounter(app)
                polling = asyncio.create_task(run_polling(app, handle_signals=False))
                try:
                    return await _measure(emu, parents, first_id, step_timeout, counter,
                                          RunResult("project", parents), profiler)
                finally:
                    await _stop(polling, app.dp.stop_polling)
                    if backend.fsm_storage_url:
                        await forget_redis_keys(backend.fsm_storage_url, first_id)
    finally:
        await emu.stop()


async def _stop(polling: asyncio.Task[Any], stop: Callable[[], Any]) -> None:
    with contextlib.suppress(RuntimeError):
        await stop()
    try:
        await asyncio.wait_for(polling, 30)
    except (TimeoutError, asyncio.CancelledError):
        polling.cancel()
