"""Send a message to a parent at most once, across crashes: its intent is committed before the Bot API call.

`tell_once` commits "about to send" (message_intents), sends, and records the result in the caller's
transaction. When it finds the intent already on record it sends nothing: `sent` means done; `sending`
means an earlier attempt died (kill -9, power cut) or lost its answer (a timeout) between the call and the
result, so the message may have gone out, and a parent message is never repeated (domain/outbox.py,
may_repeat, says why that is the lesser evil). Only when Telegram itself refused the message, or the
connection never opened, is nothing sent for sure: the intent is withdrawn and the caller's retry sends it.
Admin cards use the same records but may be repeated (ui/receipt_copies.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

import aiohttp
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import intents
from happykids.domain.outbox import IntentStatus, MessageKind, may_repeat
from happykids.services.crash_points import crash_point

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    SENT = "sent"  # sent now; the result is staged in the caller's transaction (the caller commits)
    ALREADY = "already"  # sent before, on record
    UNCERTAIN = "uncertain"  # an earlier attempt may have sent it: not sent again


def surely_not_sent(exc: BaseException) -> bool:
    """Telegram answered with an error (it sent nothing), or no connection was ever made. Anything else
    (a timeout, a connection dropped mid-request, a cancellation) may have left the request with Telegram."""
    if isinstance(exc, TelegramNetworkError):
        return isinstance(exc.__cause__, aiohttp.ClientConnectorError)
    return isinstance(exc, TelegramAPIError)


async def tell_once(session: AsyncSession, commit: Callable[[], Awaitable[None]], kind: MessageKind,
                    receipt_id: int, chat_id: int, send: Callable[[], Awaitable[Message]]) -> Delivery:
    """Send a message that must never reach the parent twice (RECEIVED, DECISION).

    `commit` commits the session (a handler passes its unit of work's). Raises what `send` raised; the
    intent is withdrawn first when nothing was sent for sure (e.g. the parent blocked the bot)."""
    if may_repeat(kind):
        raise ValueError(f"{kind} may be repeated: it does not go through tell_once")
    if not await intents.begin(session, kind, receipt_id, chat_id):
        intent = await intents.get(session, kind, receipt_id, chat_id)
        if intent is not None and intent.status == IntentStatus.SENDING:
            log.warning("Чек %s: сообщение %s для %s могло уйти перед сбоем или тайм-аутом, повторно не отправляю "
                        "(родитель не должен получить его дважды)", receipt_id, kind.value, chat_id)
            return Delivery.UNCERTAIN
        return Delivery.ALREADY
    await commit()
    crash_point(f"{kind.value}_intent")
    try:
        message = await send()
    except BaseException as exc:
        if surely_not_sent(exc):
            await intents.withdraw(session, kind, receipt_id, chat_id)
            await commit()
        raise
    crash_point(f"{kind.value}_sent")
    await intents.sent(session, kind, receipt_id, chat_id, message.message_id)
    return Delivery.SENT
