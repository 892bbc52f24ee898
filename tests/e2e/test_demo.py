"""`happykids demo` as a person uses it: the real process, keys typed into its terminal."""

from __future__ import annotations

import asyncio
import os
import sys


async def test_demo_walks_a_parent_to_the_link_and_the_receipt_to_the_director(tmp_path):
    script = "/start\n1\n1\n1\n1\n/photo\n/as admin\n/receipts\n/quit\n"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "happykids", "demo", "--data-dir", str(tmp_path / "demo"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}, cwd=tmp_path,
    )
    out, _ = await asyncio.wait_for(proc.communicate(script.encode()), 120)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "Шаг 1 из 3" in text and "[1] Малыши (4–6 лет)" in text
    assert "https://pay.example.com/kids-month-1" in text and "6 000 ₽" in text
    assert "📩 директору" in text, "the demo says the director got the receipt"
    assert "Теперь вы пишете как директор" in text
    assert "Подтвердить" in text.split("Теперь вы пишете как директор")[1]
    assert "Traceback" not in text
