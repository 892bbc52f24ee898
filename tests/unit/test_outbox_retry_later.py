"""RetryLater: a task whose work someone else is finishing right now comes back soon, without counting as
a failed attempt (MAX_ATTEMPTS is 3 here, and it is asked to wait five times)."""

from __future__ import annotations

import logging

from happykids.workers.outbox import RetryLater
from tests.unit.test_outbox import add, all_finished, app, run_until, statuses  # noqa: F401 - app is a fixture


async def test_retry_later_is_not_a_failure(app, caplog):  # noqa: F811 - the fixture
    calls = {"n": 0}

    async def busy(_ctx, _payload):
        calls["n"] += 1
        if calls["n"] <= 5:
            raise RetryLater("another coroutine edits the card")

    await add(app, ("busy", 1))
    with caplog.at_level(logging.INFO, logger="happykids.workers.outbox"):
        await run_until(app, {"busy": busy}, lambda: all_finished(app))
    assert await statuses(app) == {1: ("done", 0)}
    assert calls["n"] == 6
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
