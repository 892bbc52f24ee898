"""Inline keyboards of the director's panel: the building blocks every section uses, and the main menu.

Labels are the panel's fixed texts (`panel.btn_*`), read through `Texts.fixed`.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, RenewalsAdmin, RnAdm, Section

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


def menu_button(texts: Texts) -> Button:
    return texts.fixed("panel.btn_menu"), AdminMenu(section=Section.MAIN)


def cancel_keyboard(back: str | None, texts: Texts) -> InlineKeyboardMarkup:
    """«Отмена» returns to the screen the prompt came from (`back`: its packed callback data)."""
    cancel = texts.fixed("panel.btn_cancel")
    if back is None:
        return keyboard([(cancel, menu_button(texts)[1])])
    return keyboard([(cancel, back)])


def main_menu(texts: Texts) -> InlineKeyboardMarkup:
    def b(key: str, section: Section) -> Button:
        return texts.fixed(key), AdminMenu(section=section)

    return keyboard(
        [b("panel.btn_receipts", Section.RECEIPTS), b("panel.btn_payments", Section.PAYMENTS)],
        [b("panel.btn_catalog", Section.CATALOG), b("panel.btn_links", Section.LINKS)],
        [b("panel.btn_texts", Section.TEXTS), b("panel.btn_contacts", Section.CONTACTS)],
        [b("panel.btn_stats", Section.STATS), b("panel.btn_broadcast", Section.BROADCAST)],
        [b("panel.btn_admins", Section.ADMINS), b("panel.btn_audit", Section.AUDIT)],
        [b("projects.btn_panel", Section.PROJECTS), b("archive.btn_archive", Section.ARCHIVE)],
        [(texts.fixed("renewals_panel.btn_panel"), RenewalsAdmin(action=RnAdm.LIST))],
    )


def in_columns(buttons: list[Button], columns: int) -> list[list[Button]]:
    return [buttons[i:i + columns] for i in range(0, len(buttons), columns)]
