"""Journal section: every change made from the panel (who, what, when, old -> new), newest first.

It names things the way the director knows them: a text by its title («Вопрос о группе», not
`dialog.choose_group`), its versions without tags, a broadcast's recipients in words (not `group:kids`);
entries written before it did so are shown the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape, unescape

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.models import AuditEntry
from happykids.db.repositories.audit import count_entries, entries_page
from happykids.domain.wording import quoted
from happykids.services.broadcast import Audience, audience_title
from happykids.services.payments_export import agency_tz, to_local
from happykids.texts.defaults import DEFAULTS
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import AdminMenu, AuditPage, Section
from happykids.ui.keyboards.admin import Button, keyboard, menu_button
from happykids.ui.texts_editor import plain_text
from happykids.ui.view import show

router = Router(name="admin.audit")

PAGE_SIZE = 8
MAX_VALUE = 120  # long values (whole texts) are cut: the journal says what changed, not the full text


def _value(value: str | None) -> str:
    text = " ".join((value or "").split())
    return escape(text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…", quote=False)


def action_title(texts: Texts, action: str) -> str:
    """«добавил(а)» for "catalog.add"; an action this version does not know is shown as recorded."""
    try:
        return texts.fixed(f"panel.audit_actions.{action}")
    except KeyError:
        return action


_TEXT_KEY = re.compile(r"^(.*) \(([a-z_]+(?:\.[a-z0-9_]+)+)\)$")  # "Вопрос о группе (dialog.choose_group)"


@dataclass(frozen=True)
class Shown:
    """An audit entry as the journal shows it."""

    actor_id: int | None
    actor_name: str
    action: str
    target: str
    old_value: str | None
    new_value: str | None
    at: datetime


async def readable(session: AsyncSession, texts: Texts, entry: AuditEntry) -> Shown:
    """`entry` in the words people know."""
    target, old, new = entry.target, entry.old_value, entry.new_value
    if entry.action.startswith("text."):
        match = _TEXT_KEY.match(target or "")
        definition = DEFAULTS.get(match.group(2)) if match else None
        if match:
            target = quoted(definition.description if definition else match.group(1))
        if definition is not None:
            old, new = (None if v is None else plain_text(definition, v) for v in (old, new))
    elif entry.action == "broadcast.send" and new:
        try:
            audience = Audience.parse(new)
        except (ValueError, KeyError):
            audience = None  # already in words
        if audience is not None:
            new = unescape(await audience_title(session, texts, audience))
    return Shown(entry.actor_id, entry.actor_name, entry.action, target, old, new, entry.at)


def format_entry(texts: Texts, entry: Shown, tz: tzinfo) -> str:
    who = escape(entry.actor_name or f"id {entry.actor_id}", quote=False)
    action = escape(action_title(texts, entry.action), quote=False)
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


async def audit_screen(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts,
                       page: int) -> None:
    total = await count_entries(session)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    entries = await entries_page(session, page * PAGE_SIZE, PAGE_SIZE)
    if not entries:
        await show(callback, texts.fixed("panel.audit_empty"), keyboard([menu_button(texts)]))
        return
    tz = agency_tz(settings)  # the same local time as the rest of the panel
    shown = [await readable(session, texts, entry) for entry in entries]
    body = "\n\n".join(format_entry(texts, entry, tz) for entry in shown)
    if pages > 1:
        body += texts.fixed("panel.audit_page", page=page + 1, pages=pages)
    nav: list[Button] = []
    if page > 0:
        nav.append((texts.fixed("panel.btn_newer"), AuditPage(page=page - 1)))
    if page < pages - 1:
        nav.append((texts.fixed("panel.btn_older"), AuditPage(page=page + 1)))
    await show(callback, texts.fixed("panel.audit", entries=Markup(body)), keyboard(nav, [menu_button(texts)]))


@router.callback_query(AdminMenu.filter(F.section == Section.AUDIT))
async def open_audit(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    await callback.answer()
    await audit_screen(callback, session, settings, texts, 0)


@router.callback_query(AuditPage.filter())
async def open_page(callback: CallbackQuery, callback_data: AuditPage, session: AsyncSession,
                    settings: Settings, texts: Texts) -> None:
    await callback.answer()
    await audit_screen(callback, session, settings, texts, callback_data.page)
