"""Journal section: every change made from the panel (who, what, when, old -> new), newest first."""

from __future__ import annotations

from datetime import tzinfo
from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.callbacks import AdminMenu, AuditPage, Section
from happykids.ui.view import show
from happykids.ui.keyboards.admin import Button, keyboard, menu_button
from happykids.config import Settings
from happykids.db.models import AuditEntry
from happykids.db.repositories.audit import count_entries, entries_page
from happykids.services.payments_export import agency_tz, to_local
from happykids.texts.defaults import admin as t
from happykids.texts.service import Markup, fill

router = Router(name="admin.audit")

PAGE_SIZE = 8
MAX_VALUE = 120  # long values (whole texts) are cut: the journal says what changed, not the full text


def _value(value: str | None) -> str:
    text = " ".join((value or "").split())
    return escape(text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…", quote=False)


def format_entry(entry: AuditEntry, tz: tzinfo) -> str:
    who = escape(entry.actor_name or f"id {entry.actor_id}", quote=False)
    action = escape(t.AUDIT_ACTIONS.get(entry.action, entry.action), quote=False)
    line = f"<b>{to_local(entry.at, tz):%d.%m.%Y %H:%M}</b> — {who}\n{action}"
    if entry.target:
        line += f": {escape(entry.target, quote=False)}"
    if entry.old_value is not None and entry.new_value is not None:
        line += f"\n<i>{_value(entry.old_value)}</i> → {_value(entry.new_value)}"
    elif entry.new_value is not None:
        line += f"\n{_value(entry.new_value)}"
    elif entry.old_value is not None:
        line += f"\nбыло: <i>{_value(entry.old_value)}</i>"
    return line


async def audit_screen(callback: CallbackQuery, session: AsyncSession, settings: Settings, page: int) -> None:
    total = await count_entries(session)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    entries = await entries_page(session, page * PAGE_SIZE, PAGE_SIZE)
    if not entries:
        return await show(callback, t.AUDIT_EMPTY, keyboard([menu_button()]))
    tz = agency_tz(settings)  # the same local time as the rest of the panel
    body = "\n\n".join(format_entry(e, tz) for e in entries)
    if pages > 1:
        body += f"\n\nСтраница {page + 1} из {pages}"
    nav: list[Button] = []
    if page > 0:
        nav.append((t.BTN_NEWER, AuditPage(page=page - 1)))
    if page < pages - 1:
        nav.append((t.BTN_OLDER, AuditPage(page=page + 1)))
    await show(callback, fill(t.AUDIT, {"entries": Markup(body)}), keyboard(nav, [menu_button()]))


@router.callback_query(AdminMenu.filter(F.section == Section.AUDIT))
async def open_audit(callback: CallbackQuery, session: AsyncSession, settings: Settings) -> None:
    await callback.answer()
    await audit_screen(callback, session, settings, 0)


@router.callback_query(AuditPage.filter())
async def open_page(callback: CallbackQuery, callback_data: AuditPage, session: AsyncSession,
                    settings: Settings) -> None:
    await callback.answer()
    await audit_screen(callback, session, settings, callback_data.page)
