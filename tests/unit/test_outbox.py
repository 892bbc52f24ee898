"""The outbox worker on its own: order per kind, independent kinds, retries, giving up, restarts."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import OutboxTask
from happykids.db.repositories.outbox import enqueue
from happykids.storage.base import ArchiveError
from happykids.workers import outbox
from happykids.workers.outbox import GiveUp, OutboxWorker
from tests.schema import migrated_sqlite_url


@pytest.fixture
async def app(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(outbox, "RETRY_BASE_SECONDS", 0.02)
    monkeypatch.setattr(outbox, "RETRY_MAX_SECONDS", 0.05)
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    url = await migrated_sqlite_url(tmp_path)  # the schema without running the migrations again (tests/schema.py)
    engine = create_engine(url)
    yield SimpleNamespace(sessions=create_session_factory(engine))
    await engine.dispose()


async def add(app, *tasks: tuple[str, int]) -> None:
    async with app.sessions() as session, session.begin():
        for kind, number in tasks:
            enqueue(session, kind, f"n:{number}", {"n": number})


async def statuses(app) -> dict[int, tuple[str, int]]:
    async with app.sessions() as session:
        rows = (await session.scalars(select(OutboxTask).order_by(OutboxTask.id))).all()
    return {json_n(row.payload): (row.status, row.attempts) for row in rows}


def json_n(payload: str) -> int:
    import json

    return json.loads(payload)["n"]


async def run_until(app, executors, condition, timeout=5.0) -> None:
    worker = OutboxWorker(app.sessions, executors, context=None)
    runner = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.02)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def all_finished(app) -> bool:
    return all(status != "pending" for status, _ in (await statuses(app)).values())


async def test_one_kind_runs_in_order_even_through_failures_other_kinds_do_not_wait(app):
    done: list[tuple[str, int]] = []
    outage = {"left": 3}

    async def archive(_ctx, payload):
        if outage["left"]:
            outage["left"] -= 1
            raise ArchiveError("MEGA is down")
        done.append(("archive", payload["n"]))

    async def notify(_ctx, payload):
        done.append(("notify", payload["n"]))

    await add(app, ("archive", 1), ("notify", 2), ("archive", 3), ("notify", 4), ("archive", 5))
    await run_until(app, {"archive": archive, "notify": notify}, lambda: all_finished(app))

    assert [n for kind, n in done if kind == "archive"] == [1, 3, 5]
    assert done.index(("notify", 4)) < done.index(("archive", 1)), "notifications did not wait for MEGA"
    final = await statuses(app)
    assert final[1] == ("done", 3) and final[3] == ("done", 0)


async def test_give_up_and_bugs_end_as_failed_transient_errors_keep_trying(app):
    calls = {"transient": 0}

    async def hopeless(_ctx, _payload):
        raise GiveUp("the file is gone")

    async def buggy(_ctx, _payload):
        raise KeyError("bug")

    async def flaky(_ctx, _payload):
        calls["transient"] += 1
        if calls["transient"] < 6:  # more than MAX_ATTEMPTS: transient errors are never fatal
            raise ConnectionError("network")

    await add(app, ("hopeless", 1), ("buggy", 2), ("flaky", 3))
    await run_until(app, {"hopeless": hopeless, "buggy": buggy, "flaky": flaky}, lambda: all_finished(app))
    assert await statuses(app) == {1: ("failed", 1), 2: ("failed", 3), 3: ("done", 5)}


async def test_pending_work_survives_a_restart_of_the_worker(app):
    started = asyncio.Event()
    done: list[int] = []

    async def slow(_ctx, payload):
        started.set()
        await asyncio.sleep(10)  # the process "dies" in the middle of this

    await add(app, ("job", 1))
    worker = OutboxWorker(app.sessions, {"job": slow}, context=None)
    runner = asyncio.create_task(worker.run())
    await asyncio.wait_for(started.wait(), 5)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    assert (await statuses(app))[1] == ("pending", 0)

    async def quick(_ctx, payload):
        done.append(payload["n"])

    await run_until(app, {"job": quick}, lambda: all_finished(app))
    assert done == [1]


async def test_unknown_kinds_wait_and_do_not_block_others(app):
    async def known(_ctx, _payload):
        return None

    await add(app, ("from-a-newer-version", 1), ("known", 2))

    async def known_done() -> bool:
        return (await statuses(app))[2][0] == "done"

    await run_until(app, {"known": known}, known_done)
    assert (await statuses(app))[1] == ("pending", 0)
