"""The MEGA login check at start-up, in the background: polling starts at once, whatever MEGA says.

Wrong credentials cannot get better by waiting, but the bot works without the archive (receipts stay in
DATA_DIR and go up once the login works), so this does not stop the bot: it logs one clear line and tells the
admins once in Telegram. «Once» survives restarts: the error they were told about is in the database
(services/archive.py), and a restart with the same error stays quiet; a working login forgets it. If the
process dies between sending and recording, the admins may hear the same warning again after the restart:
the lesser evil next to never hearing it. Replicas that start together with the same error tell them once:
the one that claims it (services/archive.py, claim_telling). MEGA not answering at all is retried with growing
pauses, one log line each, and is not worth an admin's attention (the outbox catches up by itself when MEGA
is back). An upload that finds the login refused later (the password changed while the bot ran) is said the
same way, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.repositories.admins import all_admin_ids
from happykids.services.archive import RecordingArchive, admins_told, admins_were_told, check_login, claim_telling
from happykids.texts.service import Texts
from happykids.workers.leases import new_owner

log = logging.getLogger(__name__)

FIRST_PAUSE, MAX_PAUSE = 5.0, 300.0  # MEGA not answering: check again after 5 s, 10 s, ... at most 5 min
TELLING_LEASE = timedelta(minutes=5)  # replicas: the one telling the admins; another tells if it died first


class ArchiveWatch:
    def __init__(self, *, bot: Bot, sessions: async_sessionmaker[AsyncSession], texts: Texts, settings: Settings,
                 archive: RecordingArchive, wake_outbox: Callable[[], None]):
        self.bot, self.sessions, self.texts, self.settings = bot, sessions, texts, settings
        self.archive = archive
        self.wake_outbox = wake_outbox
        self._owner = new_owner()  # this replica, for the claim on telling the admins
        self._task: asyncio.Task[None] | None = None
        self._saying = asyncio.Lock()  # the start-up check and a failing upload may find the error at once
        self._said: str | None = None  # the refusal this process has logged already
        self._later: set[asyncio.Task[None]] = set()
        archive.on_login_refused = self._refused_later

    async def start(self) -> None:
        """On the dispatcher's startup: check in the background, never delaying polling."""
        self._task = asyncio.create_task(self.run(), name="ArchiveWatch")

    async def stop(self) -> None:
        for task in [self._task, *self._later]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = None

    async def run(self) -> None:
        pause = FIRST_PAUSE
        while True:
            try:
                result = await check_login(self.archive)
            except Exception:  # e.g. the database is busy: the uploads themselves still record what happens
                log.exception("Архив: не удалось проверить вход в MEGA")
                return
            if result.ok:
                if self.archive.name == "mega":
                    log.info("Вход в MEGA работает: чеки уходят в архив MEGA (%s, папка «%s»)",
                             self.settings.mega_email, self.settings.mega_folder)
                    self.wake_outbox()  # anything that waited for MEGA goes up now
                return
            if result.refused:
                await self.refused(result.error or "")
                return
            log.warning("MEGA пока не отвечает, вход не проверен (%s), следующая попытка через %.0f с",
                        result.error, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)

    def _refused_later(self, error: str) -> None:
        """From RecordingArchive when an upload finds the login refused (in the outbox's task: do not wait)."""
        task = asyncio.create_task(self.refused(error), name="ArchiveWatch.refused")
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def refused(self, error: str) -> None:
        """One log line per process and error; the admins once per error across restarts."""
        async with self._saying:
            if self._said == error:
                return
            self._said = error
            log.error("MEGA не пускает MEGA_EMAIL=%s (%s): исправьте MEGA_EMAIL и MEGA_PASSWORD в .env и "
                      "перезапустите бота; до тех пор чеки хранятся в DATA_DIR и уйдут в MEGA, когда вход заработает",
                      self.settings.mega_email, error)
            try:
                if not await admins_were_told(self.sessions, error) and \
                        await claim_telling(self.sessions, error, self._owner, TELLING_LEASE):
                    await self.tell_admins(error)
            except Exception:  # the database is busy: the next start tries again
                log.warning("Архив: не удалось сообщить администраторам, что MEGA не пускает", exc_info=True)

    async def tell_admins(self, error: str) -> None:
        text = self.texts.fixed("archive.login_refused", email=self.settings.mega_email or "")
        async with self.sessions() as session:
            admins = await all_admin_ids(session, self.settings.admin_ids)
        told = 0
        for chat_id in admins:
            try:
                await self.bot.send_message(chat_id, text)
                told += 1
            except (TelegramForbiddenError, TelegramBadRequest) as exc:  # never opened the bot, or blocked it
                log.warning("Архив: не удаётся сообщить администратору %s, что MEGA не пускает: %s", chat_id,
                            exc.message)
            except Exception:  # one admin's failure must not keep the others uninformed
                log.warning("Архив: не удаётся сообщить администратору %s, что MEGA не пускает", chat_id,
                            exc_info=True)
        if told:
            await admins_told(self.sessions, error)
