"""Showing the director's project screens (the list, a card, the applications) from any of the projects'
handler modules (projects.py, project_dialog.py, project_roster.py): one place, so every path shows a card
the same way, with its numbers, its deep link and whether it was announced.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.models import Project
from happykids.db.repositories import projects as repo
from happykids.db.repositories.admins import all_admin_ids
from happykids.domain.clock import agency_zone, to_local
from happykids.domain.projects import ProjectError, ProjectStatus
from happykids.handlers.admin.panel import record
from happykids.services import project_announce, project_roster
from happykids.services.broadcast import group_choices
from happykids.texts.service import Markup, Texts
from happykids.ui.project_admin_screens import applications_screen, card_screen, list_screen, who_text
from happykids.ui.project_screens import ages_line, fee_text, when_text
from happykids.ui.view import retire, show


async def show_screen(event: CallbackQuery | Message, text: str, markup: InlineKeyboardMarkup,
                      photo: str | None = None) -> Message:
    """ui/view.show, and when the screen came as a new message (text <-> a poster photo), the pressed one
    loses its buttons: one live screen, as everywhere in the panel."""
    shown = await show(event, text, markup, photo=photo)
    if isinstance(event, CallbackQuery) and isinstance(event.message, Message) and event.bot is not None \
            and event.message.message_id != shown.message_id:
        await retire(event.bot, event.from_user.id, event.message.message_id)
    return shown


async def show_list(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    text, markup = await list_screen(texts, await repo.all_projects(session), agency_zone())
    await show_screen(event, text, markup)


async def group_titles(session: AsyncSession) -> dict[str, str]:
    return {code: title for _, code, title in await group_choices(session)}


async def who(session: AsyncSession, texts: Texts, project: Project) -> str:
    return who_text(texts, project, await group_titles(session))


async def link(bot: Bot, project_id: int) -> str:
    return project_announce.deep_link((await bot.me()).username, project_id)


async def show_card(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, bot: Bot,
                    project_id: int) -> None:
    project = await repo.get(session, project_id, fresh=True)
    if project is None:
        await show_list(event, session, texts)
        return
    deep_link = await link(bot, project.id) if project.status == ProjectStatus.PUBLISHED else None
    numbers = await project_roster.card_numbers(session, project)
    text, markup, photo = await card_screen(texts, project, numbers, agency_zone(), deep_link,
                                            await who(session, texts, project),
                                            await project_announce.announced(session, project.id))
    await show_screen(event, text, markup, photo)


async def show_applications(event: CallbackQuery | Message, session: AsyncSession, texts: Texts,
                            project_id: int) -> None:
    project = await repo.get(session, project_id, fresh=True)
    if project is None:
        await show_list(event, session, texts)
        return
    items = await repo.project_applications(session, project_id)
    parents = await repo.parent_names(session, [a.parent_id for a, _ in items])
    on = to_local(project.starts_at).date() if project.starts_at else to_local(utcnow()).date()
    await show_screen(event, *await applications_screen(texts, project, items, parents, on))


async def announce(callback: CallbackQuery, session: AsyncSession, texts: Texts, bot: Bot, settings: Settings,
                   project: Project) -> str:
    """Queue the project's announcement to the parents it is for; the popup to answer with. The caller
    commits and wakes the broadcast sender (whose progress message and report come to her chat)."""
    ages, kind = Markup(await ages_line(texts, project)), await texts.get(f"projects.kind_{project.kind}")
    text = await texts.get("projects.announce", title=project.title, kind=kind,
                           when=await when_text(texts, project, agency_zone()), place=project.place,
                           fee=Markup(await fee_text(texts, project)), ages=ages)
    try:
        _, counts = await project_announce.announce(
            session, project, text, await texts.plain("projects.btn_announce_apply"), await link(bot, project.id),
            created_by=callback.from_user.id, exclude=await admins(session, settings), now=utcnow())
    except ProjectError as exc:
        return texts.fixed(str(exc))
    await record(session, callback.from_user, "project.announce", project.title, new=counts.total)
    return texts.fixed("projects.announced_done", count=counts.total)


async def admins(session: AsyncSession, settings: Settings) -> set[int]:
    """Admins get no announcements and no messages to participants: they saw the preview."""
    return set(await all_admin_ids(session, settings.admin_ids))
