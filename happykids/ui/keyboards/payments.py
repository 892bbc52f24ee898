"""Inline keyboards of «Платежи»: search a parent, export payments by month as Excel or CSV."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from happykids.services.payments_export import Month
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, Fmt, PayAct, PaymentsAction, PaymentsExport, Section
from happykids.ui.keyboards.admin import Button, keyboard, menu_button


def payments_menu(texts: Texts) -> InlineKeyboardMarkup:
    return keyboard(
        [(texts.fixed("panel_ops.btn_search"), PaymentsAction(action=PayAct.SEARCH))],
        [(texts.fixed("panel_ops.btn_export"), PaymentsAction(action=PayAct.EXPORT))],
        [menu_button(texts)],
    )


def _payments_button(texts: Texts) -> Button:
    return texts.fixed("panel_ops.btn_to_payments"), AdminMenu(section=Section.PAYMENTS)


def search_results(texts: Texts) -> InlineKeyboardMarkup:
    return keyboard([(texts.fixed("panel_ops.btn_search_again"), PaymentsAction(action=PayAct.SEARCH))],
                    [_payments_button(texts)])


def export_menu(texts: Texts, months: list[Month]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [[(texts.fixed("panel_ops.btn_all_xlsx"), PaymentsExport(month="all", fmt=Fmt.XLSX)),
                                 (texts.fixed("panel_ops.btn_all_csv"), PaymentsExport(month="all", fmt=Fmt.CSV))]]
    for month in months:
        rows.append([(texts.fixed("panel_ops.btn_month_xlsx", month=month.title.capitalize()),
                      PaymentsExport(month=month.key, fmt=Fmt.XLSX)),
                     (texts.fixed("panel_ops.btn_csv"), PaymentsExport(month=month.key, fmt=Fmt.CSV))])
    rows.append([_payments_button(texts)])
    return keyboard(*rows)
