"""The outbox tasks of a receipt: show it to the admins, archive it, answer the parent, show the decision.

Every task may run more than once (a crash between doing and marking done), so each one checks what is
already done: copies already sent (review_messages), files already archived (archive_location), copies
already showing the decision (shows_decision, claimed atomically before editing).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.receipt_cards import send_copy, show_decision
from happykids.db.base import utcnow
from happykids.db.models import OutboxTask, Receipt, ReviewMessage
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.admins import all_admin_ids
from happykids.db.repositories.catalog import CONTACTS_KEY, get_setting
from happykids.db.repositories.outbox import DONE, PENDING, enqueue
from happykids.db.repositories.parents import mark_blocked
from happykids.domain.receipts import is_final, local_time, page_path
from happykids.workers.outbox import Executor, GiveUp, OutboxContext
from happykids.services.receipt_texts import decision_text, received_text
from happykids.storage.naming import archive_path

if TYPE_CHECKING:
    from happykids.app.wiring import App

log = logging.getLogger(__name__)

NOTIFY_ADMINS = "receipt.notify_admins"
ARCHIVE = "receipt.archive"
ACK_PARENT = "receipt.ack_parent"  # "получили" (an album's: once its last part is in)
TELL_PARENT = "receipt.tell_parent"  # the decision
SHOW_DECISION = "receipt.show_decision"  # edit every admin's copy


def enqueue_intake(session: AsyncSession, receipt_id: int, *, due_at: datetime | None = None,
                   ack_due_at: datetime | None = None) -> None:
    """The follow-up of a new receipt. The parent's "получили" is a task too: the handler sends it at once
    and marks it done (see ack_sent); if the process dies first, the task sends it after the restart."""
    subject = repo.subject_of(receipt_id)
    payload = {"receipt_id": receipt_id}
    enqueue(session, ACK_PARENT, subject, payload, ack_due_at or due_at)
    enqueue(session, NOTIFY_ADMINS, subject, payload, due_at)
    enqueue(session, ARCHIVE, subject, payload, due_at)


async def ack_sent(session: AsyncSession, receipt_id: int) -> None:
    """The handler told the parent itself: the safety-net task has nothing left to do."""
    await session.execute(update(OutboxTask).where(
        OutboxTask.subject == repo.subject_of(receipt_id), OutboxTask.kind == ACK_PARENT,
        OutboxTask.status == PENDING).values(status=DONE, done_at=utcnow()))


def enqueue_decision(session: AsyncSession, receipt_id: int) -> None:
    subject, payload = repo.subject_of(receipt_id), {"receipt_id": receipt_id}
    enqueue(session, SHOW_DECISION, subject, payload)
    enqueue(session, TELL_PARENT, subject, payload)


async def _load(ctx: OutboxContext, payload: dict[str, Any]) -> Receipt | None:
    async with ctx.app.sessions() as session:
        receipt = await session.get(Receipt, int(payload["receipt_id"]))
    if receipt is None:
        log.warning("Outbox: receipt %s no longer exists; nothing to do", payload.get("receipt_id"))
    return receipt


async def notify_admins(ctx: OutboxContext, payload: dict[str, Any]) -> None:
    receipt = await _load(ctx, payload)
    if receipt is None:
        return
    settings, sessions = ctx.app.settings, ctx.app.sessions
    async with sessions() as session:
        files = await repo.files_of(session, receipt.id)
        chats = await all_admin_ids(session, settings.admin_ids)
        already = await repo.chats_with_copy(session, receipt.id)
    if settings.receipts_chat_id is not None and settings.receipts_chat_id not in chats:
        chats.append(settings.receipts_chat_id)
    if not chats:
        log.warning("Receipt %s: no admins configured (ADMIN_IDS); it waits in /receipts", receipt.id)
    for chat_id in (c for c in chats if c not in already):
        async with sessions() as session:
            receipt = await session.get(Receipt, int(payload["receipt_id"]))  # fresh: decided meanwhile?
        if receipt is None:
            return
        try:
            copy = await send_copy(ctx.app.bot, chat_id, receipt, files, ctx.app.texts)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            # An admin who blocked the bot, never opened it, or a group the bot was removed from: skip them.
            log.warning("Receipt %s: cannot show it in chat %s: %s", receipt.id, chat_id, exc.message)
            continue
        async with sessions() as session, session.begin():
            repo.add_copy(session, receipt.id, chat_id, copy.message_id, copy.card_in, is_final(receipt.status))
        if not is_final(receipt.status):
            await finish_if_decided(ctx.app, receipt.id, chat_id, copy.message_id)


async def finish_if_decided(app: App, receipt_id: int, chat_id: int, message_id: int) -> None:
    """A decision committed while this copy was on its way may have missed it: show it on the copy too."""
    async with app.sessions() as session:
        receipt = await session.get(Receipt, receipt_id)
        copy = await repo.copy_at(session, chat_id, message_id)
        pages = await repo.file_count(session, receipt_id)
    if receipt is not None and copy is not None and is_final(receipt.status) and not copy.shows_decision:
        await show_decision_on(app, receipt, copy, pages)


async def show_decision_everywhere(ctx: OutboxContext, payload: dict[str, Any]) -> None:
    receipt = await _load(ctx, payload)
    if receipt is None or not is_final(receipt.status):
        return
    async with ctx.app.sessions() as session:
        copies = [c for c in await repo.review_copies(session, receipt.id) if not c.shows_decision]
        pages = await repo.file_count(session, receipt.id)
    for copy in copies:
        await show_decision_on(ctx.app, receipt, copy, pages)


async def show_decision_on(app: App, receipt: Receipt, copy: ReviewMessage, pages: int) -> None:
    """Edit one copy to the final state, exactly once."""
    # Claim first: two tasks editing the same message would send an identical edit, which Telegram refuses.
    async with app.sessions() as session, session.begin():
        if not await repo.claim_copy(session, copy.id):
            return
    try:
        await show_decision(app.bot, copy.chat_id, copy.message_id, copy.card_in, receipt, pages, app.texts)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        # Deleted by the admin, or the bot left that chat: nothing left to update there.
        log.warning("Receipt %s: cannot update the copy in chat %s: %s", receipt.id, copy.chat_id, exc.message)
    except BaseException:
        async with app.sessions() as session, session.begin():
            await repo.release_copy(session, copy.id)
        raise


async def tell_parent(ctx: OutboxContext, payload: dict[str, Any]) -> None:
    receipt = await _load(ctx, payload)
    if receipt is None or not is_final(receipt.status):
        return
    async with ctx.app.sessions() as session:
        contacts = await get_setting(session, CONTACTS_KEY)
    await _send_to_parent(ctx, receipt.user_id, await decision_text(ctx.app.texts, receipt, contacts))


async def ack_parent(ctx: OutboxContext, payload: dict[str, Any]) -> None:
    receipt = await _load(ctx, payload)
    if receipt is None:
        return
    async with ctx.app.sessions() as session:
        pages = await repo.file_count(session, receipt.id)
    await _send_to_parent(ctx, receipt.user_id, await received_text(ctx.app.texts, receipt, pages))


async def _send_to_parent(ctx: OutboxContext, user_id: int, text: str) -> None:
    try:
        await ctx.app.bot.send_message(user_id, text)
    except TelegramForbiddenError:
        log.info("Parent %s blocked the bot; the message about their receipt is not delivered", user_id)
        async with ctx.app.sessions() as session, session.begin():
            await mark_blocked(session, user_id)


async def archive(ctx: OutboxContext, payload: dict[str, Any]) -> None:
    """Store every file of the receipt in the archive, one by one, remembering each success."""
    receipt = await _load(ctx, payload)
    if receipt is None:
        return
    async with ctx.app.sessions() as session:
        files = await repo.files_of(session, receipt.id)
    created = local_time(receipt.created_at)
    missing: list[str] = []
    for page, file in enumerate(files, start=1):
        if file.archive_location:
            continue
        local = Path(file.file_path)
        if not local.is_file():
            missing.append(str(local))
            continue
        name = archive_path("", created, receipt.group_title, receipt.parent_name, receipt.id,
                            local.suffix.lstrip("."))
        location = await ctx.archive.store(local, page_path(name, page, len(files)))
        async with ctx.app.sessions() as session, session.begin():
            await repo.set_file_archived(session, file.id, location)
        file.archive_location = location
    first = next((f.archive_location for f in files if f.archive_location), None)
    if first:
        async with ctx.app.sessions() as session, session.begin():
            await repo.set_receipt_archived(session, receipt.id, first)
    if missing:
        raise GiveUp(f"receipt {receipt.id}: local file(s) missing, cannot archive: {', '.join(missing)}")


EXECUTORS: dict[str, Executor] = {
    NOTIFY_ADMINS: notify_admins,
    ARCHIVE: archive,
    ACK_PARENT: ack_parent,
    TELL_PARENT: tell_parent,
    SHOW_DECISION: show_decision_everywhere,
}
