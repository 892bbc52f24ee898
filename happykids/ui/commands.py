"""The command menus: parents see /start, /projects, /mydata and /help; an admin's own chat also shows /admin and
/receipts.

Telegram refuses a menu for a chat that does not exist yet, so an admin's menu is set the first time she
opens the panel, and refreshed with the parents' menu when the director edits a command's description.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from happykids.texts.service import Texts

ADMIN_COMMANDS = [("admin", "Панель управления"), ("receipts", "Чеки на проверке")]


class CommandMenus:
    def __init__(self) -> None:
        self._admin_chats: set[int] = set()

    async def _parents(self, texts: Texts) -> list[BotCommand]:
        return [
            BotCommand(command="start", description=await texts.plain("cmd.start")),
            BotCommand(command="projects", description=await texts.plain("cmd.projects")),
            BotCommand(command="mydata", description=await texts.plain("cmd.mydata")),
            BotCommand(command="help", description=await texts.plain("cmd.help")),
        ]

    async def _set_admin(self, bot: Bot, texts: Texts, chat_id: int) -> None:
        admin = [BotCommand(command=name, description=text) for name, text in ADMIN_COMMANDS]
        await bot.set_my_commands(await self._parents(texts) + admin, scope=BotCommandScopeChat(chat_id=chat_id))

    async def refresh(self, bot: Bot, texts: Texts) -> None:
        await bot.set_my_commands(await self._parents(texts), scope=BotCommandScopeDefault())
        for chat_id in sorted(self._admin_chats):
            await self._set_admin(bot, texts, chat_id)

    async def ensure_admin(self, bot: Bot, texts: Texts, chat_id: int) -> None:
        if chat_id not in self._admin_chats:
            await self._set_admin(bot, texts, chat_id)
            self._admin_chats.add(chat_id)
