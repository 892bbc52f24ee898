"""The director's review: approve / reject (with an optional reason) and /receipts.

Messages here pass IsAdmin on the router. Button presses are checked in each handler instead, so that
someone else's press (a forged callback) is answered politely rather than left spinning. A decision and
its outbox tasks are committed together; then the outbox is woken to update the copies and tell the parent.
Every ✅/❌ press heals its card: a card not on record is put on record (the decision then edits it too), and
a press on a receipt decided already gets who decided and the decision on THAT card (services/review.py).
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.admins import is_admin
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.receipts import (
    CardRef,
    Decision,
    ReceiptStatus,
    clean_reason,
    format_when,
    is_final,
    paginate,
)
from happykids.handlers.filters import IsAdmin
from happykids.services.crash_points import crash_point
from happykids.services.review import Outcome, adopt_card, decide_receipt, heal_card
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, ReceiptsPage, Review, ReviewAction, Section
from happykids.ui.keyboards.receipts import more_keyboard, reason_keyboard
from happykids.ui.receipt_cards import CARD_IN_CAPTION, CARD_IN_TEXT, decided_popup
from happykids.ui.receipt_copies import show_copy
from happykids.ui.states import RejectReason
from happykids.workers.hub import Workers

router = Router(name="review")
router.message.filter(IsAdmin())

REASON_KEYS = ("reject_receipt", "reject_prompt")
PAGE_SIZE = 5


@router.message(Command("receipts"))
async def cmd_receipts(message: Message, bot: Bot, session: AsyncSession, texts: Texts) -> None:
    await send_pending_page(bot, session, texts, message.chat.id, page=1)


@router.callback_query(AdminMenu.filter(F.section == Section.RECEIPTS))
async def receipts_from_panel(callback: CallbackQuery, bot: Bot, settings: Settings, session: AsyncSession,
                              texts: Texts) -> None:
    """«Чеки» in the director's panel: the same list as /receipts."""
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    await callback.answer()
    await send_pending_page(bot, session, texts, _chat_id(callback), page=1)


@router.callback_query(ReceiptsPage.filter())
async def more_receipts(callback: CallbackQuery, callback_data: ReceiptsPage, bot: Bot, settings: Settings,
                        session: AsyncSession, texts: Texts) -> None:
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message) and callback.message.reply_markup:
        with contextlib.suppress(TelegramBadRequest):  # a double tap: the first one took the button away
            await bot.edit_message_reply_markup(chat_id=callback.message.chat.id,
                                                message_id=callback.message.message_id, reply_markup=None)
    await send_pending_page(bot, session, texts, _chat_id(callback), page=callback_data.page)


async def send_pending_page(bot: Bot, session: AsyncSession, texts: Texts, chat_id: int, page: int) -> None:
    """/receipts: pending receipts, newest first, each with its buttons; a "more" button when there are more."""
    total = await repo.pending_count(session)
    current = paginate(total, page, PAGE_SIZE)
    receipts = await repo.pending_page(session, current.offset, current.limit)
    if not receipts:
        await bot.send_message(chat_id, await texts.get("review.list_empty"))
        return
    for receipt in receipts:
        files = await repo.files_of(session, receipt.id)
        await show_copy(bot, session, texts, chat_id, receipt, files)
    more = (more_keyboard(current.number + 1, await texts.plain("btn.review_more"))
            if current.number < current.pages else None)
    footer = await texts.get("review.list_footer", count=total, first=current.offset + 1,
                             last=current.offset + len(receipts))
    await bot.send_message(chat_id, footer, reply_markup=more)


@router.callback_query(Review.filter(F.action == ReviewAction.APPROVE))
async def approve(callback: CallbackQuery, callback_data: Review, bot: Bot, settings: Settings,
                  session: AsyncSession, texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    card = _pressed_card(callback, callback_data.receipt_id)
    outcome = await decide_receipt(session, callback_data.receipt_id, Decision.APPROVE, by_admin=True,
                                   admin_id=callback.from_user.id, admin_name=callback.from_user.full_name, card=card)
    await uow.commit()
    crash_point("decision_commit")
    if outcome.won:
        await callback.answer(await texts.plain("review.approved_popup", number=callback_data.receipt_id))
    else:
        await _answer_lost(callback, outcome, texts, session, uow, card)
    workers.outbox.wake()


@router.callback_query(Review.filter(F.action == ReviewAction.REJECT))
async def reject(callback: CallbackQuery, callback_data: Review, state: FSMContext, bot: Bot, settings: Settings,
                 session: AsyncSession, texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    card = _pressed_card(callback, callback_data.receipt_id)
    receipt = await repo.get(session, callback_data.receipt_id)
    if receipt is None or is_final(receipt.status):
        await _answer_lost(callback, Outcome(False, receipt), texts, session, uow, card)
        workers.outbox.wake()
        return
    await adopt_card(session, receipt.id, card)  # the decision that follows edits this card too
    await callback.answer()
    await _retire_prompt(bot, state)
    prompt = await bot.send_message(
        _chat_id(callback), await texts.get("review.ask_reason", number=receipt.id),
        reply_markup=reason_keyboard(receipt.id, await texts.plain("btn.review_no_reason"),
                                     await texts.plain("btn.review_cancel")),
    )
    await state.set_state(RejectReason.waiting)
    await state.update_data(reject_receipt=receipt.id, reject_prompt=prompt.message_id)


@router.callback_query(Review.filter(F.action == ReviewAction.NO_REASON))
async def reject_without_reason(callback: CallbackQuery, callback_data: Review, state: FSMContext, bot: Bot,
                                settings: Settings, session: AsyncSession, texts: Texts, workers: Workers,
                                uow: UnitOfWork) -> None:
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    outcome = await decide_receipt(session, callback_data.receipt_id, Decision.REJECT, by_admin=True,
                                   admin_id=callback.from_user.id, admin_name=callback.from_user.full_name)
    await uow.commit()
    await _leave_reason_state(state, callback_data.receipt_id)
    if outcome.won:
        await callback.answer()
        await _replace_prompt(bot, callback, await texts.get("review.rejected_done", number=callback_data.receipt_id))
    else:
        await _answer_lost(callback, outcome, texts, session, uow, card=None)  # pressed on the "why?" prompt
        if outcome.receipt is not None:
            await _replace_prompt(bot, callback, await _late_text(texts, outcome.receipt))
    workers.outbox.wake()


@router.callback_query(Review.filter(F.action == ReviewAction.CANCEL))
async def cancel_reject(callback: CallbackQuery, callback_data: Review, state: FSMContext, bot: Bot,
                        settings: Settings, session: AsyncSession, texts: Texts) -> None:
    if not await _admin(callback, settings, session):
        await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
        return
    await _leave_reason_state(state, callback_data.receipt_id)
    await callback.answer()
    await _replace_prompt(bot, callback, await texts.get("review.reject_cancelled", number=callback_data.receipt_id))


@router.message(RejectReason.waiting, F.text, ~F.text.startswith("/"))
async def reason_given(message: Message, state: FSMContext, bot: Bot, session: AsyncSession, texts: Texts,
                       workers: Workers, uow: UnitOfWork) -> None:
    data = await state.get_data()
    receipt_id = data.get("reject_receipt")
    await _retire_prompt(bot, state)
    await _leave_reason_state(state)
    if not isinstance(receipt_id, int) or message.from_user is None:
        return
    outcome = await decide_receipt(session, receipt_id, Decision.REJECT, by_admin=True,
                                   admin_id=message.from_user.id, admin_name=message.from_user.full_name,
                                   reason=clean_reason(message.text))
    await uow.commit()
    if outcome.won:
        await message.answer(await texts.get("review.rejected_done", number=receipt_id))
    elif outcome.receipt is not None:
        await message.answer(await _late_text(texts, outcome.receipt))
    workers.outbox.wake()


# --- helpers ------------------------------------------------------------------------------------------------

async def _admin(callback: CallbackQuery, settings: Settings, session: AsyncSession) -> bool:
    return await is_admin(session, settings.admin_ids, callback.from_user.id)


def _chat_id(callback: CallbackQuery) -> int:
    return callback.message.chat.id if callback.message else callback.from_user.id


def _pressed_card(callback: CallbackQuery, receipt_id: int) -> CardRef | None:
    """The card the ✅/❌ was pressed on: a message that really carries this receipt's buttons (None when
    Telegram no longer shows us the message, or for forged data on some other message)."""
    message = callback.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    carries = False
    for button in (b for row in message.reply_markup.inline_keyboard for b in row):
        with contextlib.suppress(TypeError, ValueError):
            carries = carries or Review.unpack(button.callback_data or "").receipt_id == receipt_id
    if not carries:
        return None
    card_in = CARD_IN_CAPTION if (message.photo or message.document) else CARD_IN_TEXT
    return CardRef(message.chat.id, message.message_id, card_in)


async def _answer_lost(callback: CallbackQuery, outcome: Outcome, texts: Texts, session: AsyncSession,
                       uow: UnitOfWork, card: CardRef | None) -> None:
    """Somebody decided first (or the receipt is gone): say who, and make sure the card pressed shows it
    (the caller wakes the outbox, which edits it)."""
    if outcome.receipt is None:
        await callback.answer(await texts.plain("review.not_found"), show_alert=True)
        return
    if await heal_card(session, outcome.receipt, card):
        await uow.commit()
    await callback.answer(await decided_popup(texts, outcome.receipt), show_alert=True)


async def _late_text(texts: Texts, receipt: Receipt) -> str:
    approved = receipt.status == ReceiptStatus.APPROVED
    word = await texts.plain("review.word_approved" if approved else "review.word_rejected")
    return await texts.get("review.late_reason", number=receipt.id, status=word, admin=receipt.decided_by_name or "",
                           when=format_when(receipt.decided_at) if receipt.decided_at else "")


async def _leave_reason_state(state: FSMContext, receipt_id: int | None = None) -> None:
    """Forget the pending "why?" (only if it is about this receipt, when one is given)."""
    data = await state.get_data()
    if await state.get_state() != RejectReason.waiting.state:
        return
    if receipt_id is not None and data.get("reject_receipt") != receipt_id:
        return
    await state.set_state(None)
    await state.set_data({k: v for k, v in data.items() if k not in REASON_KEYS})


async def _retire_prompt(bot: Bot, state: FSMContext) -> None:
    """Take the buttons off an earlier "why?" that is still waiting (a second ❌ replaces it)."""
    if await state.get_state() != RejectReason.waiting.state:
        return
    data = await state.get_data()
    prompt_id = data.get("reject_prompt")
    if isinstance(prompt_id, int) and state.key.chat_id:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=state.key.chat_id, message_id=prompt_id, reply_markup=None)


async def _replace_prompt(bot: Bot, callback: CallbackQuery, text: str) -> None:
    if isinstance(callback.message, Message):
        await bot.edit_message_text(chat_id=callback.message.chat.id, message_id=callback.message.message_id,
                                    text=text, reply_markup=None)
