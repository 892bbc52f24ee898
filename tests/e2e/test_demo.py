"""`happykids demo` as a person uses it: the real process, keys typed into its terminal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

# group ([1] is «🎬 Проекты» under the greeting), period, children, «Подтвердить», then the receipt
CHOOSE_AND_PAY = "/start\n2\n1\n1\n1\n/photo\n"


async def _start(data_dir: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "happykids", "demo", "--data-dir", str(data_dir),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**{k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")},
             "PYTHONUNBUFFERED": "1"},
        cwd=data_dir.parent,
    )


async def demo(data_dir: Path, script: str) -> str:
    """Type `script` into a fresh demo process on `data_dir`; its whole output."""
    proc = await _start(data_dir)
    out, _ = await asyncio.wait_for(proc.communicate(script.encode()), 180)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "Traceback" not in text and "WARNING" not in text and "rejected" not in text, text
    return text


def after(text: str, marker: str) -> str:
    assert marker in text, text
    return text.split(marker, 1)[1]


async def test_demo_walks_a_parent_to_the_receipt_and_the_director_approves_it(tmp_path):
    text = await demo(tmp_path / "demo", CHOOSE_AND_PAY + "/as admin\n1\n/as parent\n/quit\n")
    assert "Шаг 1 из 3" in text and "[1] 🎬 Проекты" in text and "[2] Малыши (4–6 лет)" in text
    assert "https://pay.example.com/kids-month-1" in text and "6 000 ₽" in text
    assert "📩 директору: 🧾 Чек №1" in text, "the demo says the director got the receipt"

    as_admin = after(text, "» /as admin")
    # switching shows the card that waits for her, with buttons she can press by number
    assert "Теперь вы пишете как директор" in as_admin
    assert "[1] ✅ Подтвердить   [2] ❌ Отклонить" in as_admin.split("» 1")[0]

    approved = after(as_admin, "» 1").split("» /as parent")[0]
    assert "Подтверждён — Директор" in approved
    assert approved.count("🧾 Чек №1") == 1, f"the approved card is printed once, as it now looks:\n{approved}"
    assert "📩 родителю: Оплата подтверждена" in approved

    as_parent = after(text, "» /as parent")
    assert "Теперь вы пишете как родитель" in as_parent
    assert "Оплата подтверждена ✅" in as_parent, "the parent's news is on screen after /as parent"


async def test_restart_on_the_same_data_finds_every_message_the_bot_remembers(tmp_path):
    # First run: a dialog left mid-way and a receipt left pending (the bot keeps their message ids and file id).
    await demo(tmp_path / "demo", CHOOSE_AND_PAY + "/start\n/start\n2\n/quit\n")
    # Second run: the old step loses its buttons, the card is re-sent by file id, every copy is updated.
    text = await demo(tmp_path / "demo", "/start\n/as admin\n/receipts\n1\n/quit\n")
    assert "Продолжаем с того места" in text
    assert "Подтверждён — Директор" in after(text, "» /receipts")


async def test_typed_numbers_reach_the_bot_when_it_waits_for_text(tmp_path):
    # ❌ asks for a reason while showing [1] «Без причины» [2] «Отмена»: «6000» and «1» are then the reason's
    # text, not presses (nor «no such button»); #2 still presses «Отмена».
    script = ("/start\n6000\n1\n1\n1\n1\n/photo\n"
              "/as admin\n2\n#2\n/receipts\n2\n6000\n/as parent\n/photo\n/as admin\n2\n1\n/as parent\n/quit\n")
    text = await demo(tmp_path / "demo", script)
    # where the bot expects a button, a number without one is text, and the bot answers it (the same step again)
    assert "Шаг 1 из 3" in after(text, "» 6000").split("» 1")[0]
    assert "кнопку [1] нажмёт #1" in text, "the demo says how to press a button while the bot waits for text"
    assert "по-прежнему ждёт решения" in after(text, "» #2")
    assert "Нет кнопки" not in text
    assert "Причина: 6000" in after(after(text, "» 6000"), "» 6000").split("» /photo")[0]
    assert "Причина: 1" in text.rsplit("» 1\n", 1)[1].split("» /quit")[0]


def test_ctrl_c_ends_the_demo_at_once_and_cleanly(tmp_path):
    """Ctrl+C typed into a real terminal (a pty that is the demo's controlling tty) after a few lines."""
    pid, tty = pty.fork()
    if pid == 0:  # the child: become the demo at once
        env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
        os.chdir(tmp_path)
        argv = [sys.executable, "-m", "happykids", "demo", "--data-dir", str(tmp_path / "d")]
        os.execve(sys.executable, argv, env)  # noqa: S606 - this Python, no shell
    screen = Screen(tty)
    try:
        screen.wait_for("Начните с /start")
        os.write(tty, b"/start\n")
        screen.wait_for("Шаг 1 из 3")
        os.write(tty, b"2\n")  # [1] is «🎬 Проекты» under the greeting
        screen.wait_for("родитель › ", after="Шаг 2 из 3")  # the demo waits for the next line
        os.write(tty, b"\x03")  # Ctrl+C
        code = screen.wait_exit(pid)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(tty)
    assert code is not None, f"the demo kept waiting for Enter after Ctrl+C:\n{screen.text}"
    assert code in (0, 130), screen.text
    assert "Traceback" not in screen.text and "Exception" not in screen.text, screen.text


class Screen:
    """What a terminal shows (everything the demo wrote to its tty)."""

    def __init__(self, tty: int) -> None:
        self.tty, self.data = tty, b""

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")

    def _read(self, wait: float) -> None:
        if select.select([self.tty], [], [], wait)[0]:
            with contextlib.suppress(OSError):  # EIO once the demo has closed the terminal
                self.data += os.read(self.tty, 65536)

    def wait_for(self, marker: str, limit: float = 120, *, after: str = "") -> None:
        deadline = time.monotonic() + limit  # a bound against hanging, not a timing assertion
        while after not in self.text or marker not in (self.text.split(after)[-1] if after else self.text):
            assert time.monotonic() < deadline, f"{marker!r} never appeared:\n{self.text}"
            self._read(0.2)

    def wait_exit(self, pid: int, limit: float = 20) -> int | None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self._read(0.2)
                return os.waitstatus_to_exitcode(status)
            self._read(0.1)
        return None


async def test_demo_pays_inside_telegram_with_pay(tmp_path):
    # to the link, [2] «💳 Оплатить в Telegram», /pay presses «Pay» on the invoice; the director gets a notice
    text = await demo(tmp_path / "demo", "/pay\n/start\n2\n1\n1\n1\n2\n/pay\n/as admin\n/quit\n")
    assert "Счёта пока нет" in after(text, "» /pay").split("» /start")[0], "no invoice yet: the demo says what to do"
    invoice = after(text, "» 2\n")
    assert "🧾 Счёт: Happy Kids: Малыши" in invoice and "К оплате: 6 000 ₽" in invoice
    paid = after(invoice, "» /pay").split("» /as admin")[0]
    assert "оплата прошла" in paid and "Оплата прошла, спасибо!" in paid
    assert "📩 директору: 💳 Оплата в Telegram №1" in paid
    notice = after(text, "» /as admin")
    assert "подтверждена автоматически" in notice and "Подтвердить" not in notice
