"""The director's review: approve / reject (with an optional reason) and /receipts.

Messages here pass IsAdmin on the router. Button presses are checked in each handler instead, so that
someone else's press (a forged callback) is answered politely rather than left spinning.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.ui.states import RejectReason
from happykids.ui.callbacks import ReceiptsPage, Review, ReviewAction
from happykids.handlers.filters import IsAdmin
from happykids.ui.callbacks import AdminMenu, Section
from happykids.ui.keyboards.receipts import reason_keyboard
from happykids.ui.receipt_cards import decided_popup
from happykids.config import Settings
from happykids.db.models import Receipt
from happykids.db.repositories.admins import is_admin
from happykids.domain.receipts import Decision, clean_reason, format_when, is_final
from happykids.workers.outbox import OutboxWorker
from happykids.workers.receipt_tasks import finish_if_decided
from happykids.services.review import Outcome, decide_receipt, send_pending_page
from happykids.texts.service import Texts

if TYPE_CHECKING:
    from happykids.app.wiring import App

router = Router(name="review")
router.message.filter(IsAdmin())

REASON_KEYS = ("reject_receipt", "reject_prompt")



@router.message(Command("receipts"))
async def cmd_receipts(message: Message, app: App) -> None:
    await send_pending_page(app, message.chat.id, page=1)


@router.callback_query(AdminMenu.filter(F.section == Section.RECEIPTS))
async def receipts_from_panel(callback: CallbackQuery, app: App, settings: Settings,
                              db: async_sessionmaker[AsyncSession], texts: Texts) -> None:
    """«Чеки» in the director's panel: the same list as /receipts."""
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    await callback.answer()
    await send_pending_page(app, _chat_id(callback), page=1)


@router.callback_query(ReceiptsPage.filter())
async def more_receipts(callback: CallbackQuery, callback_data: ReceiptsPage, bot: Bot, app: App, settings: Settings,
                        db: async_sessionmaker[AsyncSession], texts: Texts) -> None:
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    await callback.answer()
    if isinstance(callback.message, Message) and callback.message.reply_markup:
        with contextlib.suppress(TelegramBadRequest):  # a double tap: the first one took the button away
            await bot.edit_message_reply_markup(chat_id=callback.message.chat.id,
                                                message_id=callback.message.message_id, reply_markup=None)
    await send_pending_page(app, _chat_id(callback), page=callback_data.page)


@router.callback_query(Review.filter(F.action == ReviewAction.APPROVE))
async def approve(callback: CallbackQuery, callback_data: Review, app: App, settings: Settings,
                  db: async_sessionmaker[AsyncSession], texts: Texts, outbox: OutboxWorker | None = None) -> None:
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    outcome = await decide_receipt(db, callback_data.receipt_id, Decision.APPROVE, by_admin=True,
                                   admin_id=callback.from_user.id, admin_name=callback.from_user.full_name)
    if outcome.won:
        await callback.answer(await texts.plain("review.approved_popup", number=callback_data.receipt_id))
    else:
        await _answer_lost(callback, outcome, app, texts)
    _wake(outbox)


@router.callback_query(Review.filter(F.action == ReviewAction.REJECT))
async def reject(callback: CallbackQuery, callback_data: Review, state: FSMContext, bot: Bot, app: App,
                 settings: Settings, db: async_sessionmaker[AsyncSession], texts: Texts) -> None:
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    async with db() as session:
        receipt = await session.get(Receipt, callback_data.receipt_id)
    if receipt is None or is_final(receipt.status):
        return await _answer_lost(callback, Outcome(False, receipt), app, texts)
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
                                app: App, settings: Settings, db: async_sessionmaker[AsyncSession], texts: Texts,
                                outbox: OutboxWorker | None = None) -> None:
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    outcome = await decide_receipt(db, callback_data.receipt_id, Decision.REJECT, by_admin=True,
                                   admin_id=callback.from_user.id, admin_name=callback.from_user.full_name)
    await _leave_reason_state(state, callback_data.receipt_id)
    if outcome.won:
        await callback.answer()
        await _replace_prompt(bot, callback, await texts.get("review.rejected_done", number=callback_data.receipt_id))
    else:
        await _answer_lost(callback, outcome, app, texts)
        if outcome.receipt is not None:
            await _replace_prompt(bot, callback, await _late_text(texts, outcome.receipt))
    _wake(outbox)


@router.callback_query(Review.filter(F.action == ReviewAction.CANCEL))
async def cancel_reject(callback: CallbackQuery, callback_data: Review, state: FSMContext, bot: Bot,
                        settings: Settings, db: async_sessionmaker[AsyncSession], texts: Texts) -> None:
    if not await _admin(callback, settings, db):
        return await callback.answer(await texts.plain("review.not_admin"), show_alert=True)
    await _leave_reason_state(state, callback_data.receipt_id)
    await callback.answer()
    await _replace_prompt(bot, callback, await texts.get("review.reject_cancelled", number=callback_data.receipt_id))


@router.message(RejectReason.waiting, F.text, ~F.text.startswith("/"))
async def reason_given(message: Message, state: FSMContext, bot: Bot, db: async_sessionmaker[AsyncSession],
                       texts: Texts, outbox: OutboxWorker | None = None) -> None:
    data = await state.get_data()
    receipt_id = data.get("reject_receipt")
    await _retire_prompt(bot, state)
    await _leave_reason_state(state)
    if not isinstance(receipt_id, int):
        return
    outcome = await decide_receipt(db, receipt_id, Decision.REJECT, by_admin=True, admin_id=message.from_user.id,
                                   admin_name=message.from_user.full_name, reason=clean_reason(message.text))
    if outcome.won:
        await message.answer(await texts.get("review.rejected_done", number=receipt_id))
    elif outcome.receipt is not None:
        await message.answer(await _late_text(texts, outcome.receipt))
    _wake(outbox)


# --- helpers ------------------------------------------------------------------------------------------------

async def _admin(callback: CallbackQuery, settings: Settings, db: async_sessionmaker[AsyncSession]) -> bool:
    async with db() as session:
        return await is_admin(session, settings.admin_ids, callback.from_user.id)


def _chat_id(callback: CallbackQuery) -> int:
    return callback.message.chat.id if callback.message else callback.from_user.id


def _wake(outbox: OutboxWorker | None) -> None:
    if outbox is not None:
        outbox.wake()


async def _answer_lost(callback: CallbackQuery, outcome: Outcome, app: App, texts: Texts) -> None:
    """Somebody decided first (or the receipt is gone): say who, and make sure this copy shows it."""
    if outcome.receipt is None:
        await callback.answer(await texts.plain("review.not_found"), show_alert=True)
        return
    await callback.answer(await decided_popup(texts, outcome.receipt), show_alert=True)
    if callback.message is not None:
        await finish_if_decided(app, outcome.receipt.id, callback.message.chat.id, callback.message.message_id)


async def _late_text(texts: Texts, receipt: Receipt) -> str:
    word = await texts.plain("review.word_approved" if receipt.status == "approved" else "review.word_rejected")
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
