"""What an operator should hear at start-up, before a parent or the director trips over it.

Each is one plain sentence in the log: an empty catalog (parents would see only the contacts), no admins at
all (nobody would review receipts), and admins who never opened a chat with the bot (Telegram lets a bot
write only to people who wrote to it first, so their receipt cards cannot reach them).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.repositories.admins import all_admin_ids
from happykids.db.repositories.catalog import catalog_is_empty
from happykids.db.repositories.parents import known_ids


async def operator_warnings(session: AsyncSession, settings: Settings) -> list[str]:
    warnings = []
    if await catalog_is_empty(session):
        warnings.append("The catalog is empty: parents will see the contacts only. "
                        "Load one with `happykids catalog import catalog.yaml`.")
    admins = await all_admin_ids(session, settings.admin_ids)
    if not admins:
        warnings.append("ADMIN_IDS is empty and no admin was added in the panel: nobody will get receipt cards. "
                        "Put the director's Telegram id into ADMIN_IDS in .env.")
    silent = sorted(set(admins) - await known_ids(session, admins))
    if silent:
        warnings.append(f"Admin(s) {', '.join(map(str, silent))} never opened a chat with the bot, so receipt "
                        "cards cannot reach them: ask each to open the bot and press Start once.")
    return warnings
