"""Texts of the receipt archive: the panel's «Архив чеков» screen and the admins' warning about the MEGA login.

TextDefs read with `texts.fixed("archive.<name>")`, not offered in the texts editor (only admins see them).
Templates are Telegram HTML; values are escaped when filled in.
"""

from happykids.texts.model import TextDef, fixed_texts

BTN_ARCHIVE = "🗄 Архив чеков"  # in the panel's main menu
BTN_REFRESH = "🔄 Обновить"

# Sent once to every admin when MEGA refuses the login (not again on restarts until it has worked).
LOGIN_REFUSED = ("⚠️ <b>Чеки не попадают в архив MEGA</b>\n\n"
                 "MEGA не принимает логин или пароль ({email}). Чеки не потеряются: они хранятся на сервере бота "
                 "и сами уйдут в MEGA, как только вход заработает.\n\n"
                 "Что сделать: проверьте MEGA_EMAIL и MEGA_PASSWORD в настройках бота (файл .env) и перезапустите "
                 "бота. Состояние архива — в /admin → «🗄 Архив чеков».")

SCREEN = "<b>🗄 Архив чеков</b>\n\n{where}\n{status}\n\nПоследняя выгрузка: {last_upload}\nЖдут выгрузки: {backlog}"
WHERE_MEGA = "Куда: MEGA ({email}), папка «{folder}»"
WHERE_LOCAL = "Куда: папка archive на сервере бота (MEGA не подключена)"
STATUS = {
    "ok": "✅ Работает",
    "checking": "⏳ Проверяю вход в MEGA…",
    "login": "⚠️ MEGA не принимает логин или пароль: проверьте MEGA_EMAIL и MEGA_PASSWORD в .env и перезапустите бота",
    "unreachable": "⏳ MEGA не отвечает — бот повторит попытку сам",
    "upload": "⏳ Выгрузка не удалась — бот повторит попытку сам",
}
NEVER = "пока нет"
LAST_ERROR = "\n\nПоследняя ошибка ({at}):\n<code>{error}</code>"

TEXTS: list[TextDef] = fixed_texts(globals(), "archive", "Панель")
