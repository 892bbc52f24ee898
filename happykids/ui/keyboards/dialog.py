"""Inline keyboards of the payment dialog."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from happykids.domain.catalog import CatalogKind, Option
from happykids.ui.callbacks import Nav, NavAction, Pick


def options_keyboard(step: CatalogKind, options: list[Option], back_label: str | None,
                     screen: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for option in options:
        kb.button(text=option.title, callback_data=Pick(step=step, id=option.id))
    kb.adjust(1)
    if back_label:
        kb.row()
        kb.button(text=back_label, callback_data=Nav(action=NavAction.BACK, step=screen))
    return kb.as_markup()


def confirm_keyboard(confirm: str, back: str, restart: str, screen: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=confirm, callback_data=Nav(action=NavAction.CONFIRM, step=screen))
    kb.button(text=back, callback_data=Nav(action=NavAction.BACK, step=screen))
    kb.button(text=restart, callback_data=Nav(action=NavAction.RESTART, step=screen))
    kb.adjust(1, 2)
    return kb.as_markup()


def link_keyboard(pay_label: str, url: str | None, change: str, back: str | None, screen: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if url:
        kb.button(text=pay_label, url=url)
    if back:
        kb.button(text=back, callback_data=Nav(action=NavAction.BACK, step=screen))
    kb.button(text=change, callback_data=Nav(action=NavAction.RESTART, step=screen))
    kb.adjust(1)
    return kb.as_markup()
