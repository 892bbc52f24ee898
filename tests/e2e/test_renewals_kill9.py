"""kill -9 around sending a reminder: the real `happykids run` process dies right after claiming a due reminder
(its intent committed) or right after sending it (not yet on record); the next process never sends it again.

A reminder claimed but not sent is then lost, on purpose: nearly every real kill in that window lands while
the request is already with Telegram, so sending again would nearly always be a duplicate (services/reminders.py).
The time zone is chosen so that it is midday for the agency whenever the test runs: quiet hours stay out of it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.catalogs import SMALL_CATALOG
from tests.e2e.process import BotProcess, import_catalog

pytestmark = pytest.mark.timeout(240)


def midday_zone() -> tuple[str, date]:
    """An Etc/GMT zone where it is about noon now, and today's date there."""
    now = datetime.now(UTC)
    shift = 12 - now.hour  # -11..12 hours east of UTC
    name = f"Etc/GMT{'-' if shift > 0 else '+'}{abs(shift)}" if shift else "Etc/UTC"
    return name, (now + timedelta(hours=shift)).date()


def add_due_reminder(db: str, user_id: int, until: date) -> None:
    """A family paid until `until` and its «скоро заканчивается» reminder, due a minute ago."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO paid_periods (user_id, group_code, period_code, children_count, paid_until, "
                     "updated_at) VALUES (?, 'kids', 'month', 1, ?, ?)", (user_id, until.isoformat(), now))
        payload = json.dumps({"group": "kids", "until": until.isoformat()})
        conn.execute("INSERT INTO reminders (kind, key, chat_id, payload, due_at, status, attempts, created_at) "
                     "VALUES ('renewal.soon', ?, ?, ?, ?, 'scheduled', 0, ?)",
                     (f"renewal:{user_id}:kids:{until}:soon", user_id, payload, now - timedelta(minutes=1), now))


def statuses(db: str) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT chat_id, status FROM reminders").fetchall())


async def wait_until(condition, timeout: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the bot did not get there in time"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("point", ["reminder_claimed", "reminder_sent"])
async def test_kill_9_around_sending_never_sends_twice(emu, tmp_path, point):
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    zone, today = midday_zone()
    db = str(data_dir / "happykids.sqlite3")
    doomed, witness = emu.user(9301, "Анна"), emu.user(9302, "Ольга")
    add_due_reminder(db, doomed.id, today + timedelta(days=3))

    bot = BotProcess(emu, data_dir, extra_env={"TIMEZONE": zone, "HAPPYKIDS_TEST_CRASH_AFTER": point})
    await bot.start()
    assert await asyncio.wait_for(bot.proc.wait(), 90) == 137, await bot.output()
    assert "Crash point " + point in await bot.output()
    sent_before_kill = len(doomed.bot_messages)
    assert sent_before_kill == (1 if point == "reminder_sent" else 0)
    assert statuses(db)[doomed.id] == "sending"  # the intent is on record, its result is not

    # The next process: a second family's reminder, due now, shows that its rounds have run.
    add_due_reminder(db, witness.id, today + timedelta(days=3))
    survivor = BotProcess(emu, data_dir, extra_env={"TIMEZONE": zone})
    await survivor.start()
    try:
        await wait_until(lambda: statuses(db).get(witness.id) == "sent")
        await emu.settle(quiet=0.3, timeout=10)
        assert len(witness.bot_messages) == 1 and "заканчивается" in witness.bot_messages[0].text
        assert len(doomed.bot_messages) == sent_before_kill, "a reminder that may have gone out is never re-sent"
        assert statuses(db)[doomed.id] == "sending"
    finally:
        output = await survivor.stop()
    assert "Traceback" not in output, output
