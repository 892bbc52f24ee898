"""The outbox task of projects: tell a parent what happened to their application (approved, rejected, moved up
from the waiting list, the project cancelled).

Recorded by services/projects.py in the same transaction as the change, so a crash right after the commit
still tells them; run by the outbox worker (workers/outbox.py) with the receipts' dependencies. A parent who
blocked the bot is marked blocked and skipped; a network failure is retried by the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from happykids.db.repositories.parents import mark_blocked
from happykids.domain.projects import ProjectTask
from happykids.workers.outbox import Executor
from happykids.workers.receipt_tasks import ReceiptTaskDeps

log = logging.getLogger(__name__)


async def tell_parent(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    parent_id = int(payload["parent_id"])
    text = await deps.texts.get(str(payload["key"]), **dict(payload.get("values") or {}))
    try:
        await deps.bot.send_message(parent_id, text, disable_web_page_preview=True)
    except TelegramForbiddenError:
        log.info("Parent %s blocked the bot; the news about their application is not delivered", parent_id)
        async with deps.sessions() as session, session.begin():
            await mark_blocked(session, parent_id)
    except TelegramBadRequest as exc:  # a chat that never existed (a forged id): nothing to retry
        log.warning("Не удалось сообщить родителю %s о заявке на проект (%s)", parent_id, exc.message)


EXECUTORS: dict[str, Executor[ReceiptTaskDeps]] = {ProjectTask.TELL_PARENT: tell_parent}
