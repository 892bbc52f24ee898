"""/help works in every state and never changes the dialog's step."""

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.catalog import CONTACTS_KEY, get_setting
from happykids.texts.service import Texts

router = Router(name="help")


@router.message(Command("help"))
async def cmd_help(message: Message, session: AsyncSession, texts: Texts) -> None:
    await message.answer(await texts.get("help.text", contacts=await get_setting(session, CONTACTS_KEY)))
