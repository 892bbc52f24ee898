"""Who may use the panel: /admin is invisible to parents, forged presses change nothing, admins come
and go from the panel, and the admins from the server settings stay."""

from __future__ import annotations

import json

from sqlalchemy import select

from happykids.db.models import Admin
from happykids.domain.catalog import CatalogKind
from happykids.ui.callbacks import (
    AdminMenu,
    AdminsAct,
    AdminsAction,
    ContactsEdit,
    ItemAct,
    ItemAction,
    LinkAct,
    LinkAction,
    Section,
    TextAct,
    TextAction,
)
from tests.e2e.admin_helpers import (
    audit_entries,
    catalog,
    director,
    open_panel,
    panel,
    popups,
    press,
    say,
    step,
)
from tests.e2e.conftest import ADMIN_ID

MENU_SECTIONS = ["Каталог", "Ссылки", "Контакты", "Тексты", "Админы", "Журнал", "Чеки", "Платежи", "Статистика",
                 "Рассылка"]


async def test_admin_opens_the_panel_with_every_section(emu, bot):
    menu = await open_panel(emu, director(emu))
    assert "Панель управления" in menu.text
    for section in MENU_SECTIONS:
        assert menu.has_button(section), section


async def test_admin_for_a_parent_is_just_an_unknown_command(emu, bot):
    parent = emu.user(2001, "Ирина")
    await step(emu, parent.send_command("/nosuchcommand"))
    unknown = parent.last
    await step(emu, parent.send_command("/admin"))
    answer = parent.last
    assert answer.message_id != unknown.message_id
    assert answer.text == unknown.text and answer.buttons == unknown.buttons == []
    assert "Панель" not in answer.text and "админ" not in answer.text.lower()


async def test_forged_admin_presses_from_a_parent_change_nothing(emu, bot):
    parent = emu.user(2002, "Олег")
    await step(emu, parent.send_command("/start"))
    before = await catalog(bot)
    kids = before.groups[0]
    message_id = panel(parent).message_id
    forged = [
        ItemAction(kind=CatalogKind.GROUP, id=kids.id, action=ItemAct.DELETE_YES),
        ItemAction(kind=CatalogKind.GROUP, id=kids.id, action=ItemAct.HIDE),
        LinkAction(group_id=kids.id, period_id=before.periods[0].id, children_id=before.children[0].id,
                   action=LinkAct.REMOVE_YES),
        AdminsAction(action=AdminsAct.REMOVE_YES, user_id=ADMIN_ID),
        TextAction(key="dialog.choose_group", action=TextAct.RESET_YES),
        AdminMenu(section=Section.CATALOG),
        ContactsEdit(),
    ]
    for data in forged:
        await step(emu, parent.press_data(message_id, data.pack()))

    assert await catalog(bot) == before
    assert await audit_entries(bot) == []
    assert len(parent.callback_answers) == len(forged)  # every press answered, by the general fallback
    assert all("устарела" in text for text in popups(parent))
    assert not any("Панель" in m.text or "Каталог" in m.text for m in parent.bot_messages)


async def test_admin_added_from_the_panel_can_open_it_until_removed(emu, bot):
    boss = director(emu)
    helper = emu.user(3001, "Света", username="sveta")
    await step(emu, helper.send_command("/admin"))
    assert "Такой команды нет" in helper.last.text

    await open_panel(emu, boss)
    prompt = await press(emu, boss, "Админы", "Добавить админа")
    assert "id" in prompt.text
    await say(emu, boss, "не число")
    assert "Перешлите" in boss.last.text and boss.last.has_button("Отмена")  # same prompt again
    await say(emu, boss, "3001")
    assert any("Света" in m.text and "теперь админ" in m.text for m in boss.bot_messages)
    assert "Света" in panel(boss).text

    menu = await open_panel(emu, helper)
    assert menu.has_button("Каталог")

    await press(emu, boss, "Света")  # the remove button carries the name
    assert "Убрать" in panel(boss).text
    await press(emu, boss, "Да, удалить")
    assert "Света" not in panel(boss).text

    # Rights are checked on every press: her open panel is dead now, and /admin is unknown again.
    await step(emu, helper.press("Каталог", menu.message_id))
    assert "устарела" in popups(helper)[-1]
    await step(emu, helper.send_command("/admin"))
    assert "Такой команды нет" in helper.last.text
    actions = [e.action for e in await audit_entries(bot)]
    assert actions == ["admin.add", "admin.remove"]


async def test_admin_can_be_added_by_forwarding_their_message(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Админы", "Добавить админа")
    forwarded = {"text": "Привет!", "forward_origin": {
        "type": "user", "date": 1700000000,
        "sender_user": {"id": 3002, "is_bot": False, "first_name": "Вера", "username": "vera"},
    }}
    await step(emu, boss._send(forwarded, None))
    assert "Вера" in panel(boss).text
    async with bot.sessions() as session:
        assert (await session.get(Admin, 3002)).name == "Вера"

    hidden = {"text": "Привет!", "forward_origin": {"type": "hidden_user", "date": 1700000000,
                                                     "sender_user_name": "Кто-то"}}
    await press(emu, boss, "Добавить админа")
    await step(emu, boss._send(hidden, None))
    assert "скрыл" in boss.last.text and boss.last.has_button("Отмена")


async def test_env_admin_cannot_be_removed(emu, bot):
    boss = director(emu)
    async with bot.sessions() as session, session.begin():
        session.add(Admin(user_id=3003, name="Катя"))
    helper = emu.user(3003, "Катя")
    screen = await open_panel(emu, helper)
    screen = await press(emu, helper, "Админы")
    assert "🔒" in screen.text and not screen.has_button("Марина") and not any(
        str(ADMIN_ID) in (b.callback_data or "") for row in screen.buttons for b in row)

    # Even a forged press from another admin does not remove the director.
    await step(emu, helper.press_data(screen.message_id, AdminsAction(action=AdminsAct.REMOVE_YES,
                                                                        user_id=ADMIN_ID).pack()))
    assert "настройках сервера" in popups(helper)[-1]
    menu = await open_panel(emu, boss)
    assert menu.has_button("Каталог")
    async with bot.sessions() as session:
        assert (await session.scalars(select(Admin.user_id))).all() == [3003]


async def test_commands_and_other_buttons_leave_the_pending_input(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Группы", "Добавить")
    await step(emu, boss.send_command("/start"))  # she went to look at the parent's side
    await say(emu, boss, "Случайный текст")
    groups = [g.title for g in (await catalog(bot)).groups]
    assert "Случайный текст" not in groups  # not taken as a new group title


async def test_admin_gets_panel_commands_in_her_own_menu_only(emu, bot):
    director = emu.user(ADMIN_ID, "Директор")
    await director.send_command("/admin")
    await emu.settle(quiet=0.2)
    menus = {}
    for params in emu.calls_of("setMyCommands"):
        scope = params.get("scope") or {"type": "default"}
        scope = json.loads(scope) if isinstance(scope, str) else scope
        commands = params["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        menus[(scope["type"], scope.get("chat_id"))] = {c["command"] for c in commands}
    assert menus[("default", None)] == {"start", "projects", "mydata", "help"}
    assert menus[("chat", ADMIN_ID)] == {"start", "projects", "mydata", "help", "admin", "receipts"}


async def test_admin_can_be_added_by_the_username_of_someone_who_wrote_to_the_bot(emu, bot):
    """Issue #10: a @username works for anyone who has written to the bot; otherwise the ways that work."""
    boss = director(emu)
    helper = emu.user(3003, "Ольга", username="Olga_Manager")
    await step(emu, helper.send_command("/start"))
    await open_panel(emu, boss)
    prompt = await press(emu, boss, "Админы", "Добавить админа")
    assert "перешлите" in prompt.text and "@username" in prompt.text and "id" in prompt.text

    answer = await say(emu, boss, "@stranger_mom")
    assert "@stranger_mom ещё не писал(а) этому боту" in answer.text and "/start" in answer.text
    assert "перешлите" in answer.text and "id цифрами" in answer.text and answer.has_button("Отмена")

    await say(emu, boss, "@olga_manager")  # usernames ignore case
    assert any("Ольга" in m.text and "теперь админ" in m.text for m in boss.bot_messages)
    async with bot.sessions() as session:
        assert await session.get(Admin, 3003) is not None
    menu = await open_panel(emu, helper)
    assert menu.has_button("Каталог")
