"""The command menu parents see next to the input field."""

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeDefault

from happykids.texts.service import Texts


async def set_commands(bot: Bot, texts: Texts) -> None:
    await bot.set_my_commands(
        [
            BotCommand(command="start", description=await texts.plain("cmd.start")),
            BotCommand(command="help", description=await texts.plain("cmd.help")),
        ],
        scope=BotCommandScopeDefault(),
    )
