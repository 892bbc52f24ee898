"""40 parents press «Записать» on a project with 5 places at the same moment, through the real polling loop on
SQLite (the bot handles up to 10 updates at once): exactly 5 get a place, 35 wait, each told their true place
in the line. PostgreSQL gets the same rush at the service level (tests/integration/test_projects_places.py)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from happykids.db.base import utcnow
from happykids.db.repositories import projects as repo
from tests.e2e.admin_helpers import SETTLE, panel
from tests.e2e.project_helpers import applications, make_project

PARENTS, PLACES = 40, 5


async def _all(emu, actions):
    await asyncio.gather(*actions)
    await emu.settle(**SETTLE)


async def test_forty_presses_at_once_never_oversell(emu, bot):
    project_id = await make_project(bot, places=PLACES)
    parents = [emu.user(4000 + i, f"Родитель {i}") for i in range(PARENTS)]
    async with bot.sessions() as session, session.begin():  # remembered children, consent given earlier
        for parent in parents:
            await repo.give_consent(session, parent.id)
            await repo.find_or_add_child(session, parent.id, f"Ребёнок {parent.id}",
                                         (utcnow() - timedelta(days=2600)).date())
    await _all(emu, [p.send_command("/projects") for p in parents])
    await _all(emu, [p.press("Кастинг «Весна»") for p in parents])
    await _all(emu, [p.press("Записаться") for p in parents])
    await _all(emu, [p.press(f"Ребёнок {p.id}") for p in parents])
    assert all(panel(p).has_button("Записать") for p in parents)

    await _all(emu, [p.press("Записать") for p in parents])  # the rush

    rows = await applications(bot, project_id)
    assert [r.status for r in rows] == ["applied"] * PLACES + ["waiting"] * (PARENTS - PLACES)
    assert [r.position for r in rows] == list(range(1, PARENTS + 1))
    told = {p.id: p.last.text for p in parents}
    assert sum("в списке участников" in t for t in told.values()) == PLACES
    ranks = {}
    for parent_id, text in told.items():
        if "в листе ожидания" in text:
            ranks[parent_id] = int(re.search(r"место (\d+)", text).group(1))
    waiting_in_order = [r.parent_id for r in rows if r.status == "waiting"]
    assert [ranks[pid] for pid in waiting_in_order] == list(range(1, PARENTS - PLACES + 1))
