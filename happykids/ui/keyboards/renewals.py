"""Inline keyboards of renewals: under a reminder («Продлить», «Мы больше не занимаемся») and the director's
«Заканчивается оплата» section."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.ui.callbacks import AdminMenu, Renew, RenewAct, RenewalsAdmin, RnAdm, Section
from happykids.ui.keyboards.projects import button, rows


def reminder_keyboard(paid_id: int, renew: str, stop: str) -> InlineKeyboardMarkup:
    return rows([button(renew, Renew(action=RenewAct.RENEW, paid_id=paid_id))],
                [button(stop, Renew(action=RenewAct.STOP, paid_id=paid_id))])


def panel_keyboard(people: list[tuple[int, str]], remind_all: str, settings: str, back: str) -> InlineKeyboardMarkup:
    """One 🔔 per family (paid period id, label), then «всем», the settings and the way back to the menu."""
    lines: list[list[InlineKeyboardButton]] = [
        [button(label, RenewalsAdmin(action=RnAdm.REMIND_ONE, item=paid_id))] for paid_id, label in people]
    if people:
        lines.append([button(remind_all, RenewalsAdmin(action=RnAdm.REMIND_ALL))])
    lines.append([button(settings, RenewalsAdmin(action=RnAdm.SETTINGS))])
    lines.append([button(back, AdminMenu(section=Section.MAIN))])
    return rows(*lines)


def settings_keyboard(days: list[tuple[int, str]], followup: str, hours: list[tuple[int, str]],
                      back: str) -> InlineKeyboardMarkup:
    return rows([button(label, RenewalsAdmin(action=RnAdm.DAYS, item=value)) for value, label in days],
                [button(followup, RenewalsAdmin(action=RnAdm.FOLLOWUP))],
                [button(label, RenewalsAdmin(action=RnAdm.HOURS, item=value)) for value, label in hours],
                [button(back, RenewalsAdmin(action=RnAdm.LIST))])
