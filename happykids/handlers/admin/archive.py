"""«Архив чеков» in the panel: where receipts are archived, whether it works, the last upload, how many wait,
and the last error, so wrong MEGA credentials are seen by the director and not only in a log nobody reads."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.domain.clock import to_local
from happykids.services.archive import ArchiveState, archive_state
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import AdminMenu, Section
from happykids.ui.keyboards.admin import keyboard, menu_button
from happykids.ui.view import show

router = Router(name="admin.archive")

MAX_ERROR = 300  # the technical detail is for whoever fixes it; the status line above says it in words


def archive_screen(texts: Texts, settings: Settings, state: ArchiveState) -> str:
    def when(moment: datetime | None) -> str:
        return f"{to_local(moment):%d.%m.%Y %H:%M}" if moment is not None else texts.fixed("archive.never")

    if settings.mega_enabled:
        where = texts.fixed("archive.where_mega", email=settings.mega_email, folder=settings.mega_folder)
    else:
        where = texts.fixed("archive.where_local")
    checking = settings.mega_enabled and state.login_checked_at is None and state.last_upload_at is None
    status = texts.fixed(f"archive.status.{state.last_error_kind or ('checking' if checking else 'ok')}")
    text = texts.fixed("archive.screen", where=Markup(where), status=Markup(status),
                       last_upload=when(state.last_upload_at), backlog=state.backlog)
    if state.last_error:
        error = state.last_error if len(state.last_error) <= MAX_ERROR else state.last_error[: MAX_ERROR - 1] + "…"
        text += texts.fixed("archive.last_error", at=when(state.last_error_at), error=error)
    return text


@router.callback_query(AdminMenu.filter(F.section == Section.ARCHIVE))
async def open_archive(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    """The screen, and its «Обновить» (the same press: the view engine leaves an unchanged screen alone)."""
    await callback.answer()
    state = await archive_state(session)
    refresh = (texts.fixed("archive.btn_refresh"), AdminMenu(section=Section.ARCHIVE))
    await show(callback, archive_screen(texts, settings, state), keyboard([refresh], [menu_button(texts)]))
