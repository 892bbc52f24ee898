"""Shared mechanics of the panel's handlers: its own FSM context, the input-step filter, the audit entry.

Showing screens and asking for input is the screen engine's job (ui/view.py): the panel is one message
edited in place as the director taps; after she types something, the next screen comes below her text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import BaseFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.audit import add_entry

ADMIN_DESTINY = "admin"


class AdminStateMiddleware(BaseMiddleware):
    """Gives admin filters and handlers `admin_state`: the panel's FSM context, apart from the parent's
    dialog (`state`), so typing a new title never breaks a payment in progress and vice versa."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None:
            data["admin_state"] = panel_context(state)
        return await handler(event, data)


def panel_context(state: FSMContext) -> FSMContext:
    """The panel's FSM context of the person whose dialog context is `state`."""
    return FSMContext(storage=state.storage, key=replace(state.key, destiny=ADMIN_DESTINY))


class LeaveInputOnPress(BaseMiddleware):
    """Any button pressed while the panel waits for typed input (a panel button, a receipt decision, a
    payment-dialog button) means she went elsewhere: stop waiting, or her next message (a rejection
    reason, say) would become a group title. Data is kept, so a pending file import or text preview
    still works. An outer middleware, so it sees presses handled outside the admin tree too."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        admin_state: FSMContext | None = data.get("admin_state")
        if admin_state is not None and await admin_state.get_state() is not None:
            await admin_state.set_state(None)
        return await handler(event, data)


class InputStep(BaseFilter):
    """The panel is waiting for one of these inputs (the admin counterpart of StateFilter)."""

    def __init__(self, *states: State):
        self.states = {s.state for s in states}

    async def __call__(self, event: TelegramObject, admin_state: FSMContext | None = None) -> bool:
        return admin_state is not None and await admin_state.get_state() in self.states


async def record(session: AsyncSession, user: User | None, action: str, target: str, old: object = None,
                 new: object = None) -> None:
    """An audit entry for a change made by `user`; committed by the caller together with the change.

    `user` is aiogram's optional `from_user`: IsAdmin lets no update without one into the panel, but should
    one ever arrive, the change is still logged, with an unknown author, rather than lost."""
    actor_id, actor_name = (user.id, user.full_name) if user is not None else (None, "")
    await add_entry(session, actor_id, actor_name, action, target,
                    None if old is None else str(old), None if new is None else str(new))
