"""A broadcast's message exactly as a parent receives it: the sender and the director's preview make this
same call, so the preview cannot differ from what is sent."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from happykids.domain.broadcasts import Content


async def send_content(bot: Bot, chat_id: int, content: Content) -> Message:
    markup = None
    if content.button_text and content.button_url:  # a URL button needs no handler and survives a forward
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=content.button_text,
                                                                             url=content.button_url)]])
    if content.photo:
        return await bot.send_photo(chat_id, content.photo, caption=content.text or None, parse_mode=ParseMode.HTML,
                                    reply_markup=markup)
    return await bot.send_message(chat_id, content.text, parse_mode=ParseMode.HTML, reply_markup=markup)
