"""Paying inside Telegram (issue #13): «💳 Оплатить в Telegram» sends the invoice, the pre-checkout query is
answered at once, and `successful_payment` records the payment, approved without the director.

The pre-checkout query has no chat and no message: nothing here touches the dialog's screen, and the unit of work
(handlers/middlewares.py) keys everything on the user. Its answer is computed from the cached catalog alone, so it
goes out within milliseconds of Telegram's 10-second limit. `successful_payment` is a message in the private chat,
so this router stands before the receipt intake and the dialog's mistake handling (handlers/routers.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain import clock
from happykids.domain.catalog import Choice
from happykids.domain.telegram_payments import payable_link
from happykids.services.caches import CatalogCache
from happykids.services.crash_points import crash_point
from happykids.services.receipt_intake import Sender
from happykids.services.telegram_payments import (
    Charge,
    invoice_for,
    paid_after,
    record_payment,
    refusal,
    refusal_text,
)
from happykids.texts.service import Texts
from happykids.ui.callbacks import TgPay
from happykids.workers.hub import Workers

log = logging.getLogger(__name__)
router = Router(name="telegram_payments")


@router.callback_query(TgPay.filter(), F.message.chat.type == "private")
async def on_pay_in_telegram(callback: CallbackQuery, callback_data: TgPay, session: AsyncSession, texts: Texts,
                             bot: Bot, settings: Settings, catalog_cache: CatalogCache) -> None:
    catalog = await catalog_cache.get(session)
    group = catalog.find(catalog.groups, callback_data.group)
    period = catalog.find(catalog.periods, callback_data.period)
    children = catalog.find(catalog.children, callback_data.children)
    choice = Choice(group, period, children) if group and period and children else None
    link = payable_link(catalog, choice) if choice else None
    if choice is None or link is None or not settings.telegram_payments:
        await callback.answer(await texts.plain("tgpay.unavailable"), show_alert=True)
        return
    paid = await paid_after(session, callback.from_user.id, choice, _shown_at(callback))
    if paid is not None:
        when = clock.to_local(paid).strftime("%d.%m в %H:%M")
        await callback.answer(await texts.plain("tgpay.already_paid", when=when), show_alert=True)
        return
    await callback.answer()
    invoice = await invoice_for(texts, settings, choice, link)
    await bot.send_invoice(
        chat_id=callback.from_user.id, title=invoice.title, description=invoice.description,
        payload=invoice.payload, provider_token=invoice.provider_token, currency=invoice.currency,
        prices=[LabeledPrice(label=invoice.label, amount=invoice.amount)],
        need_email=invoice.need_email or None, send_email_to_provider=invoice.need_email or None,
        need_phone_number=invoice.need_phone_number or None,
        send_phone_number_to_provider=invoice.need_phone_number or None, provider_data=invoice.provider_data,
    )


def _shown_at(callback: CallbackQuery) -> datetime:
    """When the pressed screen was last shown (sent or edited), as naive UTC like the database's times."""
    message = callback.message
    if not isinstance(message, Message):  # too old for Telegram to include: older than any payment that matters
        return datetime.min
    moment = message.edit_date or message.date
    if isinstance(moment, int):  # aiogram's type admits a raw timestamp too
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).replace(tzinfo=None)


@router.pre_checkout_query()
async def on_pre_checkout(query: PreCheckoutQuery, session: AsyncSession, texts: Texts, settings: Settings,
                          catalog_cache: CatalogCache) -> None:
    reason = refusal(settings, await catalog_cache.get(session), query.invoice_payload, query.currency,
                     query.total_amount)
    if reason is None:
        await query.answer(ok=True)
        return
    log.info("Pre-checkout %s of user %s refused: %s (payload %s)", query.id, query.from_user.id, reason,
             query.invoice_payload)
    await query.answer(ok=False, error_message=await refusal_text(texts, reason))


@router.message(F.successful_payment, F.chat.type == "private")
async def on_successful_payment(message: Message, session: AsyncSession, uow: UnitOfWork, texts: Texts,
                                workers: Workers, catalog_cache: CatalogCache) -> None:
    paid = message.successful_payment
    user = message.from_user
    if paid is None or user is None:
        return
    charge = Charge(telegram_charge_id=paid.telegram_payment_charge_id,
                    provider_charge_id=paid.provider_payment_charge_id, payload=paid.invoice_payload,
                    currency=paid.currency, total_amount=paid.total_amount)
    sender = Sender(user.id, user.full_name, user.username)
    receipt = await record_payment(session, charge, sender, await catalog_cache.get(session),
                                   await texts.plain("tgpay.decided_by"))
    if receipt is None:
        log.info("Charge %s is on record already; the repeated update changes nothing", charge.telegram_charge_id)
        return
    # The payment, its approval and the messages about it are committed together; the outbox sends them.
    await uow.commit()
    crash_point("tgpay_commit")
    log.info("Telegram payment %s recorded as receipt %s and approved", charge.telegram_charge_id, receipt.id)
    workers.outbox.wake()
