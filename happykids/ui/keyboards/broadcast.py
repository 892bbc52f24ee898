"""Inline keyboards of the panel's «Рассылка»: compose, choose the recipients, confirm, stop while sending.

Labels are the panel's TextDefs (texts/defaults/admin_ops.py), read with `texts.fixed`.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from happykids.domain.broadcasts import AudienceKind
from happykids.services.payments_export import Month
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, BcAct, BroadcastAction, BroadcastAudience, BroadcastStop, Section
from happykids.ui.keyboards.admin import Button, keyboard, label, menu_button


def broadcast_menu(texts: Texts) -> InlineKeyboardMarkup:
    return keyboard([(texts.fixed("panel_ops.btn_new_broadcast"), BroadcastAction(action=BcAct.NEW))],
                    [menu_button(texts)])


def broadcast_back() -> str:
    return AdminMenu(section=Section.BROADCAST).pack()


def audience_menu(texts: Texts, draft: str, all_count: int, paid_month: Month, paid_count: int,
                  ) -> InlineKeyboardMarkup:
    return keyboard(
        [(texts.fixed("panel_ops.btn_aud_all", count=all_count),
          BroadcastAudience(draft=draft, kind=AudienceKind.ALL))],
        [(texts.fixed("panel_ops.btn_aud_group"), BroadcastAction(action=BcAct.GROUPS, draft=draft))],
        [(texts.fixed("panel_ops.btn_aud_paid", month=paid_month.title_in, count=paid_count),
          BroadcastAudience(draft=draft, kind=AudienceKind.PAID))],
        [(texts.fixed("panel_ops.btn_cancel_broadcast"), BroadcastAction(action=BcAct.CANCEL, draft=draft))],
    )


def groups_menu(texts: Texts, draft: str, groups: list[tuple[int, str, int]]) -> InlineKeyboardMarkup:
    """`groups`: (id, title, parents)."""
    rows: list[list[Button]] = [
        [(label(texts.fixed("panel_ops.btn_group", title=title, count=count)),
          BroadcastAudience(draft=draft, kind=AudienceKind.GROUP, group_id=group_id))]
        for group_id, title, count in groups
    ]
    rows.append([(texts.fixed("panel_ops.btn_other_audience"), BroadcastAction(action=BcAct.AUDIENCE, draft=draft))])
    return keyboard(*rows)


def confirm_menu(texts: Texts, draft: str, count: int) -> InlineKeyboardMarkup:
    send: list[Button] = ([(texts.fixed("panel_ops.btn_send", count=count),
                            BroadcastAction(action=BcAct.SEND, draft=draft))] if count else [])
    return keyboard(
        send,
        [(texts.fixed("panel_ops.btn_other_audience"), BroadcastAction(action=BcAct.AUDIENCE, draft=draft))],
        [(texts.fixed("panel_ops.btn_rewrite"), BroadcastAction(action=BcAct.NEW)),
         (texts.fixed("panel_ops.btn_cancel_broadcast"), BroadcastAction(action=BcAct.CANCEL, draft=draft))],
    )


def back_to_broadcast(texts: Texts) -> InlineKeyboardMarkup:
    return keyboard([(texts.fixed("panel_ops.btn_to_broadcast"), broadcast_back())])


def stop_menu(texts: Texts, broadcast_id: int) -> InlineKeyboardMarkup:
    """Under the progress message while a broadcast is being sent (the final edit takes it off)."""
    return keyboard([(texts.fixed("panel_ops.btn_stop_broadcast"), BroadcastStop(broadcast_id=broadcast_id))])
