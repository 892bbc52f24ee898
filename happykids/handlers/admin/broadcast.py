"""«Рассылка»: write a message (text or photo with a caption), choose who gets it, see it exactly as parents
will, confirm. Sending is the background job in workers/broadcasts.py (paced, restart-safe, with progress);
this module only queues a broadcast (services/broadcast.py) and wakes the sender.

The draft lives in the panel's FSM data under a random id that every button of it carries, so a button of
an older draft (or a second tap on «Отправить») can never send anything.

An album (several photos with one media_group_id) arrives as separate messages, the later ones after the
compose step is over. The draft takes the first photo, and the album's id is kept in the panel's data so the
other parts are swallowed here (an admin's photo would otherwise be taken as a payment receipt); the caption
comes from whichever part carries it.

While it is sent, the progress message carries «⏹ Остановить рассылку» (see `stop`).
"""

from __future__ import annotations

import secrets
from html import escape, unescape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.repositories.admins import all_admin_ids
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.broadcasts import CAPTION_LIMIT, AudienceKind, BroadcastStatus, Content, StopOutcome
from happykids.handlers.admin.panel import InputStep, record
from happykids.services.broadcast import (
    Audience,
    audience_title,
    audience_user_ids,
    blocked_among,
    create_broadcast,
    group_audience,
    group_choices,
    recent_broadcasts,
    set_progress_message,
    stop_broadcast,
)
from happykids.services.payments_export import Month, agency_tz, to_local
from happykids.texts.service import Markup, Texts
from happykids.ui.broadcast_content import send_content
from happykids.ui.callbacks import AdminMenu, BcAct, BroadcastAction, BroadcastAudience, BroadcastStop, Section
from happykids.ui.director_text import director_html, shown_text, tag_problems
from happykids.ui.keyboards import broadcast as kb
from happykids.ui.states import BroadcastInput
from happykids.ui.view import ask, ask_again, finish_input, retire, show
from happykids.workers.hub import Workers

router = Router(name="admin.broadcast")
DRAFT = "bc_draft"
# The album the compose step took its input from: {"id": media_group_id, "draft": the draft's id, or None
# when the album was refused, "prompt": the audience question's message id, "told": the one-photo note sent}
ALBUM = "bc_album"
HISTORY_STATE: dict[str, str] = {BroadcastStatus.SENDING: "panel_ops.history_sending",
                                 BroadcastStatus.STOPPING: "panel_ops.history_stopping",
                                 BroadcastStatus.STOPPED: "panel_ops.history_stopped"}
STOP_ANSWERS = {
    StopOutcome.STOPPED: "panel_ops.stopping_now", StopOutcome.TOO_LATE: "panel_ops.stop_too_late",
    StopOutcome.STOPPING: "panel_ops.stop_already", StopOutcome.FINISHED: "panel_ops.stop_finished",
    StopOutcome.WAS_STOPPED: "panel_ops.stop_was_stopped", StopOutcome.MISSING: "panel_ops.stop_missing",
}


async def _history(session: AsyncSession, settings: Settings, texts: Texts) -> str:
    items = await recent_broadcasts(session)
    if not items:
        return texts.fixed("panel_ops.no_history")
    tz = agency_tz(settings)
    lines = [texts.fixed("panel_ops.history_head")]
    for broadcast, counts in items:
        state = HISTORY_STATE.get(broadcast.status)
        lines.append(texts.fixed(
            "panel_ops.history_line", number=broadcast.id,
            date=to_local(broadcast.created_at, tz).strftime("%d.%m %H:%M"),
            audience=await audience_title(session, texts, Audience.parse(broadcast.audience)), sent=counts.sent,
            total=counts.total, state=Markup(texts.fixed(state) if state else ""),
        ))
    return "\n".join(lines)


@router.callback_query(AdminMenu.filter(F.section == Section.BROADCAST))
async def open_broadcast(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    await callback.answer()
    await show(callback, texts.fixed("panel_ops.broadcast", history=Markup(await _history(session, settings, texts))),
               kb.broadcast_menu(texts))


# -- 1. the message --------------------------------------------------------------------------------------

@router.callback_query(BroadcastAction.filter(F.action == BcAct.NEW))
async def new_broadcast(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await ask(callback, admin_state, texts, BroadcastInput.content, texts.fixed("panel_ops.ask_content"),
              AdminMenu(section=Section.BROADCAST))


def _caption_too_long(texts: Texts, caption: str) -> str | None:
    """The problem with a photo caption a bot cannot send (Telegram counts UTF-16 units), or None."""
    if len(caption.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
        return texts.fixed("panel_ops.caption_too_long", length=len(caption))
    return None


async def _rest_of_album(message: Message, admin_state: FSMContext | None = None) -> bool:
    """A later part of an album whose first part the compose step has already taken (or refused)."""
    if not message.media_group_id or admin_state is None:
        return False
    album = (await admin_state.get_data()).get(ALBUM)
    return isinstance(album, dict) and album.get("id") == message.media_group_id


# First: the later parts come in any panel state (the compose step is over by then).
@router.message(_rest_of_album)
async def on_album_part(message: Message, admin_state: FSMContext, texts: Texts, bot: Bot) -> None:
    data = await admin_state.get_data()
    album, draft = data[ALBUM], data.get(DRAFT)
    if not album.get("draft"):
        return  # the album was refused at its first part and she was told so: the rest goes quietly
    if (message.caption and draft and draft.get("id") == album["draft"] and not draft.get("text")
            and not draft.get("audience")):  # the caption was typed on this part; no preview shown yet
        problem = _caption_too_long(texts, message.caption)
        if problem:  # the draft cannot be sent as she meant it: drop it and ask again
            await retire(bot, message.chat.id, album.get("prompt"))
            await ask(message, admin_state, texts, BroadcastInput.content, texts.fixed("panel_ops.ask_content"),
                      AdminMenu(section=Section.BROADCAST), problem=problem,
                      bc_album={"id": album["id"], "draft": None})  # ALBUM, as a keyword
            return
        await admin_state.update_data({DRAFT: {**draft, "text": director_html(message).html}})
    if not album.get("told"):
        await admin_state.update_data({ALBUM: {**album, "told": True}})
        await message.answer(texts.fixed("panel_ops.album_one_photo"))


async def _refuse(message: Message, admin_state: FSMContext, texts: Texts, problem: str) -> None:
    """Bad input: ask again. For an album, once: its other parts are swallowed by `on_album_part`."""
    await ask_again(message, admin_state, texts, problem)
    if message.media_group_id:
        await admin_state.update_data({ALBUM: {"id": message.media_group_id, "draft": None}})


@router.message(InputStep(BroadcastInput.content), F.photo | (F.text & ~F.text.startswith("/")))
async def on_content(message: Message, admin_state: FSMContext, session: AsyncSession, settings: Settings,
                     texts: Texts) -> None:
    formatted = director_html(message)  # her Bold button and typed <b> alike; a stray "<" is a character
    if problems := tag_problems(formatted):
        await _refuse(message, admin_state, texts, escape("\n".join(problems), quote=False))
        return
    if message.photo:
        caption = shown_text(formatted.html)  # typed tags do not count towards Telegram's limit
        if problem := _caption_too_long(texts, caption):
            await _refuse(message, admin_state, texts, problem)
            return
        content = Content(formatted.html if caption else "", message.photo[-1].file_id)
    else:
        content = Content(formatted.html)
    draft_id = secrets.token_hex(4)
    draft = {"id": draft_id, "text": content.text, "photo": content.photo, "audience": None}
    keep: dict[str, Any] = {DRAFT: draft}
    if message.media_group_id:  # the first photo of an album: the draft; the other parts are swallowed
        keep[ALBUM] = {"id": message.media_group_id, "draft": draft["id"], "told": False}
    await finish_input(message, admin_state, **keep)
    prompt = await _ask_audience(message, session, settings, texts, draft_id)
    if message.media_group_id and prompt is not None:
        await admin_state.update_data({ALBUM: {**keep[ALBUM], "prompt": prompt.message_id}})


@router.message(InputStep(BroadcastInput.content), ~F.text.startswith("/"))
async def on_wrong_content(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    await _refuse(message, admin_state, texts, texts.fixed("panel_ops.wrong_content"))


# -- 2. the recipients -----------------------------------------------------------------------------------

async def _excluded(session: AsyncSession, settings: Settings) -> set[int]:
    """Admins do not get broadcasts: they have seen the preview."""
    return set(await all_admin_ids(session, settings.admin_ids))


async def _ask_audience(event: Message | CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts,
                        draft_id: str, problem: str = "") -> Message | None:
    tz = agency_tz(settings)
    exclude = await _excluded(session, settings)
    everyone = await audience_user_ids(session, Audience(AudienceKind.ALL), tz, exclude)
    paid = await audience_user_ids(session, Audience.paid_this_month(tz), tz, exclude)
    question = texts.fixed("panel_ops.choose_audience")
    text = f"⚠️ {problem}\n\n{question}" if problem else question
    return await show(event, text, kb.audience_menu(texts, draft_id, len(everyone), Month.current(tz), len(paid)))


async def _draft(callback: CallbackQuery, admin_state: FSMContext, texts: Texts,
                 draft_id: str) -> dict[str, Any] | None:
    draft = (await admin_state.get_data()).get(DRAFT)
    if not draft or draft.get("id") != draft_id:
        await callback.answer(texts.fixed("panel_ops.draft_gone"), show_alert=True)
        return None
    return draft


@router.callback_query(BroadcastAction.filter(F.action == BcAct.AUDIENCE))
async def other_audience(callback: CallbackQuery, callback_data: BroadcastAction, admin_state: FSMContext,
                         session: AsyncSession, settings: Settings, texts: Texts) -> None:
    if await _draft(callback, admin_state, texts, callback_data.draft) is None:
        return
    await callback.answer()
    await _ask_audience(callback, session, settings, texts, callback_data.draft)


@router.callback_query(BroadcastAction.filter(F.action == BcAct.GROUPS))
async def choose_group(callback: CallbackQuery, callback_data: BroadcastAction, admin_state: FSMContext,
                       session: AsyncSession, settings: Settings, texts: Texts) -> None:
    if await _draft(callback, admin_state, texts, callback_data.draft) is None:
        return
    groups = await group_choices(session)
    if not groups:
        await callback.answer(texts.fixed("panel_ops.no_groups"), show_alert=True)
        return
    await callback.answer()
    tz = agency_tz(settings)
    exclude = await _excluded(session, settings)
    rows = [(group_id, title, len(await audience_user_ids(session, Audience(AudienceKind.GROUP, code), tz, exclude)))
            for group_id, code, title in groups]
    await show(callback, texts.fixed("panel_ops.choose_group"), kb.groups_menu(texts, callback_data.draft, rows))


@router.callback_query(BroadcastAudience.filter())
async def on_audience(callback: CallbackQuery, callback_data: BroadcastAudience, admin_state: FSMContext,
                      session: AsyncSession, settings: Settings, texts: Texts, bot: Bot) -> None:
    draft = await _draft(callback, admin_state, texts, callback_data.draft)
    if draft is None:
        return
    tz = agency_tz(settings)
    audience: Audience | None
    if callback_data.kind is AudienceKind.GROUP:
        audience = await group_audience(session, callback_data.group_id)
        if audience is None:
            await callback.answer(texts.fixed("panel.gone"))
            return
    elif callback_data.kind is AudienceKind.PAID:
        audience = Audience.paid_this_month(tz)
    else:
        audience = Audience(AudienceKind.ALL)
    await callback.answer()

    title = await audience_title(session, texts, audience)
    recipients = await audience_user_ids(session, audience, tz, await _excluded(session, settings))
    blocked = await blocked_among(session, recipients)
    reachable = len(recipients) - blocked
    if not reachable:
        await _ask_audience(callback, session, settings, texts, draft["id"],
                            texts.fixed("panel_ops.nobody", audience=title))
        return
    await show(callback, texts.fixed("panel_ops.audience_chosen", audience=title))
    # A new id per preview: «Отправить» under an older preview (another audience) is refused.
    draft = {**draft, "audience": audience.key, "id": secrets.token_hex(4)}
    await admin_state.update_data({DRAFT: draft})
    # 3. the preview: the very call the sender will make, so she sees exactly what parents will.
    await send_content(bot, callback.from_user.id, Content(draft["text"], draft["photo"]))
    await bot.send_message(callback.from_user.id, texts.fixed(
        "panel_ops.preview_above", audience=title, count=reachable,
        blocked=Markup(texts.fixed("panel_ops.preview_blocked", blocked=blocked) if blocked else ""),
    ), reply_markup=kb.confirm_menu(texts, draft["id"], reachable))


# -- 4. send or cancel -----------------------------------------------------------------------------------

@router.callback_query(BroadcastAction.filter(F.action == BcAct.SEND))
async def send(callback: CallbackQuery, callback_data: BroadcastAction, admin_state: FSMContext,
               session: AsyncSession, settings: Settings, texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    draft = await _draft(callback, admin_state, texts, callback_data.draft)
    if draft is None:
        return
    if not draft.get("audience"):
        await callback.answer(texts.fixed("panel_ops.draft_gone"), show_alert=True)
        return
    # Forget the draft first: a second tap (handled after this one) finds nothing to send.
    await admin_state.update_data({DRAFT: None})
    await callback.answer()
    audience = Audience.parse(draft["audience"])
    broadcast, counts = await create_broadcast(
        session, created_by=callback.from_user.id, content=Content(draft["text"], draft["photo"]), audience=audience,
        tz=agency_tz(settings), exclude=await _excluded(session, settings), progress_chat_id=callback.from_user.id)
    # The confirmation message becomes the progress message the sender edits; it can be stopped from there.
    progress = await show(callback, texts.fixed("panel_ops.starting", number=broadcast.id, count=counts.pending),
                          kb.stop_menu(texts, broadcast.id))
    await set_progress_message(session, broadcast.id, progress.message_id if progress else None)
    await record(session, callback.from_user, "broadcast.send", f"№{broadcast.id}",
                 new=unescape(await audience_title(session, texts, audience)))  # in words, not "group:kids"
    await uow.commit()
    workers.broadcasts.wake()


@router.callback_query(BroadcastAction.filter(F.action == BcAct.CANCEL))
async def cancel(callback: CallbackQuery, callback_data: BroadcastAction, admin_state: FSMContext,
                 texts: Texts) -> None:
    if await _draft(callback, admin_state, texts, callback_data.draft) is None:
        return
    await admin_state.update_data({DRAFT: None})
    await callback.answer()
    await show(callback, texts.fixed("panel_ops.cancelled"), kb.back_to_broadcast(texts))


# -- 5. stop while sending -------------------------------------------------------------------------------

@router.callback_query(BroadcastStop.filter())
async def stop(callback: CallbackQuery, callback_data: BroadcastStop, session: AsyncSession, texts: Texts,
               workers: Workers, uow: UnitOfWork) -> None:
    """Every message not sent yet is cancelled at once (never sent, after a restart neither); those on their
    way are finished. The sender then edits the progress message (no button) and sends the report."""
    number = callback_data.broadcast_id
    outcome, cancelled = await stop_broadcast(session, number)
    if outcome is StopOutcome.STOPPED:
        await record(session, callback.from_user, "broadcast.stop", f"№{number}", new=f"не отправлено: {cancelled}")
    await uow.commit()
    if outcome is StopOutcome.STOPPED:
        workers.broadcasts.stop_now(number)
    await callback.answer(texts.fixed(STOP_ANSWERS[outcome], number=number, count=cancelled))
