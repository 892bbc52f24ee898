"""Shared steps of the admin panel tests: act as the director, look into the database."""

from __future__ import annotations

from sqlalchemy import select

from happykids.db.models import AuditEntry
from happykids.db.repositories.catalog import load_catalog
from happykids.domain.catalog import Catalog
from tests.e2e.conftest import ADMIN_ID

SETTLE = {"quiet": 0.15, "timeout": 15}


async def step(emu, action):
    """Do something as a user, then wait until the bot has fully reacted (settle also waits for
    handlers still busy with the database)."""
    result = await action
    await emu.settle(**SETTLE)
    return result


def director(emu):
    return emu.user(ADMIN_ID, "Марина", username="director")


def panel(user):
    """The newest bot message with buttons: the panel screen (or prompt) the admin looks at."""
    return [m for m in user.bot_messages if m.buttons][-1]


async def open_panel(emu, user):
    await step(emu, user.send_command("/admin"))
    return panel(user)


async def press(emu, user, *labels: str):
    """Press buttons one after another, each on the newest message with buttons."""
    for text in labels:
        await step(emu, user.press(text))
    return panel(user)


async def say(emu, user, text: str):
    await step(emu, user.send_text(text))
    return user.last


def popups(user) -> list[str]:
    return [a.get("text") or "" for a in user.callback_answers]


async def catalog(app) -> Catalog:
    async with app.sessions() as session:
        return await load_catalog(session)


async def audit_entries(app) -> list[AuditEntry]:
    async with app.sessions() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def parent_choices(emu, user_id: int, name: str = "Родитель"):
    """A parent's fresh /start: the group question with its buttons."""
    parent = emu.user(user_id, name)
    await step(emu, parent.send_command("/start"))
    return parent, panel(parent)
