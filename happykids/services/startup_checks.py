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
        warnings.append("Каталог пуст, и родители увидят только контакты: загрузите его командой "
                        "`happykids catalog import catalog.yaml`.")
    admins = await all_admin_ids(session, settings.admin_ids)
    if not admins:
        warnings.append("В ADMIN_IDS никого нет и в панели не добавлен ни один администратор, так что карточки "
                        "чеков никто не получит: впишите Telegram-id директора в ADMIN_IDS в файле .env.")
    silent = sorted(set(admins) - await known_ids(session, admins))
    if silent:
        many = len(silent) > 1
        warnings.append(f"{'Администраторы' if many else 'Администратор'} {', '.join(map(str, silent))} ещё не "
                        f"{'открывали' if many else 'открывал'} чат с ботом, и карточки чеков до "
                        f"{'них' if many else 'него'} не дойдут: попросите "
                        f"{'каждого' if many else 'его'} открыть бота и один раз нажать «Запустить» (Start).")
    return warnings
