"""Receipt intake end to end: the real bot, the loopback Bot API emulator, the database and the archive."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from happykids.db.models import FunnelEvent
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import (  # noqa: F401 - fast_outbox is a fixture
    SETTLE,
    confirm_choice,
    copies,
    fast_outbox,
    files,
    outbox_drained,
    receipts,
    review_cards,
    tasks,
)
from tgemulator.media import SAMPLE_JPEG

pytestmark = pytest.mark.usefixtures("fast_outbox")

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


async def test_photo_after_choice_is_stored_acknowledged_shown_and_archived(emu, bot, settings):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5001, "Анна", "Петрова", username="anna_p")
    await confirm_choice(emu, parent)

    sent = await parent.send_photo(caption="Оплата за Машу")
    ack = await parent.wait_for(lambda m: "получили" in m.text)
    assert "Малыши (4–6 лет)" in ack.text and "1 месяц" in ack.text and "1 ребёнок" in ack.text

    card = await admin.wait_for(lambda m: m.has_button("Подтвердить"))
    assert card.kind == "photo" and card.file_id == sent["photo"][-1]["file_id"]
    for expected in ("Анна Петрова", "@anna_p", "Малыши (4–6 лет)", "1 месяц", "1 ребёнок", "6 000 ₽",
                     "Оплата за Машу", "Получен: ", "Ждёт проверки"):
        assert expected in card.text, expected
    assert 'href="tg://user?id=5001"' in card.html
    assert card.has_button("Отклонить")
    await outbox_drained(bot)

    [receipt] = await receipts(bot)
    assert (receipt.user_id, receipt.parent_name, receipt.username) == (5001, "Анна Петрова", "anna_p")
    assert (receipt.group_code, receipt.amount, receipt.status) == ("kids", 6000, "pending")
    assert receipt.link_url == "https://pay.example.com/k-m-1"
    [stored] = await files(bot, receipt.id)
    local = Path(stored.file_path)
    assert local.parent.parent == settings.data_dir / "receipts" and len(local.parent.name) == 7  # YYYY-MM
    assert local.read_bytes() == SAMPLE_JPEG
    assert stored.sha256 == hashlib.sha256(SAMPLE_JPEG).hexdigest()

    archived = Path(stored.archive_location)
    assert archived.is_file() and archived.read_bytes() == SAMPLE_JPEG
    assert archived.is_relative_to(settings.data_dir / "archive")
    assert "Малыши" in archived.name and "Анна Петрова" in archived.name and archived.name.endswith("_1.jpg")
    assert receipt.archive_location == stored.archive_location

    async with bot.sessions() as session:
        events = (await session.scalars(select(FunnelEvent).where(FunnelEvent.kind == "receipt"))).all()
    assert [(e.user_id, e.group_code) for e in events] == [(5001, "kids")]
    assert len(await copies(bot, receipt.id)) == 1


async def test_pdf_and_image_file_are_receipts(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5002, "Оля")
    await confirm_choice(emu, parent)

    await parent.send_document()  # a PDF
    await parent.wait_for(lambda m: "получили" in m.text)
    await parent.send_document(PNG, file_name="чек.png", mime_type="image/png")
    await parent.wait_for(lambda m: "получили" in m.text)
    await emu.settle(**SETTLE)
    await outbox_drained(bot)

    pdf, png = await receipts(bot)
    assert [f.mime_type for f in await files(bot, pdf.id)] == ["application/pdf"]
    assert (await files(bot, png.id))[0].file_path.endswith(".png")
    cards = review_cards(admin)
    assert [c.kind for c in cards] == ["document", "document"]
    assert not any("уже есть" in m.text for m in parent.bot_messages), "each file is taken once"
    assert all(c.has_button("Подтвердить") for c in cards)


async def test_album_is_one_receipt_with_every_page(emu, bot, settings):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5003, "Ира")
    await confirm_choice(emu, parent)

    pages = [SAMPLE_JPEG, PNG, SAMPLE_JPEG + b"\0"]
    await parent.send_album(pages, caption="три страницы")
    ack = await parent.wait_for(lambda m: "получили" in m.text, timeout=10)
    assert "(3 страницы)" in ack.text  # no abbreviation, plural agrees (issue #10)
    card = await admin.wait_for(lambda m: m.has_button("Подтвердить"), timeout=10)
    await emu.settle(**SETTLE)
    await outbox_drained(bot)

    [receipt] = await receipts(bot)
    assert receipt.source_key.startswith("album:") and receipt.comment == "три страницы"
    stored = await files(bot, receipt.id)
    assert [f.position for f in stored] == [0, 1, 2]
    assert [Path(f.file_path).read_bytes() for f in stored] == pages
    album = [m for m in admin.bot_messages if m.media_group_id]
    assert len(album) == 3 and all(not m.buttons for m in album)
    assert card.kind == "text" and "(3 страницы)" in card.text
    names = sorted(Path(f.archive_location).name for f in stored)
    assert [n.rsplit("_", 1)[1] for n in names] == ["1-1.jpg", "1-2.jpg", "1-3.jpg"]  # Telegram serves photos as JPEG
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1, "one answer per album"


@pytest.mark.parametrize("send, answer", [
    (lambda p: p.send_sticker(), "не принимаю"),
    (lambda p: p.send_voice(), "не принимаю"),
    (lambda p: p.send_video(), "не принимаю"),
    (lambda p: p.send_document(b"MZ\x90\x00" * 64, file_name="check.exe", mime_type="application/x-msdownload"),
     "не принимаю"),
    (lambda p: p.send_document(b"%PDF-1.4\n" + bytes(30 * 1024 * 1024), file_name="big.pdf"), "20 МБ"),
], ids=["sticker", "voice", "video", "exe", "30MB"])
async def test_anything_else_gets_a_clear_answer_and_is_not_a_receipt(emu, bot, send, answer):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5004, "Катя")
    await confirm_choice(emu, parent)

    await send(parent)
    reply = await parent.wait_for()
    assert answer in reply.text
    if answer != "20 МБ":
        assert "фото" in reply.text and "PDF" in reply.text
    await emu.settle(**SETTLE)
    assert await receipts(bot) == [] and await tasks(bot) == []
    assert review_cards(admin) == []
    assert not emu.calls_of("getFile"), "nothing is downloaded"


async def test_redelivered_update_makes_one_receipt(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5005, "Лена")
    await confirm_choice(emu, parent)

    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    await emu.settle(**SETTLE)
    answers = len(parent.bot_messages)
    emu.redeliver_last(1)
    await emu.settle(**SETTLE)
    await outbox_drained(bot)

    assert len(await receipts(bot)) == 1
    assert len(review_cards(admin)) == 1
    # The same update again (Telegram redelivers after a crash) is not handled twice: no second answer.
    assert len(parent.bot_messages) == answers


async def test_redelivered_album_stays_one_receipt(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5006, "Вера")
    await parent.send_album([SAMPLE_JPEG, PNG])
    await emu.settle(**SETTLE)
    emu.redeliver_last(2)
    await parent.wait_for(lambda m: "получили" in m.text, timeout=10)
    await emu.settle(**SETTLE)
    await outbox_drained(bot)

    [receipt] = await receipts(bot)
    assert len(await files(bot, receipt.id)) == 2
    assert len([m for m in admin.bot_messages if m.has_button("Подтвердить")]) == 1
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1


async def test_receipt_before_any_choice_is_kept_and_marked(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5007, "Соня")
    await parent.send_photo()  # never pressed /start

    ack = await parent.wait_for(lambda m: "получили" in m.text)
    assert "/start" in ack.text
    card = await admin.wait_for(lambda m: m.has_button("Подтвердить"))
    assert "Без выбора" in card.text and "Соня" in card.text
    await outbox_drained(bot)
    [receipt] = await receipts(bot)
    assert receipt.group_title is None and receipt.status == "pending"
    assert Path((await files(bot, receipt.id))[0].archive_location).name.split("_")[1] == "без-выбора"


async def test_photo_in_the_middle_of_the_dialog_goes_to_intake(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5008, "Дина")
    await parent.send_command("/start")
    await emu.settle(**SETTLE)
    await parent.press("Юниоры")
    await emu.settle(**SETTLE)

    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    await admin.wait_for(lambda m: m.has_button("Подтвердить"))
    assert not any("кнопкой" in m.text for m in parent.bot_messages), "not treated as a typing mistake"


# --- durability: MEGA outage, kill -9 ------------------------------------------------------------------------

MEGA_EMAIL, MEGA_PASSWORD = "archive@happykids.example", "пароль от MEGA"



async def test_mega_outage_then_recovery_archives_everything_in_order(emu, settings, fake_mega, caplog):
    from pydantic import SecretStr

    from tests.catalogs import SMALL_CATALOG
    from tests.e2e.conftest import BotRunner

    account = fake_mega.add_account(MEGA_EMAIL, MEGA_PASSWORD)
    mega_settings = settings.model_copy(update={"mega_email": MEGA_EMAIL, "mega_password": SecretStr(MEGA_PASSWORD)})
    runner = BotRunner(mega_settings)
    await runner.load_catalog(SMALL_CATALOG)
    fake_mega.down = True  # MEGA answers 503 to everything
    caplog.set_level("INFO", logger="happykids")
    app = await runner.start()
    try:
        admin = emu.user(ADMIN_ID, "Директор")
        sent = []
        for number, send in enumerate((lambda p: p.send_photo(), lambda p: p.send_document()), start=1):
            parent = emu.user(5100 + number, f"Мама{number}")
            sent.append(await send(parent))
            await parent.wait_for(lambda m: "получили" in m.text)
        # The director is not kept waiting by the archive.
        await admin.wait_for(lambda m: "Мама2" in m.text and m.has_button("Подтвердить"))
        await asyncio.sleep(0.5)
        archive_tasks = [t for t in await tasks(app) if t.kind == "receipt.archive"]
        assert [t.status for t in archive_tasks] == ["pending", "pending"]
        assert archive_tasks[0].attempts >= 2 and "503" in archive_tasks[0].last_error
        assert archive_tasks[1].attempts == 0, "the second waits behind the first: order is kept"
        assert "MEGA настроена (" in caplog.text and "вход проверяется в фоне" in caplog.text  # not "archived" yet

        app = await runner.restart()  # still down across a restart
        await asyncio.sleep(0.3)
        assert account.files() == []

        fake_mega.down = False
        await outbox_drained(app, timeout=20)
    finally:
        await runner.stop()

    first, second = await receipts(app)
    assert first.archive_location.startswith("mega:/HappyKids/Чеки/") and "Мама1" in first.archive_location
    uploaded = account.files()
    assert [n.name for n in uploaded] == [first.archive_location.rsplit("/", 1)[1],
                                         second.archive_location.rsplit("/", 1)[1]]
    assert account.read_file(uploaded[0]) == SAMPLE_JPEG
    assert account.read_file(uploaded[1]) == emu.file_bytes(sent[1]["document"]["file_id"])


@pytest.mark.parametrize("crash_after", ["receipt_commit", "receipt_ack"])
async def test_kill_9_after_the_commit_loses_nothing(emu, tmp_path, crash_after):
    """The real CLI process dies right after committing a receipt (before answering anybody), or right
    after saying "получили"; after a restart the parent has heard "получили" exactly once, the director
    gets the receipt and it is archived."""
    from tests.catalogs import SMALL_CATALOG
    from tests.e2e.process import BotProcess, import_catalog

    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)

    doomed = BotProcess(emu, data_dir, extra_env={"HAPPYKIDS_TEST_CRASH_AFTER": crash_after})
    await doomed.start()
    await doomed.wait_polling()
    admin = emu.user(ADMIN_ID, "Директор")
    parent = emu.user(5200, "Таня")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    assert await asyncio.wait_for(doomed.proc.wait(), 30) == 137, await doomed.output()
    acks_before = len([m for m in parent.bot_messages if "получили" in m.text])
    assert acks_before == (0 if crash_after == "receipt_commit" else 1)
    if crash_after == "receipt_commit":  # nothing can have run between the commit and os._exit
        assert review_cards(admin) == [], "died before anyone was told"

    survivor = BotProcess(emu, data_dir)
    await survivor.start()
    try:
        await survivor.wait_polling()
        card = await admin.wait_for(lambda m: m.has_button("Подтвердить"), timeout=20)
        assert "Таня" in card.text and "Малыши (4–6 лет)" in card.text
        if crash_after == "receipt_commit":
            ack = await parent.wait_for(lambda m: "получили" in m.text, timeout=20)
            assert "Малыши (4–6 лет)" in ack.text
        archived = list((data_dir / "archive").rglob("*Таня*"))
        for _ in range(100):
            if archived:
                break
            await asyncio.sleep(0.1)
            archived = list((data_dir / "archive").rglob("*Таня*"))
        assert len(archived) == 1 and archived[0].read_bytes() == SAMPLE_JPEG
        assert len(list((data_dir / "receipts").rglob("*.jpg"))) == 1
        await emu.settle(**SETTLE)
    finally:
        output = await survivor.stop()
    assert output.count("MEGA не настроена: чеки хранятся только в DATA_DIR") == 1, output
    assert "Traceback" not in output, output
    # After "получили" the worker may already have shown it (a copy may then come twice: at least once).
    assert len(review_cards(admin)) == 1 if crash_after == "receipt_commit" else len(review_cards(admin)) >= 1
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1, "told once, never twice"
