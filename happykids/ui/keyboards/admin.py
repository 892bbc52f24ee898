"""Inline keyboards of the director's panel. Labels come from texts/defaults/admin.py."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.ui.callbacks import AdminMenu, Section
from happykids.texts.defaults import admin as t

Button = tuple[str, CallbackData | str]
MAX_LABEL = 48  # longer labels get cut with "…": a phone shows about that much


def label(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def keyboard(*rows: Sequence[Button]) -> InlineKeyboardMarkup:
    """One row per argument; empty rows are skipped, so optional buttons can be passed as []."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data if isinstance(data, str) else data.pack())
         for text, data in row]
        for row in rows if row
    ])


def menu_button() -> Button:
    return t.BTN_MENU, AdminMenu(section=Section.MAIN)


def cancel_keyboard(back: str | None) -> InlineKeyboardMarkup:
    """«Отмена» returns to the screen the prompt came from (`back`: its packed callback data)."""
    if back is None:
        return keyboard([(t.BTN_CANCEL, menu_button()[1])])
    return keyboard([(t.BTN_CANCEL, back)])


def main_menu() -> InlineKeyboardMarkup:
    def b(text: str, section: Section) -> Button:
        return text, AdminMenu(section=section)

    return keyboard(
        [b(t.BTN_RECEIPTS, Section.RECEIPTS), b(t.BTN_PAYMENTS, Section.PAYMENTS)],
        [b(t.BTN_CATALOG, Section.CATALOG), b(t.BTN_LINKS, Section.LINKS)],
        [b(t.BTN_TEXTS, Section.TEXTS), b(t.BTN_CONTACTS, Section.CONTACTS)],
        [b(t.BTN_STATS, Section.STATS), b(t.BTN_BROADCAST, Section.BROADCAST)],
        [b(t.BTN_ADMINS, Section.ADMINS), b(t.BTN_AUDIT, Section.AUDIT)],
    )


def in_columns(buttons: list[Button], columns: int) -> list[list[Button]]:
    return [buttons[i:i + columns] for i in range(0, len(buttons), columns)]
