"""What a button press costs on PostgreSQL + Redis, where the update is claimed at its start under its chat's
lock (db/unit_of_work.py): counted, never timed. The dialog state lives in Redis, so the database sees the claim
(one statement: the chat's lock and the update's id), the release of the lock (one statement after the commit,
which also marks the update finished), and at most one more (a write the step makes: the funnel); one commit,
one connection. The version board's once-a-second look runs in the background, in no press."""

from __future__ import annotations

import pytest

from tests.e2e.test_payment_dialog import step
from tests.e2e.test_statement_budget import counting, statements

MAX_STATEMENTS_PER_PRESS = 3  # claim + release + a write the step makes (funnel, receipt)


@pytest.fixture
def settings(settings, pg_schema_url, redis_server):
    return settings.model_copy(update={"database_url": pg_schema_url, "fsm_storage_url": "redis://127.0.0.1:6379/0"})


async def test_a_press_on_postgres_costs_the_claim_the_release_and_little_else(emu, bot):
    parent = emu.user(1201, "Майя")
    await step(emu, parent.send_command("/start"))
    await bot.workers.stop()  # the background jobs poll the database on their own clock: count only the presses
    for label in ("Малыши", "1 месяц", "Назад", "1 месяц", "1 ребёнок", "Подтвердить"):
        with counting(bot) as counts:
            await step(emu, parent.press(label))
        # The claim (lock and update id) and the release (unlock and "finished"), each one statement with a CTE.
        assert counts["WITH"] == 2, (label, dict(counts))
        assert statements(counts) + counts["WITH"] <= MAX_STATEMENTS_PER_PRESS, (label, dict(counts))
        assert counts["COMMIT"] == 1 and counts["CHECKOUT"] == 1, (label, dict(counts))
    assert "Ваша ссылка на оплату" in parent.bot_messages[-1].text
