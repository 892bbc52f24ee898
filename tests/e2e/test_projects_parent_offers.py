"""A freed place is offered to the first on the waiting list for a set time: «✅ Иду» takes it, «✖️ Не смогу» or
the end of the time passes it on. The place is held meanwhile. Time is moved by putting the offer's end (and its
outbox task) in the past, never by waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from happykids.db.base import utcnow
from happykids.db.models import Application, OutboxTask
from happykids.db.repositories.catalog import set_setting
from happykids.services.project_offers import EXPIRE_OFFER, OFFER_HOURS_KEY
from tests.e2e.admin_helpers import panel
from tests.e2e.project_helpers import applications, apply, make_project, step
from tests.e2e.receipt_helpers import fast_outbox, outbox_drained, tasks  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_outbox")
TITLE = "Кастинг «Весна»"


async def _cancel(emu, parent, child):
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press(TITLE))
    await step(emu, parent.press(f"Отменить: {child}"))
    await step(emu, parent.press("Да, отменить"))


async def test_a_cancellation_offers_the_place_which_is_held_until_accepted(emu, bot):
    async with bot.sessions() as session, session.begin():
        await set_setting(session, OFFER_HOURS_KEY, "3")
    project_id = await make_project(bot, places=1)
    anna, boris, vera = emu.user(5001, "Анна"), emu.user(5002, "Борис"), emu.user(5003, "Вера")
    await apply(emu, anna, TITLE, "Аня")
    await apply(emu, boris, TITLE, "Боря")
    await _cancel(emu, anna, "Аня")
    offer = await boris.wait_for(lambda m: "освободилось" in m.text and m.has_button("Иду"), timeout=15)
    assert "Подтвердите участие до" in offer.text and offer.has_button("Не смогу")
    [_, offered] = await applications(bot, project_id)
    assert offered.status == "waiting" and offered.offer_until is not None
    assert timedelta(hours=2, minutes=59) < offered.offer_until - utcnow() <= timedelta(hours=3), "the setting"

    # While the offer waits, the place is held: a newcomer goes to the waiting list, not into the place.
    late = await apply(emu, vera, TITLE, "Вика")
    assert "в листе ожидания" in late.text
    await step(emu, boris.send_command("/projects"))
    await step(emu, boris.press(TITLE))
    assert "место освободилось, подтвердите до" in panel(boris).text and panel(boris).has_button("Иду")

    await step(emu, boris.press_on(offer, "Иду"))
    assert any("Боря в списке участников" in m.text for m in boris.bot_messages)
    assert not next(m for m in boris.bot_messages if m.message_id == offer.message_id).buttons, "answered: retired"
    await outbox_drained(bot)  # the offer's expiry task was settled by the answer
    statuses = [(a.parent_id, a.status, a.offer_until) for a in await applications(bot, project_id)]
    assert statuses == [(5001, "cancelled", None), (5002, "applied", None), (5003, "waiting", None)]
    await step(emu, boris.press_on(offer, "Иду"))  # pressed again on the old offer
    assert boris.callback_answers[-1].get("text") == "Это предложение уже не действует"


async def test_an_offer_not_answered_in_time_passes_to_the_next(emu, bot):
    project_id = await make_project(bot, places=1)
    anna, boris, vera = emu.user(5011, "Анна"), emu.user(5012, "Борис"), emu.user(5013, "Вера")
    await apply(emu, anna, TITLE, "Аня")
    await apply(emu, boris, TITLE, "Боря")
    await apply(emu, vera, TITLE, "Вика")
    await _cancel(emu, anna, "Аня")
    offer = await boris.wait_for(lambda m: "освободилось" in m.text and m.has_button("Иду"), timeout=15)
    [expiry] = [t for t in await tasks(bot) if t.kind == EXPIRE_OFFER and t.status == "pending"]

    # The clock moves on past the offer's end (no real waiting): the offer and its task are due now.
    past = utcnow() - timedelta(minutes=1)
    async with bot.sessions() as session, session.begin():
        await session.execute(update(Application).where(Application.offer_until.is_not(None))
                              .values(offer_until=past))
        await session.execute(update(OutboxTask).where(OutboxTask.id == expiry.id).values(due_at=past))
    bot.workers.outbox.wake()
    await boris.wait_for(lambda m: "Время на подтверждение вышло" in m.text, timeout=15)
    next_offer = await vera.wait_for(lambda m: "освободилось" in m.text and m.has_button("Иду"), timeout=15)
    statuses = [(a.parent_id, a.status) for a in await applications(bot, project_id)]
    assert statuses == [(5011, "cancelled"), (5012, "cancelled"), (5013, "waiting")]

    await step(emu, boris.press_on(offer, "Иду"))  # too late
    assert boris.callback_answers[-1].get("text") == "Это предложение уже не действует"
    assert [a.status for a in await applications(bot, project_id)][1] == "cancelled"

    await step(emu, vera.press_on(next_offer, "Не смогу"))  # nobody left to offer it to: the place stays free
    assert any("место передано следующему" in m.text for m in vera.bot_messages)
    await outbox_drained(bot)
    assert [a.status for a in await applications(bot, project_id)] == ["cancelled"] * 3
    newcomer = emu.user(5014, "Галя")
    assert "в списке участников" in (await apply(emu, newcomer, TITLE, "Гоша")).text
