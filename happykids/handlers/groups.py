"""The bot added to a group chat: the payment dialog is private, so /start there points to the private chat.

Buttons in a group would be pressed by everyone at once and show one parent's choices to all; a parent who
types /start in a group gets one short answer with a button that opens the bot's private chat. Everything
else in groups (the receipts group of the director, review buttons there) is left to its own routers.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from happykids.texts.service import Texts

router = Router(name="groups")
router.message.filter(F.chat.type.in_({"group", "supergroup"}))


@router.message(CommandStart())
async def start_in_group(message: Message, bot: Bot, texts: Texts) -> None:
    me = await bot.me()  # cached by aiogram after the first call
    button = InlineKeyboardButton(text=await texts.plain("btn.open_private"), url=f"https://t.me/{me.username}")
    await message.reply(await texts.get("group.private_only"),
                        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
