"""Background jobs of two replicas on one PostgreSQL database: each outbox task and the day's backup happen once,
and a replica killed in the middle leaves its work to the other when its lease runs out (workers/leases.py).

Each replica is its own engine and its own worker, as two processes would be. A kill -9 is what it leaves in the
database: a claim with a lease and no graceful release. Time passing is the lease aged in the database, not a
sleep.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import JobClaim, OutboxTask
from happykids.db.repositories import job_claims
from happykids.db.repositories.outbox import claim_heads, enqueue
from happykids.services.archive import claim_telling
from happykids.workers import leases, outbox
from happykids.workers.backups import DailyBackups
from happykids.workers.outbox import OutboxWorker


@pytest.fixture
async def replicas(pg_schema_url, monkeypatch) -> AsyncIterator[list[Any]]:
    """Session factories of two replicas (two engines, two connection pools) on one fresh database."""
    monkeypatch.setattr(outbox, "POLL_SECONDS", 0.05)
    engines = [create_engine(pg_schema_url) for _ in range(2)]
    yield [create_session_factory(engine) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def add_tasks(sessions, count: int, kinds: tuple[str, ...]) -> None:
    async with sessions() as session, session.begin():
        for n in range(count):
            enqueue(session, kinds[n % len(kinds)], f"n:{n}", {"n": n})


async def pending(sessions) -> int:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxTask.id).where(OutboxTask.status == "pending"))
        return len(rows.all())


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


async def stop(*runs: asyncio.Task[None]) -> None:
    for run in runs:
        run.cancel()
    await asyncio.gather(*runs, return_exceptions=True)


async def test_two_replicas_run_each_outbox_task_once_and_in_order(replicas):
    kinds = ("cards", "archive", "notices")
    await add_tasks(replicas[0], 90, kinds)
    done: list[tuple[str, int]] = []  # (replica, task number) in the order they ran
    running: Counter[str] = Counter()  # kind -> executions in progress, on any replica
    overlaps: list[str] = []

    def executor(replica: str, kind: str):
        async def run(_context: Any, payload: dict[str, Any]) -> None:
            running[kind] += 1
            if running[kind] > 1:
                overlaps.append(kind)
            await asyncio.sleep(0)  # let the other replica try to take the same kind meanwhile
            done.append((replica, payload["n"]))
            running[kind] -= 1
        return run

    workers = [OutboxWorker(sessions, {kind: executor(name, kind) for kind in kinds}, context=None)
               for name, sessions in zip("AB", replicas, strict=True)]
    runs = [asyncio.create_task(worker.run()) for worker in workers]
    try:
        await until(lambda: _none_pending(replicas[0]))
    finally:
        await stop(*runs)

    numbers = [n for _, n in done]
    assert sorted(numbers) == list(range(90))  # every task once: none lost, none twice
    assert not overlaps  # the head of a kind runs on one replica at a time
    for k in range(len(kinds)):  # and a kind's tasks ran in the order they were made, across replicas
        assert [n for n in numbers if n % len(kinds) == k] == list(range(k, 90, len(kinds)))
    assert {replica for replica, _ in done} == {"A", "B"}  # both replicas took part


async def _none_pending(sessions) -> bool:
    return await pending(sessions) == 0


async def test_a_killed_replicas_task_waits_for_its_lease_then_runs_once_elsewhere(replicas):
    await add_tasks(replicas[0], 1, ("archive",))
    async with replicas[0]() as session, session.begin():  # replica A took the task, then was killed -9
        [task] = await claim_heads(session, ["archive"], "dead-replica", utcnow(), leases.lease_end())
    runs: list[int] = []

    async def archive(_context: Any, payload: dict[str, Any]) -> None:
        runs.append(payload["n"])

    survivor = OutboxWorker(replicas[1], {"archive": archive}, context=None)
    rounds = _count_rounds(survivor)
    run = asyncio.create_task(survivor.run())
    try:
        await until(lambda: _after(rounds, 5))  # five looks at the table while the dead lease holds
        assert runs == []
        async with replicas[1]() as session, session.begin():  # the lease runs out
            await session.execute(update(OutboxTask).where(OutboxTask.id == task.id)
                                  .values(claimed_until=utcnow() - timedelta(seconds=1)))
        survivor.wake()
        await until(lambda: _none_pending(replicas[1]))
    finally:
        await stop(run)
    assert runs == [0]
    async with replicas[1]() as session:
        row = await session.get(OutboxTask, task.id)
        assert row is not None and row.status == "done" and row.claimed_by == survivor.owner


def _count_rounds(worker: OutboxWorker[Any]) -> list[int]:
    rounds = [0]
    dispatch = worker._dispatch

    async def counted() -> float | None:
        rounds[0] += 1
        return await dispatch()

    worker._dispatch = counted  # type: ignore[method-assign]
    return rounds


async def _after(rounds: list[int], number: int) -> bool:
    return rounds[0] >= number


async def test_a_replica_that_lost_its_lease_stops_the_task_and_records_nothing(replicas, monkeypatch):
    monkeypatch.setattr(leases, "LEASE_SECONDS", 0.3)  # renewed every 0.1 s
    await add_tasks(replicas[0], 1, ("archive",))
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def slow_archive(_context: Any, _payload: dict[str, Any]) -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # a stalled upload
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stalled = OutboxWorker(replicas[0], {"archive": slow_archive}, context=None)
    run = asyncio.create_task(stalled.run())
    try:
        await asyncio.wait_for(started.wait(), 10)
        async with replicas[1]() as session, session.begin():  # another replica took it over meanwhile
            await session.execute(update(OutboxTask).values(claimed_by="successor"))
        await asyncio.wait_for(cancelled.wait(), 10)
    finally:
        await stop(run)
    async with replicas[1]() as session:
        [row] = (await session.scalars(select(OutboxTask))).all()
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, "successor")  # left to the successor


async def test_the_days_backup_is_made_once_by_two_replicas(replicas, pg_schema_url, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "shared", database_url=pg_schema_url)
    (settings.data_dir / "receipts").mkdir(parents=True)
    looks: list[float] = []

    async def look_again_soon(seconds: float) -> None:  # the loser looks again for the winner's "done"
        looks.append(seconds)
        await asyncio.sleep(0.05)

    jobs = [DailyBackups(settings, _NoArchive(), sleep=look_again_soon, sessions=sessions)  # type: ignore[arg-type]
            for sessions in replicas]
    made = await asyncio.gather(*(job.run_claimed("daily_backup:2026-11-29") for job in jobs))
    assert len([path for path in made if path is not None]) == 1
    assert len(list((settings.data_dir / "backups").glob("happykids-daily-*.tar.gz"))) == 1
    again = await jobs[1].run_claimed("daily_backup:2026-11-29")  # a late replica the same day: nothing to do
    assert again is None


async def test_a_backup_left_by_a_killed_replica_is_made_by_another_after_its_lease(replicas, pg_schema_url, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "shared", database_url=pg_schema_url)
    (settings.data_dir / "receipts").mkdir(parents=True)
    key = "daily_backup:2026-11-30"
    async with replicas[0]() as session, session.begin():  # replica A began the backup and was killed -9
        assert await job_claims.claim(session, key, "dead-replica", leases.lease_end())
    waits: list[float] = []

    async def time_passes(seconds: float) -> None:
        waits.append(seconds)
        async with replicas[1]() as session, session.begin():
            await session.execute(update(JobClaim).values(claimed_until=utcnow() - timedelta(seconds=1)))

    job = DailyBackups(settings, _NoArchive(), sleep=time_passes, sessions=replicas[1])  # type: ignore[arg-type]
    made = await job.run_claimed(key)
    assert made is not None and made.is_file()
    assert waits == [leases.LEASE_SECONDS]  # it waited for the dead one's lease once, then took over
    async with replicas[1]() as session:
        assert await job_claims.is_done(session, key)


class _NoArchive:
    name = "local"


async def test_two_replicas_seeing_a_refused_mega_login_tell_the_admins_once(replicas):
    """app/archive_watch.py: replicas start together and find the same refused login; one claims the telling.
    If it dies before telling, another replica tells once its lease has run out."""
    error = "MEGA не принимает логин и пароль (-9): проверьте MEGA_EMAIL и MEGA_PASSWORD"
    lease = timedelta(minutes=5)
    told = await asyncio.gather(*(claim_telling(sessions, error, f"replica-{n}", lease)
                                  for n, sessions in enumerate(replicas)))
    assert sorted(told) == [False, True]
    assert not await claim_telling(replicas[1], error, "replica-9", lease)  # a restart meanwhile: still taken
    async with replicas[0]() as session, session.begin():  # the teller was killed: its lease runs out
        await session.execute(update(JobClaim).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert await claim_telling(replicas[1], error, "replica-9", lease)
