"""How a receipt looks to an admin: the file(s) plus a card with the buttons, and later the final state.

Used by the outbox (the first copy to every admin), by /receipts and by the decision (editing copies).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    FSInputFile,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
)

from happykids.db.models import Receipt, ReceiptFile
from happykids.domain.receipts import (
    CARD_REASON_CHARS,
    MediaKind,
    ReceiptStatus,
    fits_caption,
    format_amount,
    format_when,
    is_final,
    shorten,
)
from happykids.texts.service import Markup, Texts
from happykids.ui.keyboards.receipts import review_keyboard

log = logging.getLogger(__name__)

CARD_IN_CAPTION, CARD_IN_TEXT = "caption", "text"
MEDIA_GROUP_MAX = 10


@dataclass(frozen=True, slots=True)
class SentCopy:
    message_id: int
    card_in: str  # caption | text


async def status_line(texts: Texts, receipt: Receipt) -> Markup:
    if receipt.status == ReceiptStatus.APPROVED:
        return await texts.markup("review.status_approved", admin=receipt.decided_by_name or "",
                                  when=format_when(receipt.decided_at) if receipt.decided_at else "")
    if receipt.status == ReceiptStatus.REJECTED:
        reason = (await texts.markup("review.reason", reason=shorten(receipt.reject_reason, CARD_REASON_CHARS))
                  if receipt.reject_reason else Markup(""))
        return await texts.markup("review.status_rejected", admin=receipt.decided_by_name or "",
                                  when=format_when(receipt.decided_at) if receipt.decided_at else "", reason=reason)
    return await texts.markup("review.status_pending")


async def card_text(texts: Texts, receipt: Receipt, pages: int) -> str:
    if receipt.project_id is not None:  # a project fee's receipt (services/project_payments.py)
        amount = format_amount(receipt.amount) or await texts.plain("review.amount_unknown")
        child = receipt.children_title or await texts.plain("projects.child_forgotten")
        choice = await texts.markup("projects.review_choice", project=shorten(receipt.group_title or "", 100),
                                    child=shorten(child, 100), amount=amount)
    elif receipt.group_title:
        amount = format_amount(receipt.amount) or await texts.plain("review.amount_unknown")
        choice = await texts.markup("review.choice", group=shorten(receipt.group_title, 100),
                                    period=shorten(receipt.period_title or "", 100),
                                    children=shorten(receipt.children_title or "", 100), amount=amount)
    else:
        choice = await texts.markup("review.no_choice")
    comment = (await texts.markup("review.comment", comment=shorten(receipt.comment, 300))
               if receipt.comment else Markup(""))
    return await texts.get(
        "review.card", number=receipt.id,
        pages=await texts.markup("receipt.pages", count=pages) if pages > 1 else Markup(""),
        parent=shorten(receipt.parent_name or "", 64), username=f" @{receipt.username}" if receipt.username else "",
        user_id=receipt.user_id, choice=choice, received=format_when(receipt.created_at), comment=comment,
        status=await status_line(texts, receipt),
    )


async def card_markup(texts: Texts, receipt: Receipt) -> InlineKeyboardMarkup | None:
    """Buttons while the receipt waits; none once it is decided."""
    if is_final(receipt.status):
        return None
    return review_keyboard(receipt.id, await texts.plain("btn.review_approve"), await texts.plain("btn.review_reject"))


async def decided_popup(texts: Texts, receipt: Receipt) -> str:
    word = await texts.plain("review.word_approved" if receipt.status == ReceiptStatus.APPROVED
                             else "review.word_rejected")
    text = await texts.plain("review.already_decided", status=word, admin=receipt.decided_by_name or "",
                             when=format_when(receipt.decided_at) if receipt.decided_at else "")
    return shorten(text, 200)


async def send_copy(bot: Bot, chat_id: int, receipt: Receipt, files: list[ReceiptFile], texts: Texts) -> SentCopy:
    """Show the receipt in `chat_id`: one file with the card as its caption, or an album and then the card.

    Always without buttons: they are put on (`arm`) only once the copy is on record, so a copy that a crash
    kept off the record can never be pressed, nor be left with live buttons after the decision."""
    card = await card_text(texts, receipt, len(files))
    if len(files) == 1 and fits_caption(card):
        sent = await _send_single(bot, chat_id, files[0], caption=card)
        return SentCopy(sent.message_id, CARD_IN_CAPTION)
    if len(files) == 1:
        await _send_single(bot, chat_id, files[0])
    elif files:
        await _send_album(bot, chat_id, files)
    sent = await bot.send_message(chat_id, card)
    return SentCopy(sent.message_id, CARD_IN_TEXT)


async def arm(bot: Bot, chat_id: int, message_id: int, receipt: Receipt, texts: Texts) -> None:
    """Put the ✅/❌ buttons on a copy that is on record (the receipt is still pending)."""
    await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id,
                                        reply_markup=await card_markup(texts, receipt))


async def show_decision(bot: Bot, chat_id: int, message_id: int, card_in: str, receipt: Receipt, pages: int,
                        texts: Texts, extra: str = "") -> None:
    """Edit a copy to the final state (who decided, when) and drop its buttons. `extra`: a line added below
    (renewals: «оплачено до» and the command that corrects it)."""
    card = await card_text(texts, receipt, pages) + extra
    if card_in == CARD_IN_CAPTION:
        await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=card, reply_markup=None)
    else:
        await bot.edit_message_text(chat_id=chat_id, message_id=message_id, text=card, reply_markup=None)


async def _send_single(bot: Bot, chat_id: int, file: ReceiptFile, caption: str | None = None,
                       markup: InlineKeyboardMarkup | None = None) -> Message:
    try:
        return await _send_file(bot, chat_id, file, file.telegram_file_id, caption, markup)
    except TelegramBadRequest as exc:
        if not _file_refused(exc, file):
            raise
        # The file_id went stale (it happens after a bot token change): upload our own copy instead.
        log.warning("Telegram не принял file_id файла чека %s (%s), отправляю сохранённую копию", file.id, exc)
        return await _send_file(bot, chat_id, file, FSInputFile(file.file_path), caption, markup)


async def _send_file(bot: Bot, chat_id: int, file: ReceiptFile, media: str | InputFile, caption: str | None,
                     markup: InlineKeyboardMarkup | None) -> Message:
    if file.kind == MediaKind.PHOTO:
        return await bot.send_photo(chat_id, photo=media, caption=caption, reply_markup=markup)
    return await bot.send_document(chat_id, document=media, caption=caption, reply_markup=markup)


async def _send_album(bot: Bot, chat_id: int, files: list[ReceiptFile]) -> None:
    # Telegram groups photos with photos and documents with documents only, 2..10 per album.
    runs: list[list[ReceiptFile]] = []
    for file in files:
        if runs and runs[-1][0].kind == file.kind and len(runs[-1]) < MEDIA_GROUP_MAX:
            runs[-1].append(file)
        else:
            runs.append([file])
    for run in runs:
        if len(run) == 1:
            await _send_single(bot, chat_id, run[0])
            continue
        media_type = InputMediaPhoto if run[0].kind == MediaKind.PHOTO else InputMediaDocument
        try:
            await bot.send_media_group(chat_id, [media_type(media=f.telegram_file_id) for f in run])
        except TelegramBadRequest as exc:
            if not _file_refused(exc, run[0]):
                raise
            await bot.send_media_group(chat_id, [media_type(media=FSInputFile(f.file_path)) for f in run])


def _file_refused(exc: TelegramBadRequest, file: ReceiptFile) -> bool:
    words = ("file identifier", "file_id", "wrong remote file", "file reference")
    return any(word in exc.message.lower() for word in words) and Path(file.file_path).is_file()
