"""Paying inside Telegram, end to end through the real polling loop: the invoice, the pre-checkout answer, the
payment approved without the director, her notice, a changed price refused, a repeated update recorded once."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from happykids.db.models import FunnelEvent, Receipt
from happykids.domain.catalog import CatalogKind
from happykids.services.catalog_items import set_hidden
from happykids.services.catalog_links import get_combo, set_link_amount
from happykids.ui.callbacks import TgPay
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import (  # noqa: F401 - fast_outbox is a fixture
    SETTLE,
    confirm_choice,
    fast_outbox,
    outbox_drained,
    receipts,
)

pytestmark = pytest.mark.usefixtures("fast_outbox")

PROVIDER = "381764678:TEST:100037"
PAY_BUTTON = "Оплатить в Telegram"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"payments_provider_token": SecretStr(PROVIDER)})


@pytest.fixture(autouse=True)
def director(emu):
    return emu.user(ADMIN_ID, "Директор")


def link_screen(parent):
    return [m for m in parent.bot_messages if "pay.example.com" in m.text][-1]


async def invoice_for(emu, parent):
    """Walk to the link and press «💳 Оплатить в Telegram»; the invoice as the emulator keeps it."""
    await confirm_choice(emu, parent)
    await parent.press(PAY_BUTTON, link_screen(parent).message_id)
    await parent.wait_for(lambda m: m.raw.get("invoice") is not None)
    await emu.settle(**SETTLE)
    return emu.world.payments.last_invoice(parent.id)


async def test_an_invoice_paid_in_telegram_is_approved_without_the_director(emu, bot, director):
    parent = emu.user(8001, "Анна", username="anna")
    invoice = await invoice_for(emu, parent)
    screen = link_screen(parent)
    assert screen.has_button("💳 Оплатить") and screen.find_button("💳 Оплатить").url  # the link stays
    sent = emu.calls_of("sendInvoice")[-1]
    assert sent["currency"] == "RUB" and sent["provider_token"] == PROVIDER
    assert invoice.total_amount == 600_000 and invoice.currency == "RUB"  # 6 000 ₽ in kopecks
    assert invoice.payload.startswith("c:") and invoice.payload.endswith(":6000")
    assert "Малыши" in invoice.title and not invoice.need["need_email"] and invoice.provider_data is None

    result = await parent.pay()
    assert result.ok, result.error_message
    charge = result.successful_payment
    paid = await parent.wait_for(lambda m: "Оплата прошла" in m.text)
    assert "Малыши (4–6 лет)" in paid.text and "присылать не нужно" in paid.text
    await outbox_drained(bot)
    await emu.settle(**SETTLE)

    [receipt] = await receipts(bot)
    assert receipt.status == "approved" and receipt.method == "telegram"
    assert receipt.telegram_charge_id == charge["telegram_payment_charge_id"]
    assert receipt.provider_charge_id == charge["provider_payment_charge_id"]
    assert receipt.amount == 6000 and receipt.group_title == "Малыши (4–6 лет)" and receipt.decided_by == 0
    notices = [m for m in director.bot_messages if "Оплата в Telegram" in m.text]
    assert len(notices) == 1 and not notices[0].buttons, director.dump()  # a notice: nothing to press
    for expected in ("Анна", "@anna", "6 000 ₽", charge["telegram_payment_charge_id"],
                     charge["provider_payment_charge_id"], "подтверждена автоматически"):
        assert expected in notices[0].text
    assert not [m for m in director.bot_messages if "Чек №" in m.text]  # no review card to decide
    async with bot.sessions() as session:
        steps = set((await session.scalars(select(FunnelEvent.kind).where(FunnelEvent.user_id == parent.id))).all())
    assert {"receipt", "approved"} <= steps


async def test_the_panel_and_the_export_show_how_it_was_paid(emu, bot, director):
    parent = emu.user(8006, "Анна")
    await invoice_for(emu, parent)
    charge = (await parent.pay()).successful_payment
    await parent.wait_for(lambda m: "Оплата прошла" in m.text)
    await outbox_drained(bot)

    await director.send_command("/admin")
    await director.wait_for(lambda m: m.has_button("Статистика"))
    await emu.settle(**SETTLE)
    await director.press("Платежи")
    overview = await director.wait_for(lambda m: "Чеков всего" in m.text)
    assert "по ссылке с чеком — 0 на 0 ₽, в Telegram — 1 на 6 000 ₽" in overview.text
    await emu.settle(**SETTLE)
    await director.press("Выгрузить")
    await director.wait_for(lambda m: m.has_button("Все — CSV"))
    await emu.settle(**SETTLE)
    await director.press("Все — CSV")
    document = await director.wait_for(lambda m: m.kind == "document")
    await emu.settle(**SETTLE)
    table = list(csv.reader(io.StringIO(emu.file_bytes(document.file_id).decode("utf-8-sig")), delimiter=";"))
    assert table[0][-3:] == ["Способ оплаты", "Платёж Telegram", "Платёж у провайдера"]
    assert table[1][-3:] == ["в Telegram", charge["telegram_payment_charge_id"], charge["provider_payment_charge_id"]]
    assert table[1][8] == "оплата в Telegram"  # who decided: nobody pressed anything

    await director.send_command("/admin")
    await director.wait_for(lambda m: m.has_button("Статистика"))
    await emu.settle(**SETTLE)
    await director.press("Статистика")
    await director.wait_for(lambda m: m.has_button("7 дней"))
    await emu.settle(**SETTLE)
    await director.press("7 дней")
    await director.wait_for(lambda m: m.kind == "photo", timeout=20)
    await emu.settle(**SETTLE)
    stats = next(m for m in reversed(director.bot_messages) if "Дошли до оплаты" in m.text)
    assert "в Telegram — 1 на 6 000 ₽" in stats.text


async def test_a_price_changed_after_the_invoice_is_refused_with_a_reason(emu, bot):
    parent = emu.user(8002, "Ольга")
    await invoice_for(emu, parent)
    data = TgPay.unpack(link_screen(parent).find_button(PAY_BUTTON).callback_data)
    async with bot.sessions() as session, session.begin():  # the director changes the price meanwhile
        combo = await get_combo(session, data.group, data.period, data.children)
        await set_link_amount(session, combo, 6500)

    result = await parent.pay()
    assert not result.ok and "Цена изменилась" in result.error_message and "не списаны" in result.error_message
    await emu.settle(**SETTLE)
    assert await receipts(bot) == []
    assert not [m for m in parent.messages if "successful_payment" in m.raw]

    # A new press brings an invoice at the new price, and that one goes through.
    await parent.press(PAY_BUTTON, link_screen(parent).message_id)
    await parent.wait_for(lambda m: m.raw.get("invoice", {}).get("total_amount") == 650_000)
    await emu.settle(**SETTLE)
    assert (await parent.pay()).ok
    await parent.wait_for(lambda m: "Оплата прошла" in m.text)
    [receipt] = await receipts(bot)
    assert receipt.amount == 6500


async def test_an_option_hidden_after_the_invoice_is_refused_and_the_button_says_so(emu, bot):
    parent = emu.user(8007, "Вера")
    await invoice_for(emu, parent)
    data = TgPay.unpack(link_screen(parent).find_button(PAY_BUTTON).callback_data)
    async with bot.sessions() as session, session.begin():  # «🙈 Скрыть» on the group meanwhile
        await set_hidden(session, CatalogKind.GROUP, data.group, True)

    result = await parent.pay()
    assert not result.ok and "больше недоступен" in result.error_message
    await emu.settle(**SETTLE)
    assert await receipts(bot) == []
    await parent.press(PAY_BUTTON, link_screen(parent).message_id)  # no new invoice for a hidden group
    await emu.settle(**SETTLE)
    answer = parent.callback_answers[-1]
    assert answer["text"] == "Оплата в Telegram сейчас недоступна — можно оплатить по ссылке" and answer["show_alert"]
    assert len(emu.calls_of("sendInvoice")) == 1


async def test_a_failure_while_checking_still_answers_the_pre_checkout(emu, bot, monkeypatch, caplog):
    from happykids.handlers import telegram_payments

    def broken(*args, **kwargs):
        raise RuntimeError("the catalog is on fire")

    parent = emu.user(8008, "Нина")
    await invoice_for(emu, parent)
    monkeypatch.setattr(telegram_payments, "refusal", broken)
    result = await parent.pay()  # unanswered, the emulator would record an error and the test would fail
    assert not result.ok and "Что-то пошло не так, деньги не списаны" in result.error_message
    await emu.settle(**SETTLE)
    assert await receipts(bot) == []
    assert any("the catalog is on fire" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


async def test_a_repeated_successful_payment_is_recorded_once(emu, bot, director):
    parent = emu.user(8003, "Ирина")
    await invoice_for(emu, parent)
    result = await parent.pay()
    await parent.wait_for(lambda m: "Оплата прошла" in m.text)
    await outbox_drained(bot)

    await parent.send_successful_payment(result.successful_payment)  # the same charge, a new update
    await emu.settle(**SETTLE)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Receipt)) == 1
    assert len([m for m in parent.bot_messages if "Оплата прошла" in m.text]) == 1
    assert len([m for m in director.bot_messages if "Оплата в Telegram" in m.text]) == 1


async def test_the_same_screen_cannot_take_the_same_money_twice(emu, bot, director):
    """After paying, «Оплатить в Telegram» on that link screen says it is paid (with when) instead of a second
    invoice; a new /start is a new screen, from which the next period is paid as usual."""
    parent = emu.user(8005, "Вера")
    await invoice_for(emu, parent)
    assert (await parent.pay()).ok
    await parent.wait_for(lambda m: "Оплата прошла" in m.text)
    await outbox_drained(bot)
    invoices = len(emu.calls_of("sendInvoice"))

    await parent.press(PAY_BUTTON, link_screen(parent).message_id)
    await emu.settle(**SETTLE)
    answer = parent.callback_answers[-1]
    assert answer.get("show_alert") and "уже оплачено" in answer["text"] and "/start" in answer["text"]
    assert len(emu.calls_of("sendInvoice")) == invoices, "no second invoice from the paid screen"

    # Telegram dates messages in whole seconds, and a person needs far more than one to pay and walk the dialog
    # again; the test is quicker than that, so it lets the second turn first
    await asyncio.sleep(1.1)
    await invoice_for(emu, parent)  # /start, the same choice again: a new screen, a new invoice
    assert len(emu.calls_of("sendInvoice")) == invoices + 1


class TestReceiptData:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"payments_receipt_vat_code": 1, "payments_receipt_tax_system": 2})

    async def test_54_fz_receipt_data_goes_to_the_provider(self, emu, bot):
        parent = emu.user(8004, "Мария")
        invoice = await invoice_for(emu, parent)
        assert invoice.need["need_email"] and not invoice.need["need_phone_number"]
        assert emu.calls_of("sendInvoice")[-1]["send_email_to_provider"] in (True, "true")
        receipt = invoice.provider_data["receipt"]
        assert receipt["tax_system_code"] == 2
        [item] = receipt["items"]
        assert item["amount"] == {"value": "6000.00", "currency": "RUB"} and item["vat_code"] == 1
        assert item["quantity"] == "1.00" and "Малыши" in item["description"]
        assert item["payment_subject"] == "service" and item["payment_mode"] == "full_payment"
        result = await parent.pay()
        assert result.successful_payment["order_info"]["email"]
        json.dumps(invoice.provider_data)  # what the provider gets is plain JSON


class TestWithoutToken:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"payments_provider_token": None})

    async def test_without_the_token_there_is_only_the_link(self, emu, bot):
        parent = emu.user(8005, "Светлана")
        await confirm_choice(emu, parent)
        screen = link_screen(parent)
        assert not screen.has_button(PAY_BUTTON) and screen.find_button("💳 Оплатить").url
        assert emu.calls_of("sendInvoice") == []
