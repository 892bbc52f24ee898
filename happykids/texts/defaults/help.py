"""Texts of /help, the command menu and unknown input outside the dialog."""

from happykids.texts.model import TextDef, TextKind

S = "Помощь"
TEXTS = [
    TextDef(
        "help.text",
        "<b>Как оплатить занятия</b>\n"
        "1. Отправьте /start.\n2. Кнопками выберите группу, период и количество детей.\n"
        "3. Проверьте выбор и нажмите «Подтвердить» — придёт ссылка на оплату.\n"
        "4. Оплатите и пришлите сюда фото или PDF чека.\n"
        "5. Я напишу, когда администратор подтвердит оплату.\n\n"
        "Начать заново можно в любой момент: /start\n\n<b>Контакты:</b>\n{contacts}",
        S, "Ответ на /help",
    ),
    TextDef("cmd.start", "Начать оплату", S, "Описание команды /start в меню", kind=TextKind.COMMAND),
    TextDef("cmd.help", "Помощь и контакты", S, "Описание команды /help в меню", kind=TextKind.COMMAND),
    TextDef("common.unknown_command", "Такой команды нет. Доступны /start и /help.", S,
            "Ответ на неизвестную команду"),
    TextDef("common.error", "Ой, что-то пошло не так. Попробуйте ещё раз или отправьте /start.", S,
            "Ответ, если при обработке случилась ошибка"),
]
TEXTS.append(
    TextDef("common.edited_message",
            "Исправления в уже отправленных сообщениях я не вижу — пожалуйста, отправьте новое сообщение "
            "или выберите вариант кнопкой.", S, "Ответ на отредактированное сообщение"),
)
