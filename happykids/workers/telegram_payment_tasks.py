"""The outbox task of a payment made inside Telegram: a notice card to every admin, with no buttons, because the
payment approved itself (services/telegram_payments.py records it in the same transaction as the payment).

Each admin gets it at most once, across crashes (services/message_intents.py, kind PAID_NOTICE): a kill between
sending and recording means it is not sent again, and the payment still shows in the panel and the export. An admin
who blocked the bot, or a chat the bot cannot write to, is skipped with a warning, like the receipt cards.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.admins import all_admin_ids
from happykids.domain.outbox import MessageKind
from happykids.domain.receipts import format_amount, format_when, shorten
from happykids.domain.telegram_payments import PaymentTask
from happykids.services.message_intents import tell_once
from happykids.texts.service import Markup, Texts
from happykids.workers.outbox import Executor
from happykids.workers.receipt_tasks import ReceiptTaskDeps

log = logging.getLogger(__name__)


async def notice_text(texts: Texts, receipt: Receipt) -> str:
    if receipt.group_title:
        choice = await texts.markup("review.choice", group=shorten(receipt.group_title, 100),
                                    period=shorten(receipt.period_title or "", 100),
                                    children=shorten(receipt.children_title or "", 100),
                                    amount=format_amount(receipt.amount) or "")
    else:
        choice = Markup("")
    return await texts.get(
        "tgpay.admin_notice", number=receipt.id, parent=shorten(receipt.parent_name or "", 64),
        username=f" @{receipt.username}" if receipt.username else "", user_id=receipt.user_id, choice=choice,
        paid=format_when(receipt.created_at), telegram_charge=receipt.telegram_charge_id or "—",
        provider_charge=receipt.provider_charge_id or "—",
    )


async def notify_admins(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    receipt_id = int(payload["receipt_id"])
    async with deps.sessions() as session:
        receipt = await repo.get(session, receipt_id)
        chats = await all_admin_ids(session, deps.settings.admin_ids)
    if receipt is None:
        log.warning("Очередь задач: оплаты %s больше нет, уведомлять не о чем", receipt_id)
        return
    if deps.settings.receipts_chat_id is not None and deps.settings.receipts_chat_id not in chats:
        chats.append(deps.settings.receipts_chat_id)
    text = await notice_text(deps.texts, receipt)
    for chat_id in chats:
        async with deps.sessions() as session:
            try:
                await tell_once(session, session.commit, MessageKind.PAID_NOTICE, receipt.id, chat_id,
                                partial(deps.bot.send_message, chat_id, text))
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                log.warning("Оплата %s: не удалось уведомить чат %s (%s)", receipt.id, chat_id, exc.message)
            await session.commit()


EXECUTORS: dict[str, Executor[ReceiptTaskDeps]] = {PaymentTask.NOTIFY_ADMINS: notify_admins}
