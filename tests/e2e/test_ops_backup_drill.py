"""The restore drill, through the real CLI: `happykids backup` while parents are in the middle of dialogs and
receipts keep arriving, `happykids restore` into a new directory, the bot started on it. Every receipt the
backup counted is there with its file intact, the dialog goes on from the step it was at, the director's text
and the links are there."""

from __future__ import annotations

import asyncio
import hashlib
import json
import tarfile
import time
from pathlib import Path

import pytest

from happykids.db.repositories.texts import set_override
from tests.catalogs import SMALL_CATALOG_EXPORTED
from tests.e2e.conftest import ADMIN_ID, BotRunner
from tests.e2e.process import BotProcess
from tests.e2e.receipt_helpers import confirm_choice, fast_outbox, outbox_drained, receipts  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_outbox")
GREETING = "Добрый день! Это тестовое приветствие директора."


async def cli(emu, data_dir: Path, *args: str) -> tuple[int, str]:
    proc = BotProcess(emu, data_dir)
    await proc.start(*args)
    code = await asyncio.wait_for(proc.proc.wait(), 120)
    return code, await proc.output()


async def send_receipts(emu, parent, stop: asyncio.Event, acked: list[str]) -> None:
    """One receipt after another, each acknowledged ("получили") before the next, until told to stop."""
    number = 0
    while not stop.is_set():
        number += 1
        await parent.send_document(f"%PDF-1.4\n% {parent.user_id} receipt {number}\n".encode(),
                                   file_name=f"r{number}.pdf")
        await parent.wait_for(lambda m: "получили" in m.text, timeout=30)
        acked.append(f"{parent.user_id}:{number}")


async def test_backup_under_load_restore_and_start_on_the_copy(emu, runner, bot, settings, tmp_path):
    async with bot.sessions() as session, session.begin():
        await set_override(session, "dialog.greeting", GREETING, None)

    emu.user(ADMIN_ID, "Директор")  # the director has opened the bot, so cards reach her
    # A parent stopped at the children step; three parents who pay and send receipts throughout.
    waiting = emu.user(6001, "Марина")
    await waiting.send_command("/start")
    await waiting.wait_for(lambda m: m.has_button("Малыши"))
    await waiting.press("Малыши")
    await waiting.wait_for(lambda m: m.has_button("1 месяц"))
    await waiting.press("1 месяц")
    children_screen = await waiting.wait_for(lambda m: m.has_button("2 ребёнка"))
    senders = [emu.user(6100 + i, f"Родитель {i}") for i in range(3)]
    for parent in senders:
        await confirm_choice(emu, parent)

    stop, acked = asyncio.Event(), []
    load = [asyncio.create_task(send_receipts(emu, p, stop, acked)) for p in senders]
    while len(acked) < 6:  # receipts are arriving before the backup starts...
        await asyncio.sleep(0.05)
    acked_before = len(acked)
    archive = tmp_path / "drill.tar.gz"
    started = time.monotonic()
    code, out = await cli(emu, settings.data_dir, "backup", str(archive))  # ...and while it runs
    backup_seconds = time.monotonic() - started
    acked_during = len(acked) - acked_before
    stop.set()
    await asyncio.gather(*load)
    assert code == 0, out
    assert out.startswith(f"Резервная копия записана в {archive}: "), out
    await outbox_drained(bot, timeout=30)
    original = {r.source_key: r for r in await receipts(bot)}

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        catalog_in_archive = tar.extractfile("export/catalog.yaml").read().decode()
        texts_in_archive = tar.extractfile("export/texts.yaml").read().decode()
    counted = manifest["counts"]["receipts"]
    assert counted >= acked_before, "every receipt acknowledged before the backup started is in it"
    assert manifest["receipt_files_missing"] == [] and manifest["receipt_files_referenced"] >= counted
    assert catalog_in_archive == SMALL_CATALOG_EXPORTED and GREETING in texts_in_archive
    await runner.stop()

    # Restore into a new directory; a non-empty one is refused.
    restored_dir = tmp_path / "restored" / "data"
    restored_dir.parent.mkdir()  # where the operator runs the command; DATA_DIR itself does not exist yet
    code, out = await cli(emu, settings.data_dir, "restore", str(archive))
    assert code == 1 and f"Папка DATA_DIR={settings.data_dir} не пуста: восстанавливать можно только" in out, out
    assert "Traceback" not in out
    code, out = await cli(emu, restored_dir, "restore", str(archive))
    assert code == 0, out
    assert out.startswith(f"Восстановлено в {restored_dir}: ") and out.strip().endswith(
        "; все контрольные суммы и числа строк совпадают с описью."), out

    errors_before_restore = len(emu.errors)
    again = BotRunner(settings.model_copy(update={"data_dir": restored_dir}), emu)
    app = await again.start()
    try:
        restored = await receipts(app)
        assert len(restored) == counted
        for receipt in restored:  # the same receipt as in the original, with its file intact at the new place
            assert receipt.source_key in original and receipt.user_id == original[receipt.source_key].user_id
        async with app.sessions() as session:
            from sqlalchemy import select

            from happykids.db.models import ReceiptFile
            rows = list((await session.scalars(select(ReceiptFile))).all())
        assert len(rows) == manifest["receipt_files_referenced"]
        for row in rows:
            path = Path(row.file_path)
            assert path.is_relative_to(restored_dir.resolve()), path
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256

        # The parent goes on from the step she was at, on the message she already has, and gets the link.
        await waiting.press("2 ребёнка", message_id=children_screen.message_id)
        await waiting.wait_for(lambda m: m.has_button("Подтвердить"))
        await waiting.press("Подтвердить")
        link = await waiting.wait_for(lambda m: "pay.example.com" in m.text)
        assert "https://pay.example.com/k-m-2" in link.text
        newcomer = emu.user(6201, "Новый")
        await newcomer.send_command("/start")
        await newcomer.wait_for(lambda m: GREETING in m.text)
        await emu.settle(quiet=0.3)
    finally:
        await again.stop()
    # A backup taken under load is behind Telegram: a card the running bot armed after the snapshot is armed
    # again by the copy, and Telegram answers "message is not modified", which the bot takes as "it shows that
    # already" (ui/receipt_copies.py). That answer, and only it, is expected here; anything else still fails.
    emu.errors[errors_before_restore:] = [
        e for e in emu.errors[errors_before_restore:]
        if not (e.method == "editMessageReplyMarkup" and "message is not modified" in e.description)]
    code, out = await cli(emu, restored_dir, "catalog", "export")
    assert code == 0 and out == SMALL_CATALOG_EXPORTED

    print(f"\nDRILL: receipts acknowledged before the backup {acked_before}, during it {acked_during}; "
          f"in the backup {counted} receipts, {len(manifest['files'])} files, "
          f"{archive.stat().st_size} bytes, backup took {backup_seconds:.1f} s (CLI start included); "
          f"restored {len(restored)} receipts, {len(rows)} files checked by sha256")
