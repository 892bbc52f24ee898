"""Inline keyboards of the payment dialog.

Built as plain InlineKeyboardMarkup rows: aiogram's InlineKeyboardBuilder deep-copies the whole keyboard on
every button it adds, which was about a tenth of the bot's CPU per press (benchmarks/press_speed.py).
"""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.domain.catalog import CatalogKind, Option
from happykids.ui.callbacks import Nav, NavAction, Pick, TgPay


def _nav(text: str, action: NavAction, screen: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=Nav(action=action, step=screen).pack())


def options_keyboard(step: CatalogKind, options: list[Option], back_label: str | None,
                     screen: str) -> InlineKeyboardMarkup:
    """One option per row; «Назад» shares the last row (short labels, one less row on a phone)."""
    rows = [[InlineKeyboardButton(text=o.title, callback_data=Pick(step=step, id=o.id).pack())] for o in options]
    if back_label:
        back = _nav(back_label, NavAction.BACK, screen)
        if rows:
            rows[-1].append(back)
        else:
            rows.append([back])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_keyboard(confirm: str, back: str, restart: str, screen: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [_nav(confirm, NavAction.CONFIRM, screen)],
        [_nav(back, NavAction.BACK, screen), _nav(restart, NavAction.RESTART, screen)],
    ])


def link_keyboard(pay_label: str, url: str | None, change: str, back: str | None,
                  screen: str, invoice: tuple[str, TgPay] | None = None) -> InlineKeyboardMarkup:
    """`invoice`: the label and data of «💳 Оплатить в Telegram», under the link (the link stays the other way)."""
    rows = [[InlineKeyboardButton(text=pay_label, url=url)]] if url else []
    if invoice is not None:
        rows.append([InlineKeyboardButton(text=invoice[0], callback_data=invoice[1].pack())])
    if back:
        rows.append([_nav(back, NavAction.BACK, screen)])
    rows.append([_nav(change, NavAction.RESTART, screen)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
