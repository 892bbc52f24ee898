"""The emulator's payments must refuse what Telegram refuses and play the user's side of a payment faithfully:
an invoice checked on send, a pre-checkout query that must be answered once and in time, then the payment."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update

from tgemulator import BotAPIEmulator

USER_ID = 1001
PROVIDER = "381764678:TEST:100037"


@pytest.fixture
def user(emu: BotAPIEmulator):
    return emu.user(USER_ID, first_name="Анна", last_name="Петрова")


def invoice(**changes):
    params = dict(chat_id=USER_ID, title="Малыши, 1 месяц", description="Занятия Happy Kids", payload="c:1:2:3:6000",
                  provider_token=PROVIDER, currency="RUB", prices=[LabeledPrice(label="Занятия", amount=600_000)])
    params.update(changes)
    return params


async def test_a_valid_invoice_is_a_message_with_the_invoice(emu, bot, user):
    sent = await bot.send_invoice(**invoice(need_email=True, send_email_to_provider=True,
                                            provider_data=json.dumps({"receipt": {"items": []}})))
    assert sent.invoice.total_amount == 600_000 and sent.invoice.currency == "RUB"
    stored = emu.world.payments.last_invoice(USER_ID)
    assert stored.payload == "c:1:2:3:6000" and stored.need["need_email"] and stored.provider_data == {
        "receipt": {"items": []}}
    assert emu.errors == []


@pytest.mark.parametrize(("changes", "error"), [
    (dict(currency="RUR"), "CURRENCY_INVALID"),
    (dict(provider_token=""), "PAYMENT_PROVIDER_INVALID"),
    (dict(payload="x" * 129), "INVOICE_PAYLOAD_INVALID"),
    (dict(payload="ё" * 65), "INVOICE_PAYLOAD_INVALID"),  # 130 bytes: the limit is in bytes, not characters
    (dict(title="x" * 33), "INVOICE_TITLE_INVALID"),
    (dict(description="x" * 256), "INVOICE_DESCRIPTION_INVALID"),
    (dict(prices=[LabeledPrice(label="Занятия", amount=6000)]), "CURRENCY_TOTAL_AMOUNT_INVALID"),  # roubles!
    (dict(prices=[LabeledPrice(label=" ", amount=600_000)]), "LABEL_INVALID"),
    (dict(prices=[]), "prices must be non-empty"),
    (dict(provider_data="{not json"), "DATA_JSON_INVALID"),
    (dict(send_email_to_provider=True), "INVOICE_EMAIL_NOT_REQUESTED"),
    (dict(send_phone_number_to_provider=True), "INVOICE_PHONE_NOT_REQUESTED"),
    (dict(max_tip_amount=100, suggested_tip_amounts=[50, 200]), "SUGGESTED_TIP_AMOUNTS_INVALID"),
    (dict(reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x")]])),
     "REPLY_MARKUP_BUY_EMPTY"),
])
async def test_invoices_telegram_refuses_are_refused(emu, bot, user, changes, error):
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_invoice(**invoice(**changes))
    assert [e.method for e in emu.errors] == ["sendInvoice"]


async def test_stars_need_no_provider_token(emu, bot, user):
    sent = await bot.send_invoice(**invoice(currency="XTR", provider_token=None,
                                            prices=[LabeledPrice(label="Звёзды", amount=50)]))
    assert sent.invoice.currency == "XTR"


async def _answer_next(bot: Bot, ok: bool, error: str | None = None) -> Update:
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].pre_checkout_query
    assert query is not None
    await bot.answer_pre_checkout_query(query.id, ok=ok, error_message=error)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates[-1]


async def test_paying_sends_pre_checkout_then_successful_payment(emu, bot, user):
    await bot.send_invoice(**invoice(need_email=True, need_phone_number=True, send_email_to_provider=True))
    paying = asyncio.create_task(user.pay())
    update = await _answer_next(bot, ok=True)
    query = update.pre_checkout_query
    assert query.total_amount == 600_000 and query.invoice_payload == "c:1:2:3:6000"
    assert query.order_info.email == f"user{USER_ID}@example.com" and query.order_info.phone_number
    result = await paying
    assert result.ok
    message = (await bot.get_updates(timeout=1))[-1].message
    payment = message.successful_payment
    assert payment.telegram_payment_charge_id == result.successful_payment["telegram_payment_charge_id"]
    assert payment.provider_payment_charge_id and payment.total_amount == 600_000 and payment.currency == "RUB"
    assert payment.invoice_payload == "c:1:2:3:6000" and payment.order_info.email
    assert emu.errors == []


async def test_a_refusal_reaches_the_user_and_nothing_is_paid(emu, bot, user):
    await bot.send_invoice(**invoice())
    paying = asyncio.create_task(user.pay())
    update = await _answer_next(bot, ok=False, error="Цена изменилась")
    assert update.pre_checkout_query.order_info is None  # nothing was asked of the user
    result = await paying
    assert not result.ok and result.error_message == "Цена изменилась" and result.message is None
    assert await bot.get_updates(timeout=0) == []


async def test_a_refusal_needs_a_reason_and_an_answer_counts_once(emu, bot, user):
    await bot.send_invoice(**invoice())
    paying = asyncio.create_task(user.pay())
    updates = await bot.get_updates(timeout=2)
    query_id = updates[-1].pre_checkout_query.id
    with pytest.raises(TelegramBadRequest, match="error_message is empty"):
        await bot.answer_pre_checkout_query(query_id, ok=False)
    assert await bot.answer_pre_checkout_query(query_id, ok=True)
    with pytest.raises(TelegramBadRequest, match="QUERY_ID_INVALID"):
        await bot.answer_pre_checkout_query(query_id, ok=True)
    assert (await paying).ok
    assert [e.description for e in emu.errors] == ["Bad Request: error_message is empty",
                                                  "Bad Request: QUERY_ID_INVALID"]


async def test_an_unanswered_query_fails_the_test_and_cancels_the_payment(emu, bot, user):
    await bot.send_invoice(**invoice())
    result = await user.pay(timeout=0.2)  # Telegram waits 10 s; a shorter wait keeps the test quick
    assert not result.ok and result.message is None
    assert len(emu.errors) == 1 and "not answered within" in emu.errors[0].description
    query_id = (await bot.get_updates(timeout=1))[-1].pre_checkout_query.id
    with pytest.raises(TelegramBadRequest, match="QUERY_ID_INVALID"):  # too late
        await bot.answer_pre_checkout_query(query_id, ok=True)


async def test_a_repeated_payment_is_a_new_update_with_the_same_charge(emu, bot, user):
    await bot.send_invoice(**invoice())
    paying = asyncio.create_task(user.pay())
    await _answer_next(bot, ok=True)
    result = await paying
    await user.send_successful_payment(result.successful_payment)
    messages = [u.message for u in await bot.get_updates(timeout=1)]
    assert len(messages) == 2 and messages[0].message_id != messages[1].message_id
    assert {m.successful_payment.telegram_payment_charge_id for m in messages} == {
        result.successful_payment["telegram_payment_charge_id"]}
