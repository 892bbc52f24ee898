"""Inline keyboards of the «Платежи» and «Статистика» sections (the «Рассылка» ones are in broadcast.py)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from happykids.domain.reporting import Period
from happykids.ui.callbacks import AdminMenu, Fmt, PayAct, PaymentsAction, PaymentsExport, Section, StatsPeriod
from happykids.ui.keyboards.admin import keyboard, menu_button
from happykids.services.payments_export import Month
from happykids.texts.defaults import admin_ops as t


def payments_menu() -> InlineKeyboardMarkup:
    return keyboard(
        [(t.BTN_SEARCH, PaymentsAction(action=PayAct.SEARCH))],
        [(t.BTN_EXPORT, PaymentsAction(action=PayAct.EXPORT))],
        [menu_button()],
    )


def _payments_button() -> tuple[str, object]:
    return t.BTN_TO_PAYMENTS, AdminMenu(section=Section.PAYMENTS)


def search_results() -> InlineKeyboardMarkup:
    return keyboard([(t.BTN_SEARCH_AGAIN, PaymentsAction(action=PayAct.SEARCH))], [_payments_button()])


def payments_back() -> str:
    return _payments_button()[1].pack()


def export_menu(months: list[Month]) -> InlineKeyboardMarkup:
    rows = [[(t.BTN_ALL_XLSX, PaymentsExport(month="all", fmt=Fmt.XLSX)),
             (t.BTN_ALL_CSV, PaymentsExport(month="all", fmt=Fmt.CSV))]]
    for month in months:
        rows.append([(t.BTN_MONTH_XLSX.format(month=month.title.capitalize()),
                      PaymentsExport(month=month.key, fmt=Fmt.XLSX)),
                     (t.BTN_CSV, PaymentsExport(month=month.key, fmt=Fmt.CSV))])
    rows.append([_payments_button()])
    return keyboard(*rows)


def stats_menu(current: object | None = None) -> InlineKeyboardMarkup:
    def b(text: str, period: Period) -> tuple[str, StatsPeriod]:
        return ("• " + text + " •" if period == current else text), StatsPeriod(period=period)

    return keyboard([b(t.BTN_WEEK, Period.WEEK), b(t.BTN_MONTH, Period.MONTH), b(t.BTN_ALL_TIME, Period.ALL)],
                    [menu_button()])
