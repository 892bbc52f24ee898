"""A receipt's copies in admins' chats: send one, put it on record, put its buttons on, bring it to the decision.

Shared by the outbox tasks (the first copy to every admin, the decision on every copy) and /receipts. Each
function works in the session it is given and commits its own writes at once.

Two rules make a crash at any point harmless (tests/e2e/test_kill_9_everywhere.py kills the bot at each):
- A copy is sent WITHOUT buttons and gets them (`settle`) only once it is on record. A copy that a crash kept
  off the record (sent, not recorded) can therefore never be pressed and is never left with live buttons
  after the decision; the outbox sends the card again (MessageKind.CARD may be repeated: domain/outbox.py).
- An edit of a copy (buttons on, or the decision) is claimed first, so two editors never send the same edit
  (Telegram refuses it), and recorded only after Telegram made it. The claim names this process and
  expires: a claim of a process that died (only one runs at a time) is taken over at once, so the next start
  finishes the edit instead of trusting a claim nobody will complete. An edit repeated after a crash
  between making it and recording it gets "message is not modified", which means it is already there.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Receipt, ReceiptFile
from happykids.db.repositories import intents
from happykids.db.repositories import receipts as repo
from happykids.domain.outbox import IntentStatus, MessageKind
from happykids.domain.receipts import is_final
from happykids.services.crash_points import crash_point
from happykids.services.message_intents import surely_not_sent
from happykids.services.renewals import paid_until_of
from happykids.texts.service import Texts
from happykids.ui.receipt_cards import SentCopy, arm, send_copy, show_decision

log = logging.getLogger(__name__)

OWNER = uuid.uuid4().hex  # this process, as the owner of its claims
CLAIM_LEASE = timedelta(minutes=3)  # longer than any Bot API call may take; a backstop, dead owners go sooner


async def deliver_card(bot: Bot, session: AsyncSession, texts: Texts, chat_id: int, receipt: Receipt,
                       files: list[ReceiptFile]) -> None:
    """The outbox's copy for one review chat, at least once, with its intent on record around the send.

    THE ONE MESSAGE THAT MAY COME TWICE AFTER A CRASH: if the process died between sending this card and
    recording it, the card is sent again. The first one, if it went out, has no buttons (see the module's
    docstring) and only repeats what the second says; the admin loses nothing, whereas a card never sent
    would leave the receipt unseen. Parents' messages are never repeated (services/message_intents.py)."""
    intent = await intents.get(session, MessageKind.CARD, receipt.id, chat_id)
    if intent is not None and intent.status == IntentStatus.SENT and intent.message_id is not None:
        copy = await repo.copy_at(session, chat_id, intent.message_id)  # on record; the buttons may not be on
        if copy is not None and not copy.shows_decision and (not copy.armed or is_final(receipt.status)):
            await settle(bot, session, texts, receipt.id, copy.id, len(files))
        return
    if intent is None:
        if chat_id in await repo.chats_with_copy(session, receipt.id):
            return  # shown there already (by /receipts, or before intents were recorded)
        await intents.begin(session, MessageKind.CARD, receipt.id, chat_id)
    else:
        log.warning("Чек %s: карточка в чат %s могла уйти перед сбоем, отправляю её ещё раз (у прежней, если она "
                    "дошла, кнопок нет)", receipt.id, chat_id)
        await intents.again(session, intent.id)
    await session.commit()
    crash_point("card_intent")
    try:
        sent = await send_copy(bot, chat_id, receipt, files, texts)
    except BaseException as exc:
        if surely_not_sent(exc):
            await intents.withdraw(session, MessageKind.CARD, receipt.id, chat_id)
            await session.commit()
        raise
    crash_point("card_sent")
    await _record(session, chat_id, receipt, sent)
    await intents.sent(session, MessageKind.CARD, receipt.id, chat_id, sent.message_id)
    await session.commit()
    crash_point("card_recorded")
    await _settle_new(bot, session, texts, chat_id, receipt, sent, len(files))


async def show_copy(bot: Bot, session: AsyncSession, texts: Texts, chat_id: int, receipt: Receipt,
                    files: list[ReceiptFile]) -> SentCopy:
    """/receipts: send the receipt to `chat_id`, record the copy, then put its buttons on (or the decision,
    if it was decided meanwhile). Interactive, so no intent: an admin who misses one asks again."""
    sent = await send_copy(bot, chat_id, receipt, files, texts)
    await _record(session, chat_id, receipt, sent)
    await session.commit()
    await _settle_new(bot, session, texts, chat_id, receipt, sent, len(files))
    return sent


async def _record(session: AsyncSession, chat_id: int, receipt: Receipt, sent: SentCopy) -> None:
    final = is_final(receipt.status)  # sent showing the decision already: nothing left to edit
    repo.add_copy(session, receipt.id, chat_id, sent.message_id, sent.card_in, final, armed=final)


async def _settle_new(bot: Bot, session: AsyncSession, texts: Texts, chat_id: int, receipt: Receipt,
                      sent: SentCopy, pages: int) -> None:
    if is_final(receipt.status):
        return
    copy = await repo.copy_at(session, chat_id, sent.message_id)
    if copy is not None:
        await settle(bot, session, texts, receipt.id, copy.id, pages)


async def settle(bot: Bot, session: AsyncSession, texts: Texts, receipt_id: int, copy_id: int, pages: int) -> bool:
    """Bring a recorded copy to what it must show: its buttons while the receipt waits, the decision (and no
    buttons) once decided. False when another editor of this process holds it right now: that one finishes,
    a task may look again later."""
    now = utcnow()
    claimed = await repo.claim_copy(session, copy_id, OWNER, now, now - CLAIM_LEASE)
    await session.commit()
    copy = await repo.copy_by_id(session, copy_id)
    if copy is None or copy.shows_decision:
        return True
    if not claimed:
        return False
    receipt = await repo.get(session, receipt_id, fresh=True)
    final = receipt is None or is_final(receipt.status)
    try:
        if receipt is not None and not final and not copy.armed:
            await arm(bot, copy.chat_id, copy.message_id, receipt, texts)
            crash_point("card_armed")
        elif receipt is not None and final:
            crash_point("card_claimed")
            await show_decision(bot, copy.chat_id, copy.message_id, copy.card_in, receipt, pages, texts,
                                await paid_until_line(session, texts, receipt_id))
            crash_point("card_edited")
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        if "message is not modified" not in exc.message.lower():  # "not modified": it shows that already
            # Deleted by the admin, or the bot left that chat: nothing left to update there.
            log.warning("Чек %s: не удалось обновить карточку в чате %s (%s)", receipt_id, copy.chat_id, exc.message)
            final = True
    except BaseException:
        await repo.release_copy(session, copy.id)
        await session.commit()
        raise
    await repo.settle_copy(session, copy.id, armed=True, shows_decision=final)
    await session.commit()
    return True


async def paid_until_line(session: AsyncSession, texts: Texts, receipt_id: int) -> str:
    """Renewals: an approved receipt's card says until when it is paid and how to correct that."""
    until = await paid_until_of(session, receipt_id)
    if until is None:
        return ""
    return texts.fixed("renewals_panel.card_paid_until", until=f"{until:%d.%m.%Y}", receipt=receipt_id)
