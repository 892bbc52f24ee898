"""A press on a card the bot has no record of, or on a card of a receipt decided already, heals that card.

Such cards exist: one sent just before a crash and never recorded (by a version that sent cards with their
buttons), or a card whose edit a crash interrupted. The test plays the crashed process by sending the card
itself through the Bot API, exactly as the old version did, and then lets the admin press it.
"""

from __future__ import annotations

import pytest

from happykids.db.repositories import receipts as repo
from happykids.ui.keyboards.receipts import review_keyboard
from happykids.ui.receipt_cards import card_text
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import (  # noqa: F401 - fast_outbox is a fixture
    SETTLE,
    copies,
    fast_outbox,
    outbox_drained,
    receipts,
    review_cards,
)

pytestmark = pytest.mark.usefixtures("fast_outbox")


async def _receipt_with_a_card(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(6301, "Алла")
    await parent.send_photo()
    await admin.wait_for(lambda m: m.has_button("Подтвердить"))
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    [receipt] = await receipts(bot)
    return admin, parent, receipt


async def _unrecorded_card(bot, receipt):
    """What a process that died right after sending a card (with its buttons) left in the admin's chat."""
    async with bot.sessions() as session:
        [file] = await repo.files_of(session, receipt.id)
    sent = await bot.bot.send_photo(
        ADMIN_ID, photo=file.telegram_file_id, caption=await card_text(bot.texts, receipt, 1),
        reply_markup=review_keyboard(receipt.id, "✅ Подтвердить", "❌ Отклонить"),
    )
    return sent.message_id


async def test_approving_on_an_unrecorded_card_decides_and_updates_it_too(emu, bot):
    admin, parent, receipt = await _receipt_with_a_card(emu, bot)
    stray = await _unrecorded_card(bot, receipt)
    assert stray not in {c.message_id for c in await copies(bot, receipt.id)}

    await admin.press("Подтвердить", stray)
    await parent.wait_for(lambda m: "подтверждена" in m.text)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)

    [receipt] = await receipts(bot)
    assert receipt.status == "approved"
    assert "Подтвердить" not in str(admin.callback_answers[-1])
    for card in review_cards(admin):  # the recorded card and the stray one alike
        assert not card.buttons and "Подтверждён" in card.text, card.message_id
    assert len([m for m in parent.bot_messages if "подтверждена" in m.text]) == 1


async def test_a_press_on_a_stale_card_of_a_decided_receipt_shows_the_decision_there(emu, bot):
    admin, parent, receipt = await _receipt_with_a_card(emu, bot)
    stray = await _unrecorded_card(bot, receipt)
    recorded = next(m for m in review_cards(admin) if m.message_id != stray)
    await admin.press("Подтвердить", recorded.message_id)
    await parent.wait_for(lambda m: "подтверждена" in m.text)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    assert admin.message(stray).has_button("Подтвердить"), "the stray card is unknown to the bot: still live"

    await admin.press("Отклонить", stray)  # a second decision must not happen
    await outbox_drained(bot)
    await emu.settle(**SETTLE)

    assert "Уже решено" in admin.callback_answers[-1]["text"]
    [receipt] = await receipts(bot)
    assert (receipt.status, receipt.decided_by) == ("approved", ADMIN_ID)
    now = admin.message(stray)
    assert not now.buttons and "Подтверждён" in now.text
    assert not any(m.buttons for m in review_cards(admin))
    assert len([m for m in parent.bot_messages if "подтверждена" in m.text]) == 1
    assert not any("не принят" in m.text for m in parent.bot_messages)
    assert not any("Почему" in m.text for m in admin.bot_messages), "no reason is asked for a decided receipt"
