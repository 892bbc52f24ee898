"""Inline keyboards of the receipt review."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from happykids.ui.callbacks import ReceiptsPage, Review, ReviewAction


def review_keyboard(receipt_id: int, approve: str, reject: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=approve, callback_data=Review(action=ReviewAction.APPROVE, receipt_id=receipt_id))
    kb.button(text=reject, callback_data=Review(action=ReviewAction.REJECT, receipt_id=receipt_id))
    kb.adjust(2)
    return kb.as_markup()


def reason_keyboard(receipt_id: int, no_reason: str, cancel: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=no_reason, callback_data=Review(action=ReviewAction.NO_REASON, receipt_id=receipt_id))
    kb.button(text=cancel, callback_data=Review(action=ReviewAction.CANCEL, receipt_id=receipt_id))
    kb.adjust(2)
    return kb.as_markup()


def more_keyboard(page: int, label: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=label, callback_data=ReceiptsPage(page=page))
    return kb.as_markup()
