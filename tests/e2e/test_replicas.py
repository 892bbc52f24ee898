"""Two replicas of the bot, as two processes on one PostgreSQL and one Redis, fed by a load balancer.

Each replica is the real app in its own process (tests/e2e/replica_server.py); the emulator's updates are spread
over them the way Telegram's webhook delivery reaches replicas behind a load balancer: each update to one
replica, or the same update to both at once (a redelivery while the first is still handling it). What is checked
is what a parent and the director see: every step once, a parent's quick messages answered in order, a
broadcast that survives the kill -9 of the replica sending it with nobody getting it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import Application, Broadcast, BroadcastDelivery, CatalogGroup, Parent
from happykids.domain.broadcasts import AudienceKind, Content
from happykids.domain.clock import zone
from happykids.services.broadcast import Audience, create_broadcast
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.process import BotProcess
from tests.e2e.project_helpers import make_project
from tests.e2e.test_payment_dialog import step

LEASE_SECONDS = 2.0  # the replicas' job leases: a killed replica's broadcast is taken over in seconds


@pytest.fixture
def settings(settings, pg_schema_url, redis_server):
    return settings.model_copy(update={"database_url": pg_schema_url, "fsm_storage_url": "redis://127.0.0.1:6379/0"})


class Replica(BotProcess):
    """`python -m tests.e2e.replica_server PORT`: the app in its own process, on the shared DATA_DIR."""

    def __init__(self, emu, settings, **extra_env: str):
        super().__init__(emu, settings.data_dir, admin_ids=str(ADMIN_ID), extra_env={
            "DATABASE_URL": settings.database_url, "FSM_STORAGE_URL": settings.fsm_storage_url,
            "REPLICA_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING", **extra_env})  # stderr is a pipe read only at the end: keep it from filling
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.e2e.replica_server", str(self.port), env=self.env,
            cwd=self.data_dir.parent, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return self.proc

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/update"


@pytest.fixture
def crash_file(tmp_path):
    """Arms a crash point in whichever replica passes it first (services/crash_points.py)."""
    path = tmp_path / "crash_point"
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture(params=["redis"])
def dialogs_in(request) -> str:
    """Where the replicas keep dialog state: "redis", or "postgres" (no FSM_STORAGE_URL: the shared database)."""
    return request.param


@pytest.fixture
async def replicas(emu, runner, settings, crash_file, dialogs_in) -> AsyncIterator[list[Replica]]:
    """Two replicas on the database the runner loaded with the small catalog."""
    storage = {"FSM_STORAGE_URL": settings.fsm_storage_url if dialogs_in == "redis" else ""}
    started = [Replica(emu, settings, HAPPYKIDS_TEST_CRASH_FILE=str(crash_file), **storage) for _ in range(2)]
    for replica in started:
        await replica.start()
    for replica in started:
        await replica.wait_for_log("ready on")
    yield started
    for replica in started:
        await replica.stop()


Route = Callable[[dict[str, Any]], list[Replica]]


class Spreader:
    """Takes the updates the emulator queues and posts each to the replicas `route` names, all at once, and
    waits for the answers: Telegram's webhook delivery behind a load balancer."""

    def __init__(self, emu, route: Route, failover: Callable[[Replica], Replica | None] = lambda _dead: None):
        self.emu, self.route, self.failover = emu, route, failover
        self.posts: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Spreader:
        self.http = aiohttp.ClientSession()
        self.pump = asyncio.create_task(self._pump())
        self.emu.idle_check = lambda: not self.posts  # settle() waits for the replicas' answers too
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.pump
        await asyncio.gather(*self.posts, return_exceptions=True)
        await self.http.close()

    async def _pump(self) -> None:
        offset = None
        while True:
            batch = await self.emu.updates.get(offset=offset, limit=100, timeout=1, allowed_updates=None,
                                               alive=lambda: True)
            for update in batch:
                offset = update["update_id"] + 1
                for replica in self.route(update):
                    post = asyncio.create_task(self._post(replica, update))
                    self.posts.add(post)
                    post.add_done_callback(self.posts.discard)

    async def _post(self, replica: Replica, update: dict[str, Any]) -> None:
        try:
            async with self.http.post(replica.url, json=update) as answer:
                assert answer.status == 200, await answer.text()
        except aiohttp.ClientError:  # a killed replica: Telegram retries, the load balancer picks another
            other = self.failover(replica)
            if other is not None:
                await self._post(other, update)


def round_robin(replicas: list[Replica]) -> Route:
    turn = itertools.cycle(replicas)
    return lambda _update: [next(turn)]


def new_id() -> int:
    return 500_000_000 + int.from_bytes(os.urandom(3), "big")  # Redis outlives the test: a fresh person each run


async def test_an_update_delivered_to_two_replicas_at_once_is_handled_once(emu, replicas):
    parent = emu.user(new_id(), "Алла")
    async with Spreader(emu, route=lambda _update: replicas):  # every update reaches both at the same moment
        await step(emu, parent.send_command("/start"))
        for label in ("Малыши", "1 месяц", "1 ребёнок", "Подтвердить"):
            await step(emu, parent.press(label))
    assert "Ваша ссылка на оплату" in parent.bot_messages[-1].text
    assert max(Counter(m.text for m in parent.bot_messages).values()) == 1  # no answer came twice
    # (a button answered twice, or a screen edited twice to the same text, fails the test in the emulator)


@pytest.mark.parametrize("point", ["press_answered", "step_written", "step_committed", "state_unpublished"])
async def test_a_press_whose_replica_died_before_showing_its_step_is_shown_by_the_other(emu, replicas, crash_file,
                                                                                        point):
    """The replica is killed before it edits the message: after answering the press, after writing the next
    step (kept for Redis until the commit), after committing it, or after the commit but before Redis has the
    step. Telegram delivers the press again, to the other replica: committed work is not done twice, uncommitted
    work is done (its second answer refused by Telegram and taken as answered), and the parent sees the step
    once; where Redis missed the step, they see the screen they pressed on and press again."""
    first, second = replicas
    parent = emu.user(new_id(), "Зоя")
    async with Spreader(emu, route=lambda _update: [first if first.proc.returncode is None else second],
                        failover=lambda dead: second if dead is first else None):
        await step(emu, parent.send_command("/start"))
        for label in ("Малыши", "1 месяц", "1 ребёнок"):
            await step(emu, parent.press(label))
        crash_file.write_text(point, encoding="utf-8")
        await parent.press("Подтвердить")
        if point == "state_unpublished":  # Redis still has «Проверьте»: the other replica shows that, unchanged
            await asyncio.wait_for(first.proc.wait(), 30)
            await emu.settle(quiet=0.3, timeout=30)  # the press, delivered again, is handled by the other
            assert parent.bot_messages[-1].has_button("Подтвердить")
            await parent.press("Подтвердить")
        link = await parent.wait_for(lambda m: "Ваша ссылка на оплату" in m.text, timeout=30)
        await emu.settle(quiet=0.3, timeout=30)
    assert first.proc.returncode == 137, await first.output()  # it died where it was meant to
    assert f"Crash point {point}" in await first.output()
    assert link.message_id == parent.bot_messages[-1].message_id  # the pressed message became the link screen
    assert len([m for m in parent.bot_messages if "Ваша ссылка на оплату" in m.text]) == 1
    assert not [m for m in parent.bot_messages if "что-то пошло не так" in m.text]
    # Answered before the kill, the press cannot be answered again (the bot cannot know it was); after a commit
    # the other replica knows and does not try.
    refused = ["answerCallbackQuery"] if point in ("press_answered", "step_written") else []
    assert [e.method for e in emu.errors] == refused, emu.errors
    emu.errors.clear()


def first_while_alive(emu, replicas: list[Replica]) -> Spreader:
    """Every update to the first replica while it lives; one it dies on goes to the second (Telegram's retry)."""
    first, second = replicas
    return Spreader(emu, route=lambda _update: [first if first.proc.returncode is None else second],
                    failover=lambda dead: second if dead is first else None)


async def test_a_project_press_whose_replica_died_before_showing_its_step_is_shown_by_the_other(
        emu, replicas, settings, crash_file):
    """«Записать» is committed (the application is stored) and the replica dies before the screen: the other shows
    the project's card with the application on it, in the pressed message, and there is one application."""
    engine = create_engine(settings.database_url)

    class Db:  # what `make_project` needs of an app
        sessions = create_session_factory(engine)

    try:
        project_id = await make_project(Db)
        parent = emu.user(new_id(), "Тая")
        async with first_while_alive(emu, replicas):
            await step(emu, parent.send_command("/projects"))
            for label in ("Кастинг «Весна»", "Записаться", "Согласен"):
                await step(emu, parent.press(label))
            await step(emu, parent.send_text("Маша Иванова"))
            await step(emu, parent.send_text("05.03.2017"))
            confirm = parent.last
            assert confirm.has_button("Записать")
            crash_file.write_text("step_committed", encoding="utf-8")
            await parent.press("Записать", message_id=confirm.message_id)
            card = await parent.wait_for(lambda m: "заявка принята" in m.text, timeout=30)
            await emu.settle(quiet=0.3, timeout=30)
        assert replicas[0].proc.returncode == 137, await replicas[0].output()
        assert card.message_id == confirm.message_id  # the pressed message became the card
        assert len([m for m in parent.bot_messages if "заявка принята" in m.text]) == 1
        async with Db.sessions() as session:
            applications = (await session.scalars(select(Application).where(
                Application.project_id == project_id))).all()
        assert [a.parent_id for a in applications] == [parent.user_id]
    finally:
        await engine.dispose()


async def test_a_directors_input_whose_replica_died_before_the_next_screen_shows_the_panel_on_the_other(
        emu, replicas, settings, crash_file):
    """The new group is committed with the end of the input step and the replica dies before any screen: the
    other replica shows her the panel with «saved», once, and the group is there once."""
    boss = emu.user(ADMIN_ID, "Марина")
    async with first_while_alive(emu, replicas):
        await step(emu, boss.send_command("/admin"))
        for label in ("Каталог", "Группы", "Добавить"):
            await step(emu, boss.press(label))
        crash_file.write_text("step_committed", encoding="utf-8")
        await boss.send_text("Подростки (12–16 лет)")
        saved = await boss.wait_for(lambda m: "Последнее действие сохранено" in m.text, timeout=30)
        await emu.settle(quiet=0.3, timeout=30)
    assert replicas[0].proc.returncode == 137, await replicas[0].output()
    assert saved.has_button("Каталог")
    assert len([m for m in boss.bot_messages if "Последнее действие сохранено" in m.text]) == 1
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            titles = (await session.scalars(select(CatalogGroup.title))).all()
    finally:
        await engine.dispose()
    assert titles.count("Подростки (12–16 лет)") == 1


@pytest.mark.parametrize("dialogs_in", ["redis", "postgres"], indirect=True)
async def test_a_parents_quick_messages_on_two_replicas_are_answered_in_order(emu, replicas):
    parent = emu.user(new_id(), "Вика")
    async with Spreader(emu, route=round_robin(replicas)):
        await step(emu, parent.send_command("/start"))
        for _ in range(3):  # typed instead of pressing, three times at once: they land on both replicas
            await parent.send_text("хочу в группу")
        await emu.settle(quiet=0.3, timeout=30)
    mistakes = [m.text for m in parent.bot_messages
                if m.text.startswith(("Пожалуйста, выберите", "Подсказка, как продолжить", "Похоже, что-то"))]
    # The escalation counts in the dialog state: raced by two replicas, two messages would read the same count.
    assert [text.split(maxsplit=1)[0] for text in mistakes] == ["Пожалуйста,", "Подсказка,", "Похоже,"]


async def test_a_broadcast_survives_the_kill_9_of_its_replica_and_nobody_gets_it_twice(emu, replicas, settings):
    director = emu.user(ADMIN_ID, "Директор")
    parents = [emu.user(new_id(), f"Родитель {n}") for n in range(120)]
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            session.add_all(Parent(user_id=p.user_id, first_name=p.first_name) for p in parents)
        async with sessions() as session, session.begin():
            broadcast, _ = await create_broadcast(
                session, created_by=ADMIN_ID, content=Content("Завтра занятия в 10:00"),
                audience=Audience(AudienceKind.ALL), tz=zone(settings.timezone), progress_chat_id=ADMIN_ID)
        await _until(lambda: _reached(parents) >= 20)  # the sending replica is in the middle of it
        async with sessions() as session:
            owner = await session.scalar(select(Broadcast.claimed_by).where(Broadcast.id == broadcast.id))
        [sending] = [r for r in replicas if f"/{r.proc.pid}/" in (owner or "")]
        sending.kill9()
        await _until(lambda: _finished(sessions, broadcast.id), timeout=90)  # the other took it over
        async with sessions() as session:
            rows = (await session.execute(select(BroadcastDelivery.user_id, BroadcastDelivery.status)
                                          .where(BroadcastDelivery.broadcast_id == broadcast.id))).all()
    finally:
        await engine.dispose()
    got = {p.user_id: len(p.bot_messages) for p in parents}
    assert max(got.values()) == 1  # never twice
    statuses = dict(rows)
    assert set(statuses.values()) <= {"sent", "unknown"}  # each sent, or marked unknown after the kill
    assert all(got[user] == 1 for user, status in statuses.items() if status == "sent")
    assert sum(1 for s in statuses.values() if s == "unknown") <= 4  # at most the sends in flight (4 workers)
    reports = [m for m in director.bot_messages if "Рассылка" in m.text and not m.buttons]
    assert reports, director.dump()  # the replica that took over reported the end


def _reached(parents) -> int:
    return sum(1 for p in parents if p.bot_messages)


async def _finished(sessions, broadcast_id: int) -> bool:
    async with sessions() as session:
        return await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id)) == "done"


async def _until(condition, timeout: float = 60.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            outcome = condition()
            if asyncio.iscoroutine(outcome):
                outcome = await outcome
            if outcome:
                return
            await asyncio.sleep(0.05)
