"""/mydata: a parent sees what the bot keeps about them and their children, and can delete it (with a
confirmation). Deleting withdraws the consent too; past payments stay as accounting records without the
child's details (services/personal_data.py). Works in any dialog state; deleting leaves a project dialog.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.clock import agency_zone
from happykids.handlers.projects import LIVE, PROJECT_STATES
from happykids.services import personal_data
from happykids.texts.service import Texts
from happykids.ui.callbacks import MdAct, MyData
from happykids.ui.project_parent_screens import ask_delete_screen, mydata_screen
from happykids.ui.view import put
from happykids.workers.hub import Workers

router = Router(name="mydata")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

# What a project dialog keeps in the FSM data about a child (a name typed, answers): gone with the data.
DIALOG_KEYS = ("pj_child", "pj_name", "pj_extra", "pj_field", "pj_app")


@router.message(Command("mydata"))
async def cmd_mydata(message: Message, session: AsyncSession, texts: Texts) -> None:
    screen = await mydata_screen(texts, await personal_data.gather(session, message.chat.id), agency_zone())
    await message.answer(screen.text, reply_markup=screen.markup)


@router.callback_query(MyData.filter())
async def on_mydata(callback: CallbackQuery, callback_data: MyData, state: FSMContext, session: AsyncSession,
                    texts: Texts, bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    parent_id = callback.from_user.id
    pressed = callback.message if isinstance(callback.message, Message) else None
    await callback.answer()
    if callback_data.action is MdAct.DELETE:
        stored = await personal_data.gather(session, parent_id)
        if not stored.children and stored.consent is None:
            await _replace(bot, parent_id, pressed, await texts.get("mydata.nothing"))
            return
        screen = await ask_delete_screen(texts, len(stored.children))
        await put(bot, parent_id, screen.text, screen.markup)
        return
    if callback_data.action is MdAct.KEEP:
        await _replace(bot, parent_id, pressed, await texts.get("mydata.kept"))
        return
    deleted, notices = await personal_data.delete(session, parent_id)
    data = await state.get_data()
    if await state.get_state() in PROJECT_STATES:
        await state.set_state(None)
    await state.set_data({k: v for k, v in data.items() if k not in DIALOG_KEYS and k != LIVE})
    await uow.commit()
    if notices:
        workers.outbox.wake()  # a place the children held is offered to the next (committed with the deletion)
    await _replace(bot, parent_id, pressed,
                   await texts.get("mydata.deleted" if deleted or notices else "mydata.nothing"))


async def _replace(bot: Bot, chat_id: int, pressed: Message | None, text: str) -> None:
    """The answer takes the place of the pressed question (its buttons are spent)."""
    await put(bot, chat_id, text, edit=pressed)
