"""The director's progress message while a broadcast is sent, and the report at its end.

Edited every few seconds, only when its content (text or buttons) changed: Telegram refuses an identical
edit. While sending it carries the stop button; the final edit takes it off. Every request goes through
the sender's limiter and waits out its 429 pauses, so progress never pushes the sends over the limit.
The wording is ui/broadcast_progress.py, the button ui/keyboards/broadcast.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.models import Broadcast
from happykids.db.repositories import broadcasts as repo
from happykids.domain.broadcasts import Counts
from happykids.texts.service import Texts
from happykids.ui.broadcast_progress import progress_text, report_text
from happykids.ui.keyboards.broadcast import stop_menu

log = logging.getLogger(__name__)


class Pacing(Protocol):
    """What the progress message shares with the sender: its bot, database, texts and pace."""

    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    texts: Texts
    limiter: AsyncLimiter

    def pause(self, seconds: float) -> None: ...

    async def wait_if_paused(self, stop: asyncio.Event | None = None) -> None: ...


class Progress:
    """One broadcast's progress message in the director's chat (if the broadcast has one)."""

    def __init__(self, sender: Pacing, broadcast: Broadcast, counts: Counts, *, resumed: bool):
        self.sender = sender
        self.broadcast_id = broadcast.id
        self.chat_id = broadcast.progress_chat_id
        self.message_id = broadcast.progress_message_id
        self.counts = counts
        self.resumed = resumed
        self.last: tuple[str, bool] | None = None  # (text, with the stop button) as last shown

    def current_text(self) -> str:
        return progress_text(self.sender.texts, self.broadcast_id, self.counts, resumed=self.resumed)

    def _controls(self) -> InlineKeyboardMarkup:
        return stop_menu(self.sender.texts, self.broadcast_id)

    async def begin(self, *, stopping: bool = False) -> None:
        """`stopping`: stopped before this run (e.g. just before a restart): no progress, only the report."""
        if self.chat_id is None:
            return
        if self.resumed or self.message_id is None:
            # After a restart we do not know what the old message shows: post a fresh one, never a no-op edit.
            await self._retire(self.message_id)  # its stop button would act on this run; one is enough
            self.message_id = None  # no progress edits at all unless the fresh message is there
            if stopping:
                return
            text = self.current_text()
            controls = self._controls()
            await self.sender.limiter.acquire()
            try:
                sent = await self.sender.bot.send_message(self.chat_id, text, parse_mode=None, reply_markup=controls)
            except TelegramAPIError as exc:
                log.info("Cannot post broadcast progress: %s", exc)
                return
            self.message_id, self.last = sent.message_id, (text, True)
            async with self.sender.sessions() as session, session.begin():
                await repo.set_progress_message(session, self.broadcast_id, sent.message_id)
        else:
            self.last = None  # the handler's "starting…" text differs from every progress text

    async def _retire(self, message_id: int | None) -> None:
        if message_id is None or self.chat_id is None:
            return
        await self.sender.limiter.acquire()
        try:
            await self.sender.bot.edit_message_reply_markup(chat_id=self.chat_id, message_id=message_id,
                                                            reply_markup=None)
        except TelegramAPIError as exc:  # gone, or had no button: nothing to take off
            log.info("Cannot take the stop button off the old progress message: %s", exc)

    async def show(self, text: str, *, controls: bool, parse_mode: str | None = None) -> bool:
        """Edit the progress message (with the stop button or without); False if it could not be edited."""
        markup = self._controls() if controls else None
        content = (text, markup is not None)
        if self.chat_id is None or self.message_id is None:
            return False
        if content == self.last:
            return True
        await self.sender.wait_if_paused()
        await self.sender.limiter.acquire()
        try:
            await self.sender.bot.edit_message_text(text=text, chat_id=self.chat_id, message_id=self.message_id,
                                                    parse_mode=parse_mode, reply_markup=markup)
            self.last = content
            return True
        except TelegramRetryAfter as exc:
            self.sender.pause(exc.retry_after)
            return False
        except TelegramAPIError as exc:  # deleted by the director, say: progress is a courtesy
            log.info("Cannot edit broadcast progress message: %s", exc)
            self.message_id = None
            return False

    async def finish(self, counts: Counts, *, stopped: bool = False) -> None:
        if self.chat_id is None:
            return
        texts = self.sender.texts
        # The final state, without the button (a press on a leftover one is answered "already finished").
        final = progress_text(texts, self.broadcast_id, counts, resumed=self.resumed, final=True, stopped=stopped)
        for _ in range(3):  # retried after a 429 only; `show` forgets a message it cannot edit
            if await self.show(final, controls=False) or self.message_id is None:
                break
        for _ in range(3):
            await self.sender.wait_if_paused()
            await self.sender.limiter.acquire()
            try:
                await self.sender.bot.send_message(self.chat_id, report_text(texts, self.broadcast_id, counts,
                                                                             stopped=stopped),
                                                   parse_mode=ParseMode.HTML)
                return
            except TelegramRetryAfter as exc:
                self.sender.pause(exc.retry_after)
            except TelegramAPIError as exc:
                log.warning("Не удалось отправить отчёт о рассылке (%s)", exc)
                return
