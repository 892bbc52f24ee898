"""«Рассылка» end to end, against an emulator that enforces Telegram's flood limit (30 messages/s).

The big one: 500 parents, a few of whom blocked the bot, and a restart in the middle. Everyone else gets
the message exactly once, nobody twice, and the report adds up.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import UTC

import pytest
from aiolimiter import AsyncLimiter
from sqlalchemy import func, select

from happykids.db.base import utcnow
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import Broadcast, BroadcastDelivery, FunnelEvent, Parent, Receipt
from happykids.services import broadcast as bc
from happykids.ui.callbacks import BroadcastStop
from happykids.workers import broadcasts as sender
from tests.e2e.conftest import ADMIN_ID
from tgemulator import BotAPIEmulator
from tgemulator.media import SAMPLE_JPEG

SETTLE = dict(quiet=0.15, timeout=10)
TEXT = "Дорогие родители! Завтра <b>занятий нет</b> — праздник 🎉"  # sent by the director with bold


@pytest.fixture
async def emu():
    """Like the shared fixture, but with Telegram's flood limit switched on."""
    emulator = BotAPIEmulator(rate_limit_per_second=30)
    await emulator.start()
    yield emulator
    await emulator.stop()
    assert not emulator.errors, f"Bot API rejected requests: {emulator.errors}"
    assert not emulator.unanswered_callback_queries(), "a button press was never answered"


async def step(emu, action, expect: str | None = None, user=None):
    """Do `action`; with `expect`, first wait for a bot message (new or edited) containing it: settling
    alone can return while the bot is still busy with the database on a loaded machine."""
    result = await action
    if expect is not None:
        await (user or emu.user(ADMIN_ID)).wait_for(lambda m: expect in m.text, timeout=10)
    await emu.settle(**SETTLE)
    return result


async def send_formatted(admin, text_html: str):
    """What a Telegram client sends when the director types text and makes part of it bold."""
    plain = text_html.replace("<b>", "").replace("</b>", "")
    bold = text_html.split("<b>")[1].split("</b>")[0]
    offset = len(plain[: plain.index(bold)].encode("utf-16-le")) // 2
    length = len(bold.encode("utf-16-le")) // 2
    return await admin._send({"text": plain, "entities": [{"type": "bold", "offset": offset, "length": length}]}, None)


async def add_parents(app, emu, ids, *, blocked_in_db=()):
    async with app.sessions() as session, session.begin():
        for user_id in ids:
            emu.user(user_id, f"Родитель{user_id}")
            session.add(Parent(user_id=user_id, first_name=f"Родитель{user_id}", blocked=user_id in blocked_in_db))


def got(emu, user_id, needle="Дорогие родители"):
    return [m for m in emu.messages_in(user_id) if m.from_bot and needle in m.text]


async def compose(emu, admin, audience_button: str, *, text=TEXT):
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Рассылка"), "Рассылка")
    await step(emu, admin.press("Новая рассылка"), "Пришлите сообщение")
    await step(emu, send_formatted(admin, text), "Кому отправить")
    expected = "Родителям какой группы" if "группы" in audience_button else "Отправить?"
    await step(emu, admin.press(audience_button), expected)


async def wait_report(emu, admin, number: int, timeout: float = 60):
    return await admin.wait_for(lambda m: f"Рассылка №{number} завершена" in m.text, timeout=timeout, since=0)


async def test_preview_group_audience_and_report(emu, bot):
    await add_parents(bot, emu, [7001, 7002, 7003, 7004, 7005], blocked_in_db={7004})
    now = utcnow()
    async with bot.sessions() as session, session.begin():
        session.add_all([
            FunnelEvent(user_id=7001, kind="group", group_code="kids", at=now),
            FunnelEvent(user_id=7002, kind="group", group_code="juniors", at=now),
            FunnelEvent(user_id=7004, kind="group", group_code="kids", at=now),
            Receipt(source_key="b-1", user_id=7003, parent_name="Родитель7003", group_code="kids", status="approved",
                    created_at=now),
        ])
    admin = emu.user(ADMIN_ID, "Директор")
    await compose(emu, admin, "Родителям группы")
    groups = admin.last
    assert groups.has_button("Малыши (4–6 лет) (3)") and groups.has_button("Юниоры (7–11 лет) (1)")
    await step(emu, admin.press("Малыши"), "Отправить?")

    preview, confirm = admin.bot_messages[-2:]
    assert preview.html == "Дорогие родители! Завтра <b>занятий нет</b> — праздник 🎉", "exactly what parents get"
    assert preview.entities and preview.entities[0]["type"] == "bold"
    assert "Малыши (4–6 лет)" in confirm.text and "Получателей: 2" in confirm.text
    assert "(ещё 1 родитель заблокировал бота — ему не отправится)" in confirm.text  # plural agrees
    assert not got(emu, 7001), "nothing is sent before the confirmation"

    await step(emu, admin.press("Отправить (2)"), "запускается")
    await step(emu, admin.press_data(confirm.message_id, confirm.buttons[0][0].callback_data))  # a double tap
    report = await wait_report(emu, admin, 1, timeout=15)
    assert "Получателей: 3" in report.text and "Доставлено: 2" in report.text
    assert "Заблокировали бота: 1" in report.text and "Не доставлено (ошибка): 0" in report.text
    assert [m.html for m in got(emu, 7001)] == [preview.html] and len(got(emu, 7003)) == 1
    assert not got(emu, 7002) and not got(emu, 7004) and not got(emu, 7005)
    assert not any(params.get("chat_id") == 7004 for params in emu.calls_of("sendMessage")), "known blocked: skipped"
    assert not got(emu, ADMIN_ID, "праздник")[1:], "the director saw the preview only"
    await emu.settle(**SETTLE)
    assert admin.callback_answers[-1].get("text") == "Этот черновик уже отправлен или отменён"
    async with bot.sessions() as session:
        assert (await session.scalar(select(Broadcast.status))) == "done"
        assert len((await session.scalars(select(Broadcast))).all()) == 1, "the double tap sent nothing"


async def test_photo_broadcast_and_cancel(emu, bot):
    await add_parents(bot, emu, [7101, 7102])
    admin = emu.user(ADMIN_ID, "Директор")
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Рассылка"), "Рассылок ещё не было")
    await step(emu, admin.press("Новая рассылка"), "Пришлите сообщение")
    await step(emu, admin.send_sticker(), "Нужен текст или фото")
    assert "Нужен текст или фото" in admin.last.text
    await step(emu, admin.send_photo(caption="Фото с праздника & <конкурс>"), "Кому отправить")
    await step(emu, admin.press("Всем родителям (2)"), "Отправить?")
    preview = admin.bot_messages[-2]
    assert preview.kind == "photo" and preview.text == "Фото с праздника & <конкурс>"
    await step(emu, admin.press("Отменить"), "отменена")
    assert "отменена" in admin.last.text
    await step(emu, admin.press("Рассылка"), "Рассылок ещё не было")
    assert "Рассылок ещё не было" in admin.last.text

    await step(emu, admin.press("Новая рассылка"), "Пришлите сообщение")
    await step(emu, admin.send_photo(caption="Фото с праздника & <конкурс>"), "Кому отправить")
    await step(emu, admin.press("Всем родителям (2)"), "Отправить?")
    await step(emu, admin.press("Отправить (2)"), "запускается")
    (starting,) = [p for p in emu.calls_of("editMessageText") if "запускается" in p["text"]]
    assert "Остановить рассылку" in json.dumps(_markup(starting), ensure_ascii=False), "stoppable from the start"
    progress = admin.message(int(starting["message_id"]))
    await wait_report(emu, admin, 1, timeout=15)
    for user_id in (7101, 7102):
        (photo,) = [m for m in emu.messages_in(user_id) if m.from_bot]
        assert photo.kind == "photo" and photo.text == "Фото с праздника & <конкурс>"

    # Finished: the progress message lost its button; a press that still arrives (an old client) changes nothing.
    await emu.settle(**SETTLE)
    final = admin.message(progress.message_id)
    assert final.text.startswith("🏁 Рассылка №1") and not final.buttons
    await step(emu, admin.press_data(progress.message_id, BroadcastStop(broadcast_id=1).pack()))
    assert admin.callback_answers[-1].get("text") == "Рассылка №1 уже завершена — останавливать нечего."
    async with bot.sessions() as session:
        assert await session.scalar(select(Broadcast.status)) == "done"
        assert set((await session.scalars(select(BroadcastDelivery.status))).all()) == {"sent"}


async def test_paid_this_month_audience(emu, bot):
    await add_parents(bot, emu, [7201, 7202, 7203, 7204])
    now = utcnow()
    async with bot.sessions() as session, session.begin():
        for index, (user_id, status) in enumerate([(7201, "approved"), (7202, "pending"), (7203, "rejected")]):
            session.add(Receipt(source_key=f"p-{index}", user_id=user_id, status=status, created_at=now))
    admin = emu.user(ADMIN_ID, "Директор")
    await compose(emu, admin, "Оплатившим")
    await step(emu, admin.press("Отправить (2)"), "запускается")
    await wait_report(emu, admin, 1, timeout=15)
    assert [bool(got(emu, uid)) for uid in (7201, 7202, 7203, 7204)] == [True, True, False, False]


async def test_interrupted_send_is_not_repeated_after_a_crash(emu, runner):
    """A row left in "sending" (the bot was killed mid-request) is reported, never resent."""
    app = await runner.start()
    await add_parents(app, emu, range(7301, 7311))
    await runner.stop()
    engine = create_engine(runner.settings.resolved_database_url)
    async with create_session_factory(engine)() as session, session.begin():  # what a kill -9 mid-send leaves
        broadcast, _ = await bc.create_broadcast(
            session, created_by=ADMIN_ID, content=bc.Content("Дорогие родители, сбор в 10:00"),
            audience=bc.Audience(bc.AudienceKind.ALL), tz=UTC,
            exclude={ADMIN_ID}, progress_chat_id=ADMIN_ID)
        row = await session.scalar(select(BroadcastDelivery).where(BroadcastDelivery.user_id == 7305))
        row.status = "sending"
    await engine.dispose()
    admin = emu.user(ADMIN_ID, "Директор")
    await runner.start()
    report = await wait_report(emu, admin, broadcast.id, timeout=15)
    assert "Доставлено: <b>9</b>" in report.html and "не уверены, дошло ли" in report.text
    assert not got(emu, 7305) and all(len(got(emu, uid)) == 1 for uid in range(7301, 7311) if uid != 7305)
    assert "Бот перезапускался" in admin.bot_messages[0].text, "a fresh progress message after the restart"


async def test_429_is_honoured_when_the_pace_is_too_fast(emu, bot):
    """Overdrive the sender (60/s against a 10/s limit, so even a slow machine exceeds it): every 429 is
    waited out and the message retried; nobody is skipped and nobody gets it twice."""
    ids = range(7401, 7461)
    await add_parents(bot, emu, ids)
    admin = emu.user(ADMIN_ID, "Директор")
    await compose(emu, admin, "Всем родителям")
    bot.workers.broadcasts.limiter = AsyncLimiter(1, 1 / 60)
    emu.rate_limit_per_second = 10
    await admin.press("Отправить (60)")
    report = await wait_report(emu, admin, 1, timeout=60)
    assert emu.rate_limited, "the emulator did push back"
    assert "Доставлено: <b>60</b>" in report.html and "Не доставлено (ошибка): 0" in report.text
    assert all(len(got(emu, uid)) == 1 for uid in ids)


async def test_500_parents_paced_with_blocked_ones_and_a_restart(emu, runner):
    app = await runner.start()
    ids = list(range(100_001, 100_501))
    blocked_in_telegram = set(ids[10:500:100])  # 5 parents blocked the bot; we do not know it yet
    blocked_known = {ids[3], ids[4]}  # 2 more were already marked blocked earlier
    await add_parents(app, emu, ids, blocked_in_db=blocked_known)
    for user_id in blocked_in_telegram | blocked_known:
        emu.user(user_id).block()
    admin = emu.user(ADMIN_ID, "Директор")
    await compose(emu, admin, "Всем родителям")
    assert "Получателей: 498" in admin.last.text
    started = time.monotonic()
    await admin.press("Отправить (498)")  # no settle: the bot is busy sending for a while now
    progress_id = (await admin.wait_for(lambda m: "запускается" in m.text)).message_id

    # Restart in the middle of the broadcast.
    deadline = time.monotonic() + 60
    while sum(1 for uid in ids if got(emu, uid)) < 200:
        assert time.monotonic() < deadline, "the broadcast does not progress"
        await asyncio.sleep(0.1)
    await runner.restart()
    report = await wait_report(emu, admin, 1, timeout=90)
    elapsed = time.monotonic() - started

    expected = set(ids) - blocked_in_telegram - blocked_known
    counts = {uid: len(got(emu, uid)) for uid in ids}
    assert {uid for uid, n in counts.items() if n == 1} == expected, "everyone else got it"
    assert not [uid for uid, n in counts.items() if n > 1], "nobody got it twice"
    assert "Получателей: 500" in report.text and "Доставлено: 493" in report.text
    assert "Заблокировали бота: 7" in report.text and "Не доставлено (ошибка): 0" in report.text
    assert len(emu.forbidden) == 5, "each newly blocked parent was tried once; the known ones never"
    assert elapsed > 493 / 26, f"paced under the limit: {elapsed:.1f}s"

    async with runner.app.sessions() as session:
        marked = set((await session.scalars(select(Parent.user_id).where(Parent.blocked.is_(True)))).all())
        statuses = (await session.scalars(select(BroadcastDelivery.status))).all()
    assert marked == blocked_in_telegram | blocked_known
    assert sorted(set(statuses)) == ["blocked", "sent"]

    # Progress: one message edited every ~2 s (never with the same text), plus a fresh one after the restart.
    edits = [p for p in emu.calls_of("editMessageText") if p.get("chat_id") == ADMIN_ID]
    assert 3 <= len(edits) <= elapsed / 2 + 4
    assert any("Бот перезапускался" in m.text for m in admin.bot_messages)
    assert admin.message(progress_id).edited >= 2



async def test_kill_9_mid_broadcast_never_sends_twice(emu, tmp_path):
    """The real `happykids run` process is killed (SIGKILL) while sending; the next one finishes the job.

    A parent whose send was in flight at the kill is reported as "not sure" and not retried: they may have
    got it once or not at all, never twice. Everyone else gets it exactly once."""
    from tests.e2e.process import BotProcess

    data_dir = tmp_path / "data"
    first = BotProcess(emu, data_dir)
    await first.start()
    await first.wait_polling()
    engine = create_engine(f"sqlite+aiosqlite:///{(data_dir / 'happykids.sqlite3').resolve()}")
    sessions = create_session_factory(engine)
    ids = list(range(200_001, 200_201))
    try:
        async with sessions() as session, session.begin():
            for user_id in ids:
                emu.user(user_id, f"Родитель{user_id}")
                session.add(Parent(user_id=user_id, first_name=f"Родитель{user_id}"))
        admin = emu.user(ADMIN_ID, "Директор")
        await compose(emu, admin, "Всем родителям")
        await admin.press("Отправить (200)")
        deadline = time.monotonic() + 60
        while sum(1 for uid in ids if got(emu, uid)) < 60:
            assert time.monotonic() < deadline, "the broadcast does not progress"
            await asyncio.sleep(0.02)
        first.kill9()
        await first.proc.wait()

        second = BotProcess(emu, data_dir)
        await second.start()
        report = await wait_report(emu, admin, 1, timeout=60)
        await emu.settle(**SETTLE)
        await second.stop()

        async with sessions() as session:
            rows = dict((await session.execute(select(BroadcastDelivery.user_id, BroadcastDelivery.status))).all())
    finally:
        await engine.dispose()
    counts = {uid: len(got(emu, uid)) for uid in ids}
    assert max(counts.values()) == 1, "nobody got it twice"
    unknown = {uid for uid, status in rows.items() if status == "unknown"}
    assert {uid for uid, n in counts.items() if n == 0} <= unknown, "only an interrupted send may be missing"
    assert len(unknown) <= sender.WORKERS
    assert set(rows.values()) <= {"sent", "unknown"}
    sent = sum(1 for status in rows.values() if status == "sent")
    assert f"Доставлено: <b>{sent}</b>" in report.html
    if unknown:
        assert f"не уверены, дошло ли (бот перезапускался во время отправки): {len(unknown)}" in report.text


def _markup(params: dict) -> dict | None:
    markup = params.get("reply_markup")
    return json.loads(markup) if isinstance(markup, str) else markup


async def test_stop_mid_broadcast_cancels_the_rest_for_good(emu, runner):
    """«⏹ Остановить рассылку» on the progress message: those already sent stay sent, everyone else is
    cancelled at once and never gets it, not after a restart either; the report adds up."""
    app = await runner.start()
    ids = list(range(7501, 7701))  # 200 parents: about 8 s at the sender's pace
    await add_parents(app, emu, ids)
    admin = emu.user(ADMIN_ID, "Директор")
    await compose(emu, admin, "Всем родителям")
    await admin.press("Отправить (200)")  # no settle: the bot is busy sending for a while now
    progress_id = (await admin.wait_for(lambda m: "запускается" in m.text)).message_id
    assert admin.message(progress_id).has_button("⏹ Остановить рассылку")

    await admin.wait_for(lambda m: m.message_id == progress_id and m.text.startswith("📤"), timeout=15)
    deadline = time.monotonic() + 60
    while sum(1 for uid in ids if got(emu, uid)) < 40:
        assert time.monotonic() < deadline, "the broadcast does not progress"
        await asyncio.sleep(0.05)
    assert admin.message(progress_id).has_button("⏹ Остановить рассылку"), "progress edits keep the button"
    pressed = time.monotonic()
    await admin.press("Остановить рассылку", progress_id)
    report = await admin.wait_for(lambda m: "Рассылка №1 остановлена" in m.text and "Получателей" in m.text,
                                  timeout=15, since=0)
    assert time.monotonic() - pressed < 5, "stopped promptly, not after the whole list"
    await emu.settle(**SETTLE)
    assert admin.callback_answers[-1]["text"].startswith("⏹ Останавливаю рассылку №1")

    delivered = {uid for uid in ids if got(emu, uid)}
    assert 40 <= len(delivered) < 180, len(delivered)
    assert all(len(got(emu, uid)) == 1 for uid in delivered)
    cancelled = len(ids) - len(delivered)
    assert "Получателей: 200" in report.text
    assert f"Доставлено до остановки: <b>{len(delivered)}</b>" in report.html
    assert f"Отменено (не отправлено): <b>{cancelled}</b>" in report.html
    assert not report.buttons

    final = admin.message(progress_id)
    assert final.text.startswith(f"⏹ Рассылка №1 остановлена: отправлено {len(delivered)} из 200, "
                                 f"отменено {cancelled}")
    assert not final.buttons, "the final state has no stop button"
    edits = [p for p in emu.calls_of("editMessageText") if int(p.get("message_id", 0)) == progress_id]
    assert len(edits) >= 2
    assert all(_markup(p) for p in edits[:-1]), "every progress edit while sending keeps the button"
    assert not _markup(edits[-1])

    async def rows() -> Counter:
        async with runner.app.sessions() as session:
            return Counter((await session.scalars(select(BroadcastDelivery.status))).all())

    assert await rows() == Counter({"sent": len(delivered), "cancelled": cancelled})
    # A second press (an old client still shows the button) is answered and changes nothing.
    await step(emu, admin.press_data(progress_id, BroadcastStop(broadcast_id=1).pack()))
    assert admin.callback_answers[-1]["text"] == "Рассылка №1 уже остановлена."
    messages_before = len(admin.bot_messages)

    await runner.restart()
    await asyncio.sleep(1.0)
    await emu.settle(**SETTLE)
    assert {uid for uid in ids if got(emu, uid)} == delivered, "nobody gets it after a restart"
    assert len(admin.bot_messages) == messages_before, "no resumed progress, no second report"
    assert await rows() == Counter({"sent": len(delivered), "cancelled": cancelled})
    async with runner.app.sessions() as session:
        assert await session.scalar(select(Broadcast.status)) == "stopped"
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Рассылка"), "Последние рассылки")
    assert f"доставлено {len(delivered)} из 200 · ⏹ остановлена" in admin.last.text


async def test_stop_survives_a_restart_before_the_sender_saw_it(emu, runner):
    """Stopped rows are cancelled in the database at the press: a broadcast left "stopping" by a restart
    sends nothing more and only reports."""
    app = await runner.start()
    await add_parents(app, emu, range(7801, 7811))
    await runner.stop()
    engine = create_engine(runner.settings.resolved_database_url)
    async with create_session_factory(engine)() as session, session.begin():
        broadcast, _ = await bc.create_broadcast(
            session, created_by=ADMIN_ID, content=bc.Content("Дорогие родители, сбор в 10:00"),
            audience=bc.Audience(bc.AudienceKind.ALL), tz=UTC,
            exclude={ADMIN_ID}, progress_chat_id=ADMIN_ID)
        for row in (await session.scalars(select(BroadcastDelivery).where(BroadcastDelivery.user_id <= 7803))):
            row.status = "sent"  # three went out before the press
        await session.flush()
        outcome, cancelled = await bc.stop_broadcast(session, broadcast.id)
        assert outcome is bc.StopOutcome.STOPPED and cancelled == 7
    await engine.dispose()
    admin = emu.user(ADMIN_ID, "Директор")
    await runner.start()
    report = await admin.wait_for(lambda m: "остановлена" in m.text, timeout=15, since=0)
    await emu.settle(**SETTLE)
    assert "Доставлено до остановки: <b>3</b>" in report.html and "Отменено (не отправлено): <b>7</b>" in report.html
    assert not any(got(emu, uid, "сбор") for uid in range(7801, 7811)), "nothing was sent after the restart"
    assert len(admin.bot_messages) == 1, "only the report"


async def _start_compose(emu, admin):
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Рассылка"), "Рассылка")
    await step(emu, admin.press("Новая рассылка"), "Пришлите сообщение")


async def _album(emu, admin, captions: list[str | None]) -> list[dict]:
    """An album as a Telegram client sends it: one update per photo, one media_group_id."""
    group = emu.world.new_media_group_id()
    return [await admin.send_photo(SAMPLE_JPEG + bytes(index), caption, group)
            for index, caption in enumerate(captions)]


async def _receipts(app) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Receipt))


@pytest.mark.parametrize("caption_on", [0, 2], ids=["caption-on-first", "caption-on-third"])
async def test_album_while_composing_takes_the_first_photo(emu, bot, caption_on):
    await add_parents(bot, emu, [7901, 7902])
    admin = emu.user(ADMIN_ID, "Директор")
    await _start_compose(emu, admin)
    captions = [None, None, None]
    captions[caption_on] = "Фото с <b>праздника</b>"
    parts = await _album(emu, admin, captions)
    await admin.wait_for(lambda m: "одно фото" in m.text, timeout=10)
    await emu.settle(**SETTLE)

    texts = [m.text for m in admin.bot_messages]
    assert sum("Кому отправить" in text for text in texts) == 1, texts
    assert sum("одно фото" in text for text in texts) == 1, "told once"
    assert not any("Нужен текст или фото" in text for text in texts)
    assert await _receipts(bot) == 0, "no album part was taken as a payment receipt"

    await step(emu, admin.press("Всем родителям (2)"), "Отправить?")
    preview = admin.bot_messages[-2]
    # Typed tags work in a caption too (issue #10: one way to format wherever the director writes).
    assert preview.kind == "photo" and preview.text == "Фото с праздника", "the caption, typed <b> as bold"
    assert [e["type"] for e in preview.entities] == ["bold"]
    assert preview.photo[-1]["file_unique_id"] == parts[0]["photo"][-1]["file_unique_id"], "the first photo"
    await step(emu, admin.press("Отправить (2)"), "запускается")
    await wait_report(emu, admin, 1, timeout=15)
    for user_id in (7901, 7902):
        (photo,) = [m for m in emu.messages_in(user_id) if m.from_bot]
        assert photo.kind == "photo" and photo.photo[-1]["file_unique_id"] == parts[0]["photo"][-1]["file_unique_id"]
    await emu.settle(**SETTLE)
    assert await _receipts(bot) == 0


async def test_album_with_a_caption_too_long_is_asked_again(emu, bot):
    await add_parents(bot, emu, [7951])
    admin = emu.user(ADMIN_ID, "Директор")
    await _start_compose(emu, admin)
    await _album(emu, admin, [None, "я" * 1100, None])
    await admin.wait_for(lambda m: "слишком длинная" in m.text, timeout=10)
    await emu.settle(**SETTLE)
    texts = [m.text for m in admin.bot_messages]
    assert sum("слишком длинная" in text for text in texts) == 1 and not any("одно фото" in t for t in texts)
    audience = next(m for m in admin.bot_messages if "Кому отправить" in m.text)
    assert not audience.buttons, "the dropped draft's buttons are gone"
    assert await _receipts(bot) == 0

    await step(emu, admin.send_photo(caption="Короче"), "Кому отправить")
    await step(emu, admin.press("Всем родителям (1)"), "Отправить?")
    assert admin.bot_messages[-2].text == "Короче"
