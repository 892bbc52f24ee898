"""A few hundred hostile updates of every kind through the real polling loop, seeded (tests/e2e/hostile.py).

The emulator fixture fails the test on any request Telegram would reject and on any press left unanswered;
here the log must hold no ERROR and no traceback. Updates go in rounds, each followed by the bot settling,
so presses find the buttons the bot really showed.
"""

from __future__ import annotations

import asyncio
import logging
import random

from tests.e2e.conftest import ADMIN_ID
from tests.e2e.hostile import HostileCrowd
from tests.e2e.test_payment_dialog import SETTLE, dialog, step, walk_to_confirm

SEED = 20261129
UPDATES = 300
ROUND = 25


async def test_hostile_updates_never_break_the_bot(emu, bot, caplog):
    caplog.set_level(logging.WARNING)
    crowd = HostileCrowd(emu, random.Random(SEED), parents=30, groups=2, admin_id=ADMIN_ID)  # noqa: S311
    while len(emu.updates.history) < UPDATES:
        for _ in range(ROUND):
            await crowd.act()
        await emu.settle(quiet=0.2, timeout=60)
        crowd.unblock_all()

    assert len(emu.updates.history) >= UPDATES
    assert set(crowd.kinds) >= {"start", "press", "forged", "replay", "photo", "album", "group", "blocked",
                                "long_text", "edit", "press_missing", "channel_post", "sticker", "document"}
    assert not crowd.unexpected(emu.errors), "\n".join(str(e) for e in crowd.unexpected(emu.errors))
    emu.errors.clear()  # the rest: edits of messages pressed after they were deleted, or never existed
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, "\n".join(r.getMessage() for r in failures)
    assert "Traceback" not in caplog.text


async def test_a_press_racing_the_retirement_of_its_message_keeps_live_buttons(emu, bot):
    """Found by the fuzz: a parent types (the step comes anew below and the bot takes the buttons off the old
    message) while her press on that old message is on its way. The press carries the old buttons; the bot
    took that snapshot at its word, showed nothing and retired the new message: no live buttons anywhere,
    and later a refused "message is not modified"."""
    parent = emu.user(6101, "Оля")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press("Малыши"))
    first = dialog(parent)
    await parent.send_text("привет")
    await parent.press_forged(first.message_id, "x:1")  # made before the bot answered «привет»
    await parent.send_text("ещё")
    await emu.settle(**SETTLE)
    assert "Шаг 2 из 3" in dialog(parent).text and dialog(parent).has_button("1 месяц")


async def test_a_double_tap_on_confirm_edits_once(emu, bot):
    """Found by the fuzz: the link screen is never retired, so the engine forgot which message showed it and
    took the second tap's outdated snapshot at its word: an edit Telegram refuses as "not modified"."""
    parent = emu.user(6102, "Вера")
    await walk_to_confirm(emu, parent)
    message = dialog(parent)
    data = message.find_button("Подтвердить").callback_data
    await asyncio.gather(parent.press_data(message.message_id, data), parent.press_data(message.message_id, data))
    await emu.settle(**SETTLE)
    assert "Ваша ссылка на оплату" in parent.bot_messages[-1].text
    # the emulator fixture fails the test on the refused edit
