"""Inline keyboard of «Статистика»: the report periods, the chosen one marked."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from happykids.domain.reporting import Period
from happykids.texts.service import Texts
from happykids.ui.callbacks import StatsPeriod
from happykids.ui.keyboards.admin import keyboard, menu_button


def stats_menu(texts: Texts, current: Period | None = None) -> InlineKeyboardMarkup:
    def b(key: str, period: Period) -> tuple[str, StatsPeriod]:
        text = texts.fixed(key)
        return ("• " + text + " •" if period == current else text), StatsPeriod(period=period)

    return keyboard([b("panel_ops.btn_week", Period.WEEK), b("panel_ops.btn_month", Period.MONTH),
                     b("panel_ops.btn_all_time", Period.ALL)],
                    [menu_button(texts)])
