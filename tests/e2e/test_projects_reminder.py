"""The day before a project, everyone holding a place gets one reminder with time and place (issue #12), sent
by the shared scheduler with the process clock moved forward (domain/clock.py) instead of waiting a week."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from happykids.db.models import Project
from happykids.domain import clock
from tests.e2e.project_helpers import apply, make_project, step
from tests.e2e.receipt_helpers import fast_outbox  # noqa: F401 - a fixture
from tests.e2e.renewal_helpers import local, renewal_clock, tick  # noqa: F401 - renewal_clock is a fixture

pytestmark = pytest.mark.usefixtures("fast_outbox", "renewal_clock")
TOMORROW = "Напоминаем: завтра"


def reminders_of(user) -> list[str]:
    return [m.text for m in user.bot_messages if TOMORROW in m.text]


async def test_the_day_before_at_ten_each_place_holder_is_reminded_once(emu, bot):
    project_id = await make_project(bot)  # starts in 10 days: 11 December, 12:00 agency time
    async with bot.sessions() as session, session.begin():
        start = clock.to_utc(local(2026, 12, 11, 12, 0))
        await session.execute(update(Project).where(Project.id == project_id).values(starts_at=start))
    anna, olga = emu.user(9301, "Анна"), emu.user(9302, "Ольга")
    await apply(emu, anna, "Кастинг «Весна»")
    await apply(emu, olga, "Кастинг «Весна»", child="Петя Смирнов")
    await step(emu, olga.send_command("/projects"))  # a cancelled place is not reminded
    await step(emu, olga.press("Кастинг «Весна»"))
    await step(emu, olga.press("Отменить: Петя Смирнов"))
    await step(emu, olga.press("Да, отменить"))
    assert "Заявка отменена" in olga.last.text

    await tick(emu, bot, local(2026, 12, 9, 12, 0))  # two days before: nothing yet
    await tick(emu, bot, local(2026, 12, 10, 9, 59))
    assert not reminders_of(anna)
    await tick(emu, bot, local(2026, 12, 10, 10, 1))
    [text] = reminders_of(anna)
    assert "Кастинг «Весна»" in text and "Студия на Малышева, 51" in text and "Маша Иванова" in text
    assert "11.12.2026, 12:00" in text
    await tick(emu, bot, local(2026, 12, 10, 18, 0))
    assert len(reminders_of(anna)) == 1, "one reminder, not one per round"
    assert not reminders_of(olga)
