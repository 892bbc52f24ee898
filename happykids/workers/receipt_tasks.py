"""The outbox tasks of a receipt: show it to the admins, archive it, answer the parent, show the decision.

Every task may run more than once (a crash between doing and marking done), so each one checks what is
already done: messages already sent (message_intents: a parent's message is never sent twice, an admin's
card may be), files already archived (archive_location), copies already showing the decision
(shows_decision, claimed before editing; ui/receipt_copies.py). The tasks are recorded by
services/receipt_outbox.py; the kinds are `ReceiptTask` (domain/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.admins import all_admin_ids
from happykids.db.repositories.catalog import CONTACTS_KEY, get_setting
from happykids.db.repositories.parents import mark_blocked
from happykids.domain.outbox import MessageKind, ReceiptTask
from happykids.domain.receipts import is_final, local_time, page_path
from happykids.domain.wording import plural
from happykids.services.message_intents import tell_once
from happykids.services.receipt_texts import decision_text, received_text
from happykids.storage.base import ArchiveBackend
from happykids.storage.naming import archive_path
from happykids.texts.service import Texts
from happykids.ui.receipt_copies import deliver_card, settle
from happykids.workers.outbox import Executor, GiveUp, RetryLater

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReceiptTaskDeps:
    """Everything the receipt tasks use, handed over by the hub (never the whole app)."""

    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    texts: Texts
    settings: Settings
    archive: ArchiveBackend


async def _load(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> Receipt | None:
    async with deps.sessions() as session:
        receipt = await repo.get(session, int(payload["receipt_id"]))
    if receipt is None:
        log.warning("Очередь задач: чека %s больше нет, делать нечего", payload.get("receipt_id"))
    return receipt


async def notify_admins(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """Show the receipt in every review chat; a copy may come twice after a crash, never with live buttons
    (ui/receipt_copies.py, deliver_card)."""
    receipt = await _load(deps, payload)
    if receipt is None:
        return
    settings, sessions = deps.settings, deps.sessions
    async with sessions() as session:
        files = await repo.files_of(session, receipt.id)
        chats = await all_admin_ids(session, settings.admin_ids)
    if settings.receipts_chat_id is not None and settings.receipts_chat_id not in chats:
        chats.append(settings.receipts_chat_id)
    if not chats:
        log.warning("Чек %s ждёт в /receipts: администраторов нет, впишите Telegram-id директора в ADMIN_IDS",
                    receipt.id)
    for chat_id in chats:
        async with sessions() as session:
            receipt = await repo.get(session, int(payload["receipt_id"]))  # fresh: decided meanwhile?
            if receipt is None:
                return
            try:
                await deliver_card(deps.bot, session, deps.texts, chat_id, receipt, files)
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                # An admin who blocked the bot, never opened it, or a group the bot was removed from: skip them.
                log.warning("Чек %s: не удалось показать его в чате %s (%s)", receipt.id, chat_id, exc.message)


async def show_decision_everywhere(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """Edit every copy to the decision. A copy another editor holds right now is looked at again soon; a
    claim left by a process that died is taken over, so a restart finishes what the kill interrupted."""
    receipt = await _load(deps, payload)
    if receipt is None or not is_final(receipt.status):
        return
    async with deps.sessions() as session:
        copies = [c.id for c in await repo.review_copies(session, receipt.id) if not c.shows_decision]
        pages = await repo.file_count(session, receipt.id)
        busy = [c for c in copies if not await settle(deps.bot, session, deps.texts, receipt.id, c, pages)]
    if busy:
        raise RetryLater(f"чек {receipt.id}: карточки в чатах ещё правятся ({len(busy)} шт.)")


async def tell_parent(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """The decision, to the parent, AT MOST ONCE: after a crash between sending it and recording that, it is
    not sent again (services/message_intents.py; why: domain/outbox.py, may_repeat)."""
    receipt = await _load(deps, payload)
    if receipt is None or not is_final(receipt.status):
        return
    async with deps.sessions() as session:
        contacts = await get_setting(session, CONTACTS_KEY)
    text = await decision_text(deps.texts, receipt, contacts)
    await _tell_parent_once(deps, MessageKind.DECISION, receipt, text)


async def ack_parent(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """«получили», when the handler did not say it itself (an album, or a crash first); at most once too."""
    receipt = await _load(deps, payload)
    if receipt is None:
        return
    async with deps.sessions() as session:
        pages = await repo.file_count(session, receipt.id)
    text = await received_text(deps.texts, receipt, pages)
    await _tell_parent_once(deps, MessageKind.RECEIVED, receipt, text)


async def _tell_parent_once(deps: ReceiptTaskDeps, kind: MessageKind, receipt: Receipt, text: str) -> None:
    async with deps.sessions() as session:
        try:
            await tell_once(session, session.commit, kind, receipt.id, receipt.user_id,
                            lambda: deps.bot.send_message(receipt.user_id, text))
        except TelegramForbiddenError:
            log.info("Parent %s blocked the bot; the message about their receipt is not delivered", receipt.user_id)
            await mark_blocked(session, receipt.user_id)
        await session.commit()


async def archive(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """Store every file of the receipt in the archive, one by one, remembering each success."""
    receipt = await _load(deps, payload)
    if receipt is None:
        return
    async with deps.sessions() as session:
        files = await repo.files_of(session, receipt.id)
    created = local_time(receipt.created_at)
    missing: list[str] = []
    for page, file in enumerate(files, start=1):
        if file.archive_location:
            continue
        local = Path(file.file_path)
        if not await asyncio.to_thread(local.is_file):
            missing.append(str(local))
            continue
        name = archive_path("", created, receipt.group_title, receipt.parent_name, receipt.id,
                            local.suffix.lstrip("."))
        location = await deps.archive.store(local, page_path(name, page, len(files)))
        async with deps.sessions() as session, session.begin():
            await repo.set_file_archived(session, file.id, location)
        file.archive_location = location
    first = next((f.archive_location for f in files if f.archive_location), None)
    if first:
        async with deps.sessions() as session, session.begin():
            await repo.set_receipt_archived(session, receipt.id, first)
    if missing:
        files_word = plural(len(missing), "файла", "файлов", "файлов")
        raise GiveUp(f"чек {receipt.id}: в DATA_DIR нет {files_word} {', '.join(missing)}, отправить в архив нечего")


EXECUTORS: dict[str, Executor[ReceiptTaskDeps]] = {
    ReceiptTask.NOTIFY_ADMINS: notify_admins,
    ReceiptTask.ARCHIVE: archive,
    ReceiptTask.ACK_PARENT: ack_parent,
    ReceiptTask.TELL_PARENT: tell_parent,
    ReceiptTask.SHOW_DECISION: show_decision_everywhere,
}
