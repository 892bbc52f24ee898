"""«Платежи» end to end: the director finds a parent's receipts and downloads XLSX / CSV files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from happykids.db.models import Parent, Receipt
from happykids.services.payments_export import COLUMNS, Month, agency_tz, to_local, to_utc
from tests.e2e.conftest import ADMIN_ID

SETTLE = dict(quiet=0.15, timeout=10)
TZ = agency_tz()


async def step(emu, action, expect: str | None = None):
    """Do `action`; with `expect`, first wait for a bot message (new or edited) containing it: settling
    alone can return while the bot is still busy with the database on a loaded machine."""
    result = await action
    if expect is not None:
        await emu.user(ADMIN_ID).wait_for(lambda m: expect in m.text, timeout=10)
    await emu.settle(**SETTLE)
    return result


def this_month_at(day: int, hour: int = 12) -> datetime:
    """A naive UTC moment on `day` of the current local month."""
    month = Month.current(TZ)
    return to_utc(datetime(month.year, month.month, day, hour), TZ)


async def seed(app) -> dict[str, datetime]:
    now_local = to_local(datetime.now(UTC).replace(tzinfo=None), TZ)
    earlier = this_month_at(1, 10)
    last_month = to_utc(datetime(now_local.year, now_local.month, 1) - timedelta(days=10), TZ)
    async with app.sessions() as session, session.begin():
        session.add_all([
            Parent(user_id=5001, first_name="Анна", last_name="Смирнова", username="anna_s"),
            Parent(user_id=5002, first_name="Ольга", last_name="Петрова"),
            Parent(user_id=5003, first_name="<b>Хакер</b>", username="x_user"),
        ])
        session.add_all([
            _receipt(1, 5001, "Анна Смирнова", "anna_s", earlier, "approved", 6000, "Директор",
                     "https://mega.nz/file/r1"),
            _receipt(2, 5001, "Анна Смирнова", "anna_s", last_month, "rejected", 6000, "Директор"),
            _receipt(3, 5002, "Ольга Петрова", None, earlier + timedelta(hours=1), "pending", None, None),
            _receipt(4, 5003, "<b>Хакер</b>", "x_user", earlier + timedelta(hours=2), "approved", 12000, "Мария"),
        ])
    return {"earlier": earlier, "last_month": last_month}


def _receipt(rid, user_id, name, username, created, status, amount, decided, archive=None):
    return Receipt(id=rid, source_key=f"e2e-{rid}", user_id=user_id, parent_name=name, username=username,
                   group_code="kids", group_title="Малыши (4–6 лет)", period_title="1 месяц",
                   children_title="1 ребёнок", amount=amount, status=status, decided_by_name=decided,
                   created_at=created, archive_location=archive)


async def open_payments(emu):
    admin = emu.user(ADMIN_ID, "Директор")
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Платежи"), "Чеков всего")
    return admin


async def test_overview_and_search_by_name_username_and_id(emu, bot):
    await seed(bot)
    admin = await open_payments(emu)
    overview = admin.last.text
    assert "Чеков всего: 4" in overview and "на проверке: 1" in overview and "подтверждено: 2" in overview
    assert "18 000 ₽" in overview, "approved this month: 6000 + 12000"

    await step(emu, admin.press("Найти родителя"), "Кого ищем")
    await step(emu, admin.send_text("анна"), "Найдено")
    result = admin.last
    assert "Анна Смирнова" in result.text and "@anna_s" in result.text and "5001" in result.text
    assert "подтверждён" in result.text and "отклонён" in result.text and "6 000 ₽" in result.text
    assert "Ольга" not in result.text
    assert result.has_button("Искать ещё")

    await step(emu, admin.press("Искать ещё"), "Кого ищем")
    await step(emu, admin.send_text("@x_us"), "Найдено")
    assert "<b>Хакер</b>" in admin.last.text, "the name is shown literally, escaped"
    assert "Мария" in admin.last.text

    await step(emu, admin.press("Искать ещё"), "Кого ищем")
    await step(emu, admin.send_text("5002"), "Найдено")
    assert "Ольга Петрова" in admin.last.text and "на проверке" in admin.last.text

    await step(emu, admin.press("Искать ещё"), "Кого ищем")
    await step(emu, admin.send_text("Никто Никтоевич"), "никого не нашла")
    assert "никого не нашла" in admin.last.text
    await step(emu, admin.press("Отмена"), "Чеков всего")
    assert admin.last.has_button("Найти родителя")


async def test_export_xlsx_and_csv_all_and_one_month(emu, bot):
    moments = await seed(bot)
    admin = await open_payments(emu)
    await step(emu, admin.press("Выгрузить"), "Выгрузка платежей")
    menu = admin.last
    month = Month.current(TZ)
    assert menu.has_button(month.title.capitalize()), menu.button_texts()

    await admin.press("Все — Excel")
    await admin.wait_for(lambda m: m.kind == "document", timeout=10)
    await emu.settle(**SETTLE)
    document = admin.last
    assert document.kind == "document" and document.file_name.endswith(".xlsx")
    assert "4 чек" in document.text
    sheet = load_workbook(io.BytesIO(emu.file_bytes(document.file_id))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 5
    by_parent = {row[1]: row for row in rows[1:] if row[7] != "отклонён"}
    anna = by_parent["Анна Смирнова"]
    assert anna == (to_local(moments["earlier"], TZ), "Анна Смирнова", "@anna_s", "Малыши (4–6 лет)", "1 месяц",
                    "1 ребёнок", 6000, "подтверждён", "Директор", "https://mega.nz/file/r1",
                    "ссылка + чек", None, None)  # how it was paid (issue #13): link and receipt, no charge ids
    assert by_parent["Ольга Петрова"][6] is None and by_parent["Ольга Петрова"][7] == "на проверке"
    assert rows[1][7] == "отклонён", "oldest first: last month's receipt"

    await admin.press("CSV", message_id=menu.message_id)
    await admin.wait_for(lambda m: m.kind == "document", timeout=10)
    await emu.settle(**SETTLE)
    document = admin.last
    assert document.file_name == f"happykids-payments-{month.key}.csv"
    table = list(csv.reader(io.StringIO(emu.file_bytes(document.file_id).decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(COLUMNS)
    assert [row[1] for row in table[1:]] == ["Анна Смирнова", "Ольга Петрова", "<b>Хакер</b>"], "this month only"
    assert table[3][6] == "12000" and table[3][8] == "Мария"


async def test_export_of_nothing_says_so(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    await step(emu, admin.send_command("/admin"), "Панель управления")
    await step(emu, admin.press("Платежи"), "Чеков всего")
    assert "Чеков всего: 0" in admin.last.text
    await step(emu, admin.press("Выгрузить"), "Выгрузка платежей")
    await step(emu, admin.press("Все — CSV"))
    assert admin.callback_answers[-1].get("text") == "Платежей за этот период нет"
    assert all(m.kind != "document" for m in admin.bot_messages)


async def test_a_parent_cannot_export(emu, bot):
    await seed(bot)
    parent = emu.user(5001, "Анна")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press_data(parent.last.message_id, "apx:all:xlsx"))
    assert all(m.kind != "document" for m in parent.bot_messages)
