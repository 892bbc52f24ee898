"""Inline keyboards of the «Рассылка» section («Платежи» and «Статистика» are in payments.py and stats.py)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from happykids.domain.broadcasts import AudienceKind
from happykids.ui.callbacks import AdminMenu, BcAct, BroadcastAction, BroadcastAudience, BroadcastStop, Section
from happykids.ui.keyboards.admin import keyboard, label, menu_button
from happykids.services.payments_export import Month
from happykids.texts.defaults import admin_ops as t


def broadcast_menu() -> InlineKeyboardMarkup:
    return keyboard([(t.BTN_NEW_BROADCAST, BroadcastAction(action=BcAct.NEW))], [menu_button()])


def broadcast_back() -> str:
    return AdminMenu(section=Section.BROADCAST).pack()


def _to_broadcast() -> tuple[str, str]:
    return t.BTN_TO_BROADCAST, broadcast_back()


def audience_menu(draft: str, all_count: int, paid_month: Month, paid_count: int) -> InlineKeyboardMarkup:
    return keyboard(
        [(t.BTN_AUD_ALL.format(count=all_count), BroadcastAudience(draft=draft, kind=AudienceKind.ALL))],
        [(t.BTN_AUD_GROUP, BroadcastAction(action=BcAct.GROUPS, draft=draft))],
        [(t.BTN_AUD_PAID.format(month=paid_month.title_in, count=paid_count),
          BroadcastAudience(draft=draft, kind=AudienceKind.PAID))],
        [(t.BTN_CANCEL_BROADCAST, BroadcastAction(action=BcAct.CANCEL, draft=draft))],
    )


def groups_menu(draft: str, groups: list[tuple[int, str, int]]) -> InlineKeyboardMarkup:
    """`groups`: (id, title, parents)."""
    rows = [[(label(t.BTN_GROUP.format(title=title, count=count)),
              BroadcastAudience(draft=draft, kind=AudienceKind.GROUP, group_id=group_id))]
            for group_id, title, count in groups]
    rows.append([(t.BTN_OTHER_AUDIENCE, BroadcastAction(action=BcAct.AUDIENCE, draft=draft))])
    return keyboard(*rows)


def confirm_menu(draft: str, count: int) -> InlineKeyboardMarkup:
    send = [(t.BTN_SEND.format(count=count), BroadcastAction(action=BcAct.SEND, draft=draft))] if count else []
    return keyboard(
        send,
        [(t.BTN_OTHER_AUDIENCE, BroadcastAction(action=BcAct.AUDIENCE, draft=draft))],
        [(t.BTN_REWRITE, BroadcastAction(action=BcAct.NEW)),
         (t.BTN_CANCEL_BROADCAST, BroadcastAction(action=BcAct.CANCEL, draft=draft))],
    )


def back_to_broadcast() -> InlineKeyboardMarkup:
    return keyboard([_to_broadcast()])


def stop_menu(broadcast_id: int) -> InlineKeyboardMarkup:
    """Under the progress message while a broadcast is being sent (the final edit takes it off)."""
    return keyboard([(t.BTN_STOP_BROADCAST, BroadcastStop(broadcast_id=broadcast_id))])
