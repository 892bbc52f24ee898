"""The director's review end to end: every admin's copy, one decision wins, the parent is told."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from happykids.db.models import Admin, FunnelEvent
from happykids.ui.callbacks import ReceiptsPage, Review, ReviewAction
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import (  # noqa: F401 - fast_outbox is a fixture
    SETTLE,
    confirm_choice,
    copies,
    fast_outbox,
    outbox_drained,
    receipts,
)

pytestmark = pytest.mark.usefixtures("fast_outbox")

SECOND_ADMIN = 777001
PANEL_ADMIN = 777002  # added from the panel: lives in the database, not in ADMIN_IDS
GROUP = -100777


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"admin_ids": [ADMIN_ID, SECOND_ADMIN], "receipts_chat_id": GROUP})


@pytest.fixture
async def admins(emu, bot):
    async with bot.sessions() as session, session.begin():
        session.add(Admin(user_id=PANEL_ADMIN, name="Марина"))
    emu.chat(GROUP, "supergroup", title="Чеки Happy Kids")
    return {
        ADMIN_ID: emu.user(ADMIN_ID, "Директор"),
        SECOND_ADMIN: emu.user(SECOND_ADMIN, "Ольга", "Иванова"),
        PANEL_ADMIN: emu.user(PANEL_ADMIN, "Марина"),
    }


def card_in(view):
    """The review card (with or without buttons) in one chat."""
    return [m for m in view.bot_messages if "Чек №" in m.text][-1]


async def receipt_everywhere(emu, bot, admins, parent_id=6001, name="Анна", choose=True):
    """A parent sends a photo; returns the parent and the card in every review chat."""
    parent = emu.user(parent_id, name)
    if choose:
        await confirm_choice(emu, parent)
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    views = [*admins.values(), emu.chat(GROUP)]
    return parent, {view.chat_id: card_in(view) for view in views}


async def test_every_admin_and_the_group_get_the_receipt(emu, bot, admins):
    _, cards = await receipt_everywhere(emu, bot, admins)
    assert set(cards) == {ADMIN_ID, SECOND_ADMIN, PANEL_ADMIN, GROUP}
    assert all(c.has_button("Подтвердить") and c.has_button("Отклонить") for c in cards.values())
    [receipt] = await receipts(bot)
    assert {c.chat_id for c in await copies(bot, receipt.id)} == set(cards)


async def test_approve_tells_parent_and_updates_every_copy(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    director = admins[ADMIN_ID]
    await director.press("Подтвердить", cards[ADMIN_ID].message_id)

    told = await parent.wait_for(lambda m: "подтверждена" in m.text)
    assert "Малыши (4–6 лет)" in told.text
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    for chat_id, card in cards.items():
        now = emu.world.chats[chat_id].messages[card.message_id]
        assert not now.buttons and now.edited == 2, chat_id  # buttons put on once recorded, then the decision
        assert re.search(r"Подтверждён — Директор, \d\d\.\d\d\.\d{4} \d\d:\d\d", now.text), now.text
    assert "подтверждён" in director.callback_answers[-1]["text"]
    [receipt] = await receipts(bot)
    assert (receipt.status, receipt.decided_by, receipt.decided_by_name) == ("approved", ADMIN_ID, "Директор")
    async with bot.sessions() as session:
        approved = (await session.scalars(select(FunnelEvent).where(FunnelEvent.kind == "approved"))).all()
    assert [(e.user_id, e.group_code) for e in approved] == [(6001, "kids")]


async def test_reject_with_a_reason(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    olga = admins[SECOND_ADMIN]
    await olga.press("Отклонить", cards[SECOND_ADMIN].message_id)
    prompt = await olga.wait_for(lambda m: "Почему" in m.text)
    assert prompt.has_button("Без причины")
    [receipt] = await receipts(bot)
    assert receipt.status == "pending", "nothing is decided until the reason (or «Без причины»)"

    await olga.send_text("Сумма 5 000 ₽ вместо 6 000 ₽ <доплатите>")
    await olga.wait_for(lambda m: "отклонён" in m.text)
    told = await parent.wait_for(lambda m: "не принят" in m.text)
    assert "Сумма 5 000 ₽ вместо 6 000 ₽ <доплатите>" in told.text
    assert "пришлите" in told.text and "+7 (343)" in told.text  # what to do, and whom to ask
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    for chat_id, card in cards.items():
        now = emu.world.chats[chat_id].messages[card.message_id]
        assert not now.buttons and "Отклонён" in now.text and "Ольга Иванова" in now.text
        assert "доплатите" in now.text
    assert not olga.message(prompt.message_id).buttons
    [receipt] = await receipts(bot)
    assert (receipt.status, receipt.reject_reason) == ("rejected", "Сумма 5 000 ₽ вместо 6 000 ₽ <доплатите>")


async def test_reject_without_reason_and_cancel(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    director = admins[ADMIN_ID]
    await director.press("Отклонить", cards[ADMIN_ID].message_id)
    await director.wait_for(lambda m: "Почему" in m.text)
    await director.press("Отмена")
    await director.wait_for(lambda m: "ждёт решения" in m.text)
    [receipt] = await receipts(bot)
    assert receipt.status == "pending"
    await director.send_text("это не причина, а просто текст")  # after Cancel it is not a reason
    await emu.settle(**SETTLE)
    assert (await receipts(bot))[0].status == "pending"

    await director.press("Отклонить", cards[ADMIN_ID].message_id)
    await director.wait_for(lambda m: "Почему" in m.text)
    await director.press("Без причины")
    told = await parent.wait_for(lambda m: "не принят" in m.text)
    assert "Причина" not in told.text
    [receipt] = await receipts(bot)
    assert (receipt.status, receipt.reject_reason) == ("rejected", None)


async def test_two_admins_pressing_at_once_make_one_decision(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    director, olga = admins[ADMIN_ID], admins[SECOND_ADMIN]
    await asyncio.gather(
        director.press("Подтвердить", cards[ADMIN_ID].message_id),
        olga.press("Подтвердить", cards[SECOND_ADMIN].message_id),
    )
    await parent.wait_for(lambda m: "подтверждена" in m.text)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)

    [receipt] = await receipts(bot)
    winner, loser = (director, olga) if receipt.decided_by == ADMIN_ID else (olga, director)
    assert "Уже решено" in loser.callback_answers[-1]["text"]
    assert winner.first_name in loser.callback_answers[-1]["text"]
    assert "Уже решено" not in winner.callback_answers[-1]["text"]
    assert len([m for m in parent.bot_messages if "подтверждена" in m.text]) == 1
    for chat_id, card in cards.items():
        now = emu.world.chats[chat_id].messages[card.message_id]
        assert not now.buttons and now.edited == 2  # buttons on, then the decision: one decision edit


async def test_approve_against_reject_race_and_double_press(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    director, olga = admins[ADMIN_ID], admins[SECOND_ADMIN]
    await olga.press("Отклонить", cards[SECOND_ADMIN].message_id)
    await olga.wait_for(lambda m: "Почему" in m.text)
    # The director approves twice in a row while Olga is still typing her reason.
    await director.press("Подтвердить", cards[ADMIN_ID].message_id)
    await director.press("Подтвердить", cards[ADMIN_ID].message_id)
    await parent.wait_for(lambda m: "подтверждена" in m.text)
    await emu.settle(**SETTLE)
    assert "Уже решено" in director.callback_answers[-1]["text"]

    await olga.send_text("Не та сумма")
    late = await olga.wait_for(lambda m: "не отправлена" in m.text)
    assert "Директор" in late.text
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    [receipt] = await receipts(bot)
    assert receipt.status == "approved" and receipt.reject_reason is None
    assert not any("не принят" in m.text for m in parent.bot_messages)


async def test_forged_review_button_changes_nothing(emu, bot, admins):
    parent, cards = await receipt_everywhere(emu, bot, admins)
    [receipt] = await receipts(bot)
    for action in (ReviewAction.APPROVE, ReviewAction.REJECT, ReviewAction.NO_REASON):
        await parent.press_data(parent.last.message_id, Review(action=action, receipt_id=receipt.id).pack())
    await parent.press_data(parent.last.message_id, ReceiptsPage(page=2).pack())
    await emu.settle(**SETTLE)

    assert all("администратор" in a["text"] for a in parent.callback_answers[-4:])
    [receipt] = await receipts(bot)
    assert receipt.status == "pending" and receipt.decided_by is None
    for chat_id, card in cards.items():
        assert emu.world.chats[chat_id].messages[card.message_id].edited == 1  # only the buttons put on
    # ...and a parent's /receipts is just an unknown command.
    await parent.send_command("/receipts")
    assert "Такой команды нет" in (await parent.wait_for()).text


async def test_receipts_command_lists_pending_newest_first_in_pages(emu, bot, admins):
    for number in range(7):
        parent = emu.user(6100 + number, f"Родитель{number}")
        await parent.send_photo()
        await parent.wait_for(lambda m: "получили" in m.text)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    panel_admin = admins[PANEL_ADMIN]
    first_approval = card_in(admins[ADMIN_ID])  # Родитель6: the newest
    await admins[ADMIN_ID].press("Подтвердить", first_approval.message_id)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)

    panel_admin.mark()
    await panel_admin.send_command("/receipts")
    footer = await panel_admin.wait_for(lambda m: "на проверке" in m.text)
    listed = [m for m in panel_admin.bot_messages if m.has_button("Подтвердить")][-5:]
    assert [m.text.split("\n")[2].split(" · ")[0] for m in listed] == [
        f"👤 Родитель{n}" for n in (5, 4, 3, 2, 1)]
    assert "6" in footer.text and footer.has_button("Ещё")

    panel_admin.mark()
    await panel_admin.press("Ещё", footer.message_id)
    last_footer = await panel_admin.wait_for(lambda m: "на проверке" in m.text and "6–6" in m.text)
    assert not last_footer.buttons
    assert not panel_admin.message(footer.message_id).buttons
    newest_on_page_2 = [m for m in panel_admin.bot_messages if m.has_button("Подтвердить")][-1]
    assert "Родитель0" in newest_on_page_2.text

    # Deciding from the list updates the list's copy and the original copies alike.
    await panel_admin.press("Подтвердить", newest_on_page_2.message_id)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    receipt = next(r for r in await receipts(bot) if r.parent_name == "Родитель0")
    for copy in await copies(bot, receipt.id):
        assert not emu.world.chats[copy.chat_id].messages[copy.message_id].buttons


async def test_receipts_command_when_nothing_waits(emu, bot, admins):
    director = admins[ADMIN_ID]
    await director.send_command("/receipts")
    assert "нет" in (await director.wait_for()).text
