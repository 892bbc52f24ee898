"""On PostgreSQL, one long-polling copy alone or any number of webhook copies, never both (app/receiving_lock.py).

The real `happykids run` processes on one fresh PostgreSQL database: a second polling copy, or a webhook copy next
to a polling one, stops at start-up with one sentence (exit code 2, no traceback) and touches no webhook; webhook
copies run side by side, and a polling copy is refused while they do.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.process import BotProcess
from tests.e2e.test_webhook import SECRET, URL, _serving, free_port

pytestmark = pytest.mark.timeout(240)


def copy(emu, data_dir, pg_url, *, webhook: bool) -> BotProcess:
    env = {"DATABASE_URL": pg_url, "LOG_LEVEL": "WARNING"}
    if webhook:
        env |= {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(free_port())}
    return BotProcess(emu, data_dir, extra_env=env)


async def refused(process: BotProcess, sentence: str) -> None:
    await process.start()
    assert await asyncio.wait_for(process.proc.wait(), 90) == 2, await process.output()
    output = await process.output()
    assert sentence in output and "Traceback" not in output, output


async def test_polling_runs_alone_and_webhook_copies_run_together(emu, tmp_path, pg_url):
    data_dir = tmp_path / "data"
    polling = copy(emu, data_dir, pg_url, webhook=False)
    await polling.start()
    try:
        await polling.wait_polling()
        webhooks_set = len(emu.calls_of("setWebhook")) + len(emu.calls_of("deleteWebhook"))
        await refused(copy(emu, data_dir, pg_url, webhook=False),
                      "С long polling бот работает только в одной копии")
        await refused(copy(emu, data_dir, pg_url, webhook=True), "уже работает копия бота с long polling")
        assert len(emu.calls_of("setWebhook")) + len(emu.calls_of("deleteWebhook")) == webhooks_set
    finally:
        assert "Traceback" not in await polling.stop()

    replicas = [copy(emu, data_dir, pg_url, webhook=True) for _ in range(2)]
    try:
        for replica in replicas:
            await replica.start()
            await _serving(emu, replica, int(replica.env["WEBHOOK_PORT"]))
        await refused(copy(emu, data_dir, pg_url, webhook=False), "запустите все копии с вебхуком")
        assert all(replica.proc.returncode is None for replica in replicas)
    finally:
        for replica in replicas:
            assert "Traceback" not in await replica.stop()
