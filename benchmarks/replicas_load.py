"""Load across replicas (issue #14, part 4): 1, 2 and 3 copies of the bot on one PostgreSQL and one Redis.

Why it exists: several replicas are only worth running if they add throughput and stay correct when one dies.
For each replica count N the script starts N bot processes on a fresh PostgreSQL database and Redis, each
serving its own port, and spreads the emulator's updates across them (Telegram's webhook behind a load
balancer: `emu.set_webhook_targets`, from the webhook branch; without it the script feeds the replicas itself,
see `Delivery`). Then, at the same time:

* PARENTS parents walk the whole payment dialog (/start and 8 presses, _bench_emulator.PRESSES); a share of them
  send a receipt photo after their link (the outbox: cards to the director, the archive, «получили»);
* a broadcast to BROADCAST other parents is sent by whichever replica claims it;
* with N ≥ 2, one replica (the one sending the broadcast) is killed -9 in the middle, and the load balancer
  drops it a moment later.

Checked after each run (printed, never asserted): every parent got exactly their link and no answer twice; every
broadcast message delivered once or marked unknown (never twice); every receipt there once, its archive task
done. Reported: the crowd's updates/s over the whole run and steady (10th to 90th percentile of completion, so
the parents who wait out their patience after the kill do not stretch it), tap-to-screen latency percentiles, and
the steady throughput of 2 and 3 replicas to 1. A parent who needed a second press, or went without their link,
is printed with their chat as they saw it.

    python benchmarks/replicas_load.py --quick      # 1 and 2 replicas, 60 parents, a broadcast to 300
    python benchmarks/replicas_load.py              # 1, 2, 3 replicas; 1,000 parents; a broadcast to 5,000
    python benchmarks/replicas_load.py --database-url postgresql://postgres@127.0.0.1:5432/postgres \\
        --fsm-storage-url redis://127.0.0.1:6379/13 --replicas 1,2,3 --no-kill
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the _bench_*.py helpers beside this file

from _bench_emulator import PRESSES, TimedEmulator, _until_button, do_step
from _bench_replicas import Delivery, Replica
from _bench_runs import Backend, forget_redis_keys, fresh_ids, project_database
from _bench_spawn import _import_catalog
from press_speed import pct
from sqlalchemy import insert, select

REPO = Path(__file__).resolve().parents[1]
DIRECTOR = 5_000_000_001
LINK = "kids-month-2"  # Малыши, 1 месяц, 2 ребёнка in the example catalog: what every parent must get, once
TO_LINK = [*PRESSES[:4], "2 ребёнка", "Подтвердить"]  # group, period, back, period, children, confirm


@dataclass
class Outcome:  # one replica count's numbers and checks
    replicas: int
    parents: int = 0
    updates: int = 0
    wall_s: float = 0.0
    failed: int = 0
    felt_ms: list[float] = field(default_factory=list)
    done_at: list[float] = field(default_factory=list)  # when each step's screen came, sorted
    killed: str = ""
    links_wrong: int = 0  # parents without exactly one link message
    doubled_answers: int = 0  # parents with a bot message that came twice
    broadcast: Counter[str] = field(default_factory=Counter)  # delivery statuses
    broadcast_twice: int = 0
    broadcast_missing: int = 0  # "sent" rows whose parent got nothing
    receipts_wrong: int = 0
    archive_not_done: int = 0

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0

    @property
    def steady_per_s(self) -> float:
        """Steps done between the 10th and the 90th percentile of completion, per second: the crowd's pace
        without the start and without the tail (the few parents who wait out their patience after the kill
        and press again stretch the wall time, not the bot's pace)."""
        n = len(self.done_at)
        if n < 10:
            return 0.0
        low, high = self.done_at[n // 10], self.done_at[n * 9 // 10]
        return (n * 9 // 10 - n // 10) / (high - low) if high > low else 0.0


# -- one run ----------------------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def engine_of(database_url: str) -> Any:
    from happykids.db.engine import create_engine

    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def seed_audience(database_url: str, emu: TimedEmulator, first_id: int, count: int) -> list[int]:
    """`count` parents known to the bot (and to the emulator, so a message to them is a real chat)."""
    from happykids.db.models import Parent

    ids = [first_id + n for n in range(count)]
    for user_id in ids:
        emu.user(user_id, f"Получатель {user_id - first_id}")
    async with engine_of(database_url) as engine, engine.begin() as connection:
        await connection.execute(insert(Parent), [{"user_id": uid, "first_name": "Получатель", "blocked": False}
                                                  for uid in ids])
    return ids


async def queue_broadcast(database_url: str, audience: list[int]) -> int:
    """A broadcast to `audience`, queued as the director's «Отправить» queues it; the replicas' senders claim it."""
    from happykids.db.engine import create_session_factory
    from happykids.domain.broadcasts import AudienceKind, Content
    from happykids.domain.clock import zone
    from happykids.services.broadcast import Audience, create_broadcast

    async with engine_of(database_url) as engine, create_session_factory(engine)() as session, session.begin():
        broadcast, _ = await create_broadcast(session, created_by=DIRECTOR, content=Content("Завтра занятий нет"),
                                              audience=Audience(AudienceKind.ALL), tz=zone("Asia/Yekaterinburg"),
                                              progress_chat_id=DIRECTOR)
        return broadcast.id


async def broadcast_rows(database_url: str, broadcast_id: int) -> tuple[str | None, str | None, dict[int, str]]:
    """(status, claimed_by, user id -> delivery status)."""
    from happykids.db.models import Broadcast, BroadcastDelivery

    async with engine_of(database_url) as engine, engine.connect() as connection:
        head = (await connection.execute(select(Broadcast.status, Broadcast.claimed_by)
                                         .where(Broadcast.id == broadcast_id))).one()
        rows = (await connection.execute(select(BroadcastDelivery.user_id, BroadcastDelivery.status)
                                         .where(BroadcastDelivery.broadcast_id == broadcast_id))).all()
    return head[0], head[1], dict(rows)


async def receipts_and_archive(database_url: str) -> tuple[Counter[int], int]:
    """(receipts per parent, archive tasks not done)."""
    from happykids.db.models import OutboxTask, Receipt
    from happykids.domain.outbox import ReceiptTask

    async with engine_of(database_url) as engine, engine.connect() as connection:
        owners = (await connection.scalars(select(Receipt.user_id))).all()
        archive = (await connection.scalars(select(OutboxTask.status)
                                            .where(OutboxTask.kind == ReceiptTask.ARCHIVE))).all()
    return Counter(owners), sum(1 for status in archive if status != "done")


async def kill_midway(emu: TimedEmulator, replicas: list[Replica], delivery: Delivery, database_url: str,
                      broadcast_id: int, total_steps: int, outcome: Outcome) -> None:
    """When half the crowd's steps are done, kill -9 the replica sending the broadcast (or the last one); the
    load balancer drops it a second later."""
    while True:
        if sum(1 for s in emu.steps if s.done.done()) >= total_steps // 2:
            break
        await asyncio.sleep(0.2)
    _status, owner, _rows = await broadcast_rows(database_url, broadcast_id)
    victim = next((r for r in replicas if r.proc and owner and f"/{r.proc.pid}/" in owner), replicas[-1])
    victim.kill9()
    outcome.killed = f"replica {victim.index} (pid {victim.proc.pid if victim.proc else '?'})"
    await asyncio.sleep(1.0)
    delivery.drop(victim)


async def walk_and_pay(emu: TimedEmulator, parents: int, first_id: int, timeout: float, receipt_every: int,
                       patience: float) -> int:
    """The crowd: each parent walks to their link (and every N-th sends a receipt); returns how many failed. A
    screen that does not come within `patience` (its update was handled, and committed, by the replica killed
    before it showed the screen: its redelivery is skipped) makes the parent press again, as a person would."""
    async def one(n: int) -> bool:
        user = emu.user(first_id + n, f"Родитель {n}")
        for kind, label in [("start", "/start"), *(("press", p) for p in TO_LINK)]:
            for wait in (patience, timeout):
                try:
                    await do_step(emu, user, kind, label, wait)
                    break
                except (TimeoutError, LookupError) as exc:
                    stuck[user.id] = f"{label!r}: {type(exc).__name__} {exc}"
            else:
                return False
            if kind == "start":
                await _until_button(user, TO_LINK[0], timeout)
        if n % receipt_every == 0:
            await user.send_photo()
        return True

    return (await asyncio.gather(*(one(n) for n in range(parents)))).count(False)


stuck: dict[int, str] = {}  # parent -> the step that needed a second press (or failed), for the diagnosis


async def run_once(count: int, args: argparse.Namespace, backend: Backend) -> Outcome:
    outcome = Outcome(count, parents=args.parents)
    emu = TimedEmulator()
    await emu.start()
    workdir = Path(tempfile.mkdtemp(prefix=f"replicas_load_{count}_"))
    crowd_first, audience_first = fresh_ids(), fresh_ids()
    try:
        async with project_database(backend) as database_url:
            assert database_url, "replicas need PostgreSQL: pass --database-url"
            await _import_catalog(workdir / "data", database_url)  # migrates the database too
            emu.user(DIRECTOR, "Директор")
            audience = await seed_audience(database_url, emu, audience_first, args.broadcast)
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FSM_STORAGE_URL")}
            env.update(BOT_TOKEN=emu.token, BOT_API_URL=emu.base_url, DATA_DIR=str(workdir / "data"),
                       DATABASE_URL=database_url, ADMIN_IDS=str(DIRECTOR), PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
            # Every replica's pool plus its overflow (10) within the server's connections, as the operator's guide
            # says to size DATABASE_POOL_SIZE; the default (60) is for one copy.
            env["DATABASE_POOL_SIZE"] = str(max(12, min(60, args.pg_connections // count - 10)))
            if backend.fsm_storage_url:  # replicas need it: the database's dialog-state cache is per process
                env["FSM_STORAGE_URL"] = backend.fsm_storage_url
            webhook = hasattr(emu, "set_webhook_targets")
            replicas = [Replica(i, env, workdir, webhook) for i in range(count)]
            for replica in replicas:  # one after another: each checks the schema and sets the webhook at start
                await replica.start()
                await replica.ready()
            try:
                async with Delivery(emu, replicas) as delivery:
                    broadcast_id = await queue_broadcast(database_url, audience)
                    steps = args.parents * (1 + len(TO_LINK))
                    killer = (asyncio.create_task(kill_midway(emu, replicas, delivery, database_url, broadcast_id,
                                                              steps, outcome))
                              if count >= 2 and not args.no_kill else None)
                    started = time.perf_counter()
                    outcome.failed = await walk_and_pay(emu, args.parents, crowd_first, args.step_timeout,
                                                        args.receipt_every, args.patience)
                    outcome.wall_s = time.perf_counter() - started
                    if killer is not None:
                        killer.cancel()
                        for failure in await asyncio.gather(killer, return_exceptions=True):
                            if isinstance(failure, Exception):
                                print(f"the kill went wrong: {failure!r}")
                    await _until_broadcast_done(database_url, broadcast_id, args.broadcast_timeout)
                    await asyncio.sleep(3.0)  # the outbox finishes the receipts' tasks
                    await _check(emu, outcome, database_url, broadcast_id, crowd_first, args)
            finally:
                for replica in replicas:
                    await replica.stop()
    finally:
        await emu.stop()
        if backend.fsm_storage_url:
            await forget_redis_keys(backend.fsm_storage_url, crowd_first)
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


async def _until_broadcast_done(database_url: str, broadcast_id: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _owner, _rows = await broadcast_rows(database_url, broadcast_id)
        if status == "done":
            return
        await asyncio.sleep(1.0)


async def _check(emu: TimedEmulator, outcome: Outcome, database_url: str, broadcast_id: int, crowd_first: int,
                 args: argparse.Namespace) -> None:
    outcome.updates = sum(1 for s in emu.steps if s.done.done())
    outcome.felt_ms = [s.felt_ms for s in emu.steps if s.felt_ms is not None]
    outcome.done_at = sorted(s.screen_at for s in emu.steps if s.screen_at is not None and s.done.done())
    shown = {"without exactly one link": 0, "pressed twice": 0}  # what such a person saw (at most 3 of each)
    for n in range(args.parents):
        user = emu.user(crowd_first + n, f"Родитель {n}")
        messages = user.bot_messages
        links = [m for m in messages if LINK in m.text + repr(m.buttons)]
        outcome.links_wrong += len(links) != 1
        kind = "without exactly one link" if len(links) != 1 else "pressed twice" if user.id in stuck else None
        if kind and shown[kind] < 3:
            shown[kind] += 1
            print(f"parent {n}, {kind}: {len(links)} link(s); {stuck.get(user.id, '')}\n{user.dump()}")
            print(_deliveries(emu, user.id))
        outcome.doubled_answers += bool(messages) and max(Counter(m.text for m in messages).values()) > 1
    _status, _owner, rows = await broadcast_rows(database_url, broadcast_id)
    outcome.broadcast = Counter(rows.values())
    for user_id, status in rows.items():
        got = len(emu.user(user_id, "").bot_messages)
        outcome.broadcast_twice += got > 1
        outcome.broadcast_missing += status == "sent" and got != 1
    receipts, outcome.archive_not_done = await receipts_and_archive(database_url)
    payers = {crowd_first + n for n in range(0, args.parents, args.receipt_every)}
    outcome.receipts_wrong = sum(1 for user in payers if receipts.get(user) != 1)


def _deliveries(emu: TimedEmulator, chat_id: int) -> str:
    """Each of the parent's steps: its update, when the bot answered, and every webhook attempt (replica, status;
    0: no answer, the connection failed)."""
    webhook = getattr(emu, "webhook", None)
    attempts = getattr(webhook, "attempts", [])
    in_flight = getattr(webhook, "_in_flight", {})  # posted and not answered yet: the replica still works on it
    lines = []
    for s in (s for s in emu.steps if s.chat_id == chat_id):
        tries = [f"{address.rsplit(':', 1)[-1]}→{status}" for address, update_id, status in attempts
                 if update_id == s.update_id]
        lines.append(f"  {s.kind} {s.label!r}: update {s.update_id}, ack {s.ack_ms and round(s.ack_ms)} ms, "
                     f"screen {s.screen_ms and round(s.screen_ms)} ms; webhook {', '.join(tries) or '—'}"
                     f"{' (in flight now)' if s.update_id in in_flight else ''}")
    return "\n".join(lines)


# -- the report -------------------------------------------------------------------------------------------------

def report(outcomes: list[Outcome]) -> None:
    def ms(values: list[float], p: float) -> str:
        value = pct(values, p)
        return "—" if value is None else f"{value:.0f}"

    base = next((o for o in outcomes if o.replicas == 1), None)
    print("\nreplicas | updates/s (all) | steady updates/s | vs 1 | p50 ms | p95 ms | p99 ms | failed | killed | "
          "links ≠1 | doubled | "
          "broadcast (statuses) | twice | sent-not-got | receipts ≠1 | archive not done")
    for o in outcomes:
        ratio = f"{o.steady_per_s / base.steady_per_s:.2f}" if base and base.steady_per_s else "—"
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(o.broadcast.items()))
        print(f"{o.replicas} | {o.updates_per_s:.1f} | {o.steady_per_s:.1f} | {ratio} | {ms(o.felt_ms, 50)} | "
              f"{ms(o.felt_ms, 95)} | {ms(o.felt_ms, 99)} | {o.failed} | {o.killed or '—'} | {o.links_wrong} | "
              f"{o.doubled_answers} | "
              f"{statuses} | {o.broadcast_twice} | {o.broadcast_missing} | {o.receipts_wrong} | {o.archive_not_done}")


async def main(args: argparse.Namespace) -> None:
    backend = Backend(args.database_url, args.fsm_storage_url)
    delivery = "emulator webhook (set_webhook_targets)" if hasattr(TimedEmulator, "set_webhook_targets") else \
        "the script's own spreading pump (no webhook branch yet)"
    print(f"{backend.label}; {args.parents} parents, a broadcast to {args.broadcast}; delivery: {delivery}")
    outcomes = []
    for count in args.replicas:
        outcome = await run_once(count, args, backend)
        outcomes.append(outcome)
        report([outcome])
    report(outcomes)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", default="1,2,3", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--parents", type=int, default=1000)
    parser.add_argument("--broadcast", type=int, default=5000)
    parser.add_argument("--receipt-every", type=int, default=10, help="every N-th parent sends a receipt")
    parser.add_argument("--step-timeout", type=float, default=120.0)
    parser.add_argument("--patience", type=float, default=30.0,
                        help="seconds a parent waits for a screen before pressing again (longer than any latency "
                             "under load: only a screen lost with the killed replica should need it)")
    parser.add_argument("--broadcast-timeout", type=float, default=900.0)
    parser.add_argument("--no-kill", action="store_true", help="no kill -9 (pure throughput)")
    parser.add_argument("--quick", action="store_true", help="1 and 2 replicas, 60 parents, a broadcast to 300")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-connections", type=int, default=85,
                        help="connections all replicas may open together (the server's max_connections less a margin)")
    parser.add_argument("--fsm-storage-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)
    if args.quick:
        args.replicas, args.parents, args.broadcast = [1, 2], 60, 300
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
