"""`.env.example` copied to `.env` unchanged: the bot stops with one sentence naming BOT_TOKEN, never a traceback;
and every setting the guide documents is in the example."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("BOT_TOKEN", "ADMIN_IDS", "DATA_DIR", "RECEIPTS_CHAT_ID", "MEGA_EMAIL", "MEGA_PASSWORD", "MEGA_FOLDER",
            "TIMEZONE", "BOT_API_URL", "DATABASE_URL", "FSM_STORAGE_URL", "HEALTH_PORT", "HEALTH_MAX_POLL_AGE",
            "HEALTH_ARCHIVE_STUCK_MINUTES", "BACKUP_ENABLED", "BACKUP_TIME", "BACKUP_KEEP", "LOG_FORMAT",
            "PAYMENTS_PROVIDER_TOKEN", "PAYMENTS_RECEIPT_VAT_CODE", "PAYMENTS_RECEIPT_TAX_SYSTEM",
            "PAYMENTS_RECEIPT_CONTACT", "PAYMENTS_RECEIPT_SUBJECT")


async def test_the_example_copied_unchanged_stops_with_one_sentence(emu, tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    env["BOT_API_URL"] = emu.base_url  # the emulator instead of Telegram: it refuses the example's token the same way
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "happykids", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await asyncio.wait_for(proc.communicate(), 90))[0].decode()
    assert proc.returncode == 2, out
    assert "happykids: Telegram не принимает BOT_TOKEN (он неверный или отозван)" in out and "Traceback" not in out, out
    assert [e.error_code for e in emu.errors] == [401]  # the one request Telegram refused: expected here
    emu.errors.clear()


def test_every_documented_setting_is_in_the_example_and_the_guide():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name in SETTINGS:
        assert re.search(rf"^#? ?{name}=", example, re.M), name
        assert f"`{name}`" in guide, name
