"""Receipt intake in private chats: a photo, an image file or a PDF, in any dialog state.

Order of work, so that nothing acknowledged is ever lost: download the file to DATA_DIR, commit the
receipt with its outbox tasks, and only then say "получили"; the outbox worker shows it to the admins
and archives it, after a restart too.
"""

from __future__ import annotations

import logging

import aiohttp
from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.receipts import (
    ChoiceSnapshot,
    IncomingMedia,
    MediaKind,
    Verdict,
    display_name,
    file_extension,
    judge,
    source_key,
)
from happykids.services.crash_points import crash_point
from happykids.services.project_payments import payable
from happykids.services.receipt_files import download_receipt, receipt_file_path
from happykids.services.receipt_intake import IncomingFile, Sender, known_file, record
from happykids.services.receipt_outbox import acknowledge
from happykids.services.receipt_texts import duplicate_text, received_text
from happykids.texts.service import Texts
from happykids.ui.states import PaymentDialog, ProjectDialog
from happykids.workers.hub import Workers

log = logging.getLogger(__name__)
PAYING_FOR = "pj_app"  # the application whose fee the parent is paying (handlers/projects.py sets it)
router = Router(name="receipts")
router.message.filter(F.chat.type == "private")

NOT_RECEIPTS = {
    ContentType.STICKER, ContentType.VOICE, ContentType.VIDEO, ContentType.VIDEO_NOTE, ContentType.ANIMATION,
    ContentType.AUDIO, ContentType.LOCATION, ContentType.VENUE, ContentType.CONTACT, ContentType.POLL,
    ContentType.DICE, ContentType.GAME, ContentType.STORY, ContentType.LIVE_PHOTO,
}


# While a parent is choosing with buttons, a sticker is a dialog mistake (escalation), not a bad receipt.
@router.message(F.content_type.in_(NOT_RECEIPTS), StateFilter(None, PaymentDialog.link, ProjectDialog.pay))
async def not_a_receipt(message: Message, texts: Texts) -> None:
    await message.answer(await texts.get("receipt.unsupported"))


# In a project application a photo is not a payment receipt: the projects router treats it as a mistake on
# that step (error, instruction, contacts), instead of sending the director a receipt for nothing.
# On a project's payment step (ProjectDialog.pay) the photo IS a receipt: that application's fee.
NOT_APPLYING = ~StateFilter(*(s for s in ProjectDialog.__all_states__ if s is not ProjectDialog.pay))


@router.message(F.content_type == ContentType.PHOTO, NOT_APPLYING)
async def photo_receipt(message: Message, bot: Bot, session: AsyncSession, state: FSMContext, settings: Settings,
                        texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    if not message.photo:  # the filter lets only photos through; this tells the type checker
        return
    largest = message.photo[-1]
    media = IncomingMedia(MediaKind.PHOTO, "image/jpeg", None, largest.file_size)
    incoming = IncomingFile(largest.file_id, largest.file_unique_id, media, message.media_group_id, message.caption)
    await take_receipt(message, incoming, bot, session, state, settings, texts, workers, uow)


@router.message(F.content_type == ContentType.DOCUMENT, NOT_APPLYING)
async def document_receipt(message: Message, bot: Bot, session: AsyncSession, state: FSMContext,
                           settings: Settings, texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    doc = message.document
    if doc is None:
        return
    media = IncomingMedia(MediaKind.DOCUMENT, doc.mime_type, doc.file_name, doc.file_size)
    incoming = IncomingFile(doc.file_id, doc.file_unique_id, media, message.media_group_id, message.caption)
    await take_receipt(message, incoming, bot, session, state, settings, texts, workers, uow)


async def take_receipt(message: Message, incoming: IncomingFile, bot: Bot, session: AsyncSession,
                       state: FSMContext, settings: Settings, texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    verdict = judge(incoming.media)
    if verdict is not Verdict.ACCEPT:
        key = "receipt.too_big" if verdict is Verdict.TOO_BIG else "receipt.unsupported"
        await message.answer(await texts.get(key))
        return

    if await _answered_as_duplicate(message, incoming, session, texts):
        return

    target = receipt_file_path(settings.data_dir, utcnow(), incoming.file_unique_id, file_extension(incoming.media))
    try:
        saved = await download_receipt(bot, incoming.file_id, target)
    except TelegramBadRequest as exc:
        too_big = "too big" in exc.message.lower()
        log.warning("Не удалось скачать файл чека из чата %s (%s)", message.chat.id, exc.message)
        await message.answer(await texts.get("receipt.too_big" if too_big else "receipt.save_failed"))
        return
    except (TelegramNetworkError, TelegramServerError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.warning("Не удалось скачать файл чека из чата %s (%s)", message.chat.id, exc)
        await message.answer(await texts.get("receipt.save_failed"))
        return
    crash_point("receipt_saved")
    user = message.from_user
    if user is None:  # the private-chat filter guarantees a sender
        return
    sender = Sender(user.id, display_name(user.first_name, user.last_name), user.username)
    data = await state.get_data()
    choice = ChoiceSnapshot.from_dialog(data.get("confirmed"))
    fee = None
    if await state.get_state() == ProjectDialog.pay.state:  # a project fee; not an old class choice, if it lapsed
        fee, choice = await payable(session, user.id, int(data.get(PAYING_FOR) or 0)), None
    try:
        receipt = await record(session, incoming, saved, sender, choice, fee)
        await uow.commit()
    except IntegrityError:  # the same update handled twice at once: the other one recorded it
        await uow.rollback()
        if incoming.media_group_id is None:
            await message.answer(await texts.get("receipt.duplicate_pending"))
        return
    crash_point("receipt_commit")

    if incoming.media_group_id is None:  # an album is acknowledged by the outbox once its last part is in
        text = await received_text(texts, receipt, pages=1)
        await acknowledge(session, uow.commit, receipt.id, message.chat.id, lambda: message.answer(text))
        await uow.commit()
        crash_point("receipt_ack")
    workers.outbox.wake()


async def _answered_as_duplicate(message: Message, incoming: IncomingFile, session: AsyncSession,
                                 texts: Texts) -> bool:
    """A file we already have: a redelivered update, or the same receipt sent again."""
    known = await known_file(session, incoming.file_unique_id)
    if known is None:
        return False
    file, receipt = known
    redelivered_album_part = receipt.source_key == source_key(incoming.file_unique_id, incoming.media_group_id) \
        and incoming.media_group_id is not None
    # One answer per re-sent album (on its first page), none for a redelivered album part.
    if not redelivered_album_part and (incoming.media_group_id is None or file.position == 0):
        await message.answer(await duplicate_text(texts, receipt.status))
    return True
