"""The outbox tasks of projects: tell a parent what happened to their application (approved, rejected, the
project cancelled, an offer's time up); offer a freed place with «✅ Иду» / «✖️ Не смогу»; end offers whose time
is up (due at the offer's end, so a restart meanwhile still passes the place on; services/project_offers.py).

Recorded by services/projects.py in the same transaction as the change, so a crash right after the commit
still tells them; run by the outbox worker (workers/outbox.py) with the receipts' dependencies. A parent who
blocked the bot is marked blocked and skipped; a network failure is retried by the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from happykids.db.base import utcnow
from happykids.db.repositories import projects as repo
from happykids.db.repositories.parents import mark_blocked
from happykids.domain.clock import agency_zone
from happykids.domain.projects import ProjectTask
from happykids.services import project_offers as offers
from happykids.ui.project_parent_screens import offer_text
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


async def tell_offer(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """The offer, with its buttons; not sent when it was answered or ended before this task ran."""
    async with deps.sessions() as session:
        application = await repo.application(session, int(payload["application_id"]))
        if application is None or not offers.is_offered(application, utcnow()):
            return
        project = await repo.get(session, application.project_id)
        child = await repo.child_of(session, application.parent_id, application.child_id)
    if project is None or child is None:
        return
    screen = await offer_text(deps.texts, project, child, application, agency_zone())
    try:
        await deps.bot.send_message(application.parent_id, screen.text, reply_markup=screen.markup)
    except TelegramForbiddenError:
        log.info("Parent %s blocked the bot; the offer of a place waits for its time", application.parent_id)
        async with deps.sessions() as session, session.begin():
            await mark_blocked(session, application.parent_id)
    except TelegramBadRequest as exc:
        log.warning("Не удалось предложить место родителю %s (%s)", application.parent_id, exc.message)


async def expire_offers(deps: ReceiptTaskDeps, payload: dict[str, Any]) -> None:
    """End every offer whose time is up (this one and any other): the place goes to the next."""
    async with deps.sessions() as session, session.begin():
        ended = await offers.expire(session, utcnow())
    if ended:
        log.info("Project offers ended without an answer: %s", ended)


EXECUTORS: dict[str, Executor[ReceiptTaskDeps]] = {
    ProjectTask.TELL_PARENT: tell_parent,
    offers.TELL_OFFER: tell_offer,
    offers.EXPIRE_OFFER: expire_offers,
}
