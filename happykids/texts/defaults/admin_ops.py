"""Texts of the panel's «Платежи», «Статистика» and «Рассылка» sections.

TextDefs read with `texts.fixed("panel_ops.<name>")`, not offered in the texts editor (only admins see them).
Templates are Telegram HTML; values are escaped when filled in. The broadcast itself is the director's own text.
"""

from happykids.texts.model import TextDef, fixed_texts

# -- buttons ---------------------------------------------------------------------------------------------
BTN_SEARCH = "🔎 Найти родителя"
BTN_SEARCH_AGAIN = "🔎 Искать ещё"
BTN_EXPORT = "📥 Выгрузить таблицу"
BTN_TO_PAYMENTS = "⬅️ Платежи"
BTN_ALL_XLSX = "Все — Excel"
BTN_ALL_CSV = "Все — CSV"
BTN_MONTH_XLSX = "{month} — Excel"
BTN_CSV = "CSV"
BTN_WEEK = "7 дней"
BTN_MONTH = "30 дней"
BTN_ALL_TIME = "Всё время"
BTN_NEW_BROADCAST = "✍️ Новая рассылка"
BTN_TO_BROADCAST = "⬅️ Рассылка"
BTN_AUD_ALL = "👪 Всем родителям ({count})"
BTN_AUD_GROUP = "👧 Родителям группы…"
BTN_AUD_PAID = "💳 Оплатившим в {month} ({count})"
BTN_GROUP = "{title} ({count})"
BTN_SEND = "✅ Отправить ({count})"
BTN_OTHER_AUDIENCE = "👥 Другие получатели"
BTN_REWRITE = "✏️ Написать заново"
BTN_CANCEL_BROADCAST = "✖️ Отменить"
BTN_STOP_BROADCAST = "⏹ Остановить рассылку"

# -- payments --------------------------------------------------------------------------------------------
PAYMENTS = ("<b>💳 Платежи</b>\n\n"
            "Чеков всего: {total}\n"
            "⏳ на проверке: {pending} · ✅ подтверждено: {approved} · ❌ отклонено: {rejected}\n"
            "Подтверждено за {month}: <b>{month_sum} ₽</b> ({month_count:чек|чека|чеков})\n\n"
            "Найдите родителя или выгрузите таблицу для Excel.")
ASK_QUERY = ("Кого ищем? Напишите имя или фамилию родителя, @username или Telegram id.\n"
             "Например: <i>Анна</i>, <i>@anna</i>, <i>123456789</i>")
NOTHING_FOUND = "По запросу «{query}» никого не нашла. Попробуйте иначе — часть имени, @username или id."
FOUND = "Найдено: {total}{shown}. Запрос: «{query}»"
FOUND_SHOWN = ", показаны первые {limit} — уточните запрос"
PARENT = "<b>{name}</b> {username} · id <code>{user_id}</code>"
NO_RECEIPTS = "   чеков нет"
RECEIPT_LINE = "{icon} {date} · {group}, {period}, {children}{amount} · {status}{decided}"
MORE_RECEIPTS = "   …и ещё чеков: {count} (все — в выгрузке)"
EXPORT = ("<b>📥 Выгрузка платежей</b>\n\n"
          "Выберите период и формат. Excel — для просмотра, CSV — для 1С и других программ.\n"
          "Колонки: дата, родитель, username, группа, период, дети, сумма, статус, кто решил, архив, "
          "способ оплаты и номера платежей в Telegram и у провайдера.")
EXPORT_EMPTY = "Платежей за этот период нет"
EXPORT_PREPARING = "Готовлю файл…"
EXPORT_CAPTION = ("Платежи {period}: {total:чек|чека|чеков}\n"
                  "✅ подтверждено: {approved} на {approved_sum} ₽ · ⏳ на проверке: {pending} · "
                  "❌ отклонено: {rejected}")
PERIOD_ALL = "за всё время"
PERIOD_MONTH = "за {month}"

# -- statistics ------------------------------------------------------------------------------------------
STATS = ("<b>📊 Статистика</b>\n\n"
         "Воронка родителей: начали → выбрали группу → подтвердили → получили ссылку → прислали чек → "
         "оплата подтверждена. Выберите период 👇")
STATS_CHART_CAPTION = "📊 Воронка {period}. Проценты на графике — от всех, кто начал (/start)."
STATS_WORKING = "Считаю…"

# -- broadcasts ------------------------------------------------------------------------------------------
BROADCAST = ("<b>📣 Рассылка</b>\n\n"
             "Сообщение всем родителям, родителям одной группы или оплатившим в этом месяце. "
             "Перед отправкой покажу, как его увидят родители.\n\n{history}")
NO_HISTORY = "Рассылок ещё не было."
# who a broadcast goes to, as the history, the preview and the choice name them
AUDIENCE_ALL = "все родители"
AUDIENCE_GROUP = "родители группы «{title}»"
AUDIENCE_PAID = "оплатившие за {month} (чек на проверке или подтверждён)"
HISTORY_HEAD = "<b>Последние рассылки:</b>"
HISTORY_LINE = "№{number} · {date} · {audience} · доставлено {sent} из {total}{state}"
HISTORY_SENDING = " · ⏳ идёт"
HISTORY_STOPPING = " · ⏳ останавливается"
HISTORY_STOPPED = " · ⏹ остановлена"
ASK_CONTENT = ("Пришлите сообщение для родителей: <b>текст</b> или <b>фото с подписью</b>.\n"
               "Оформляйте как привыкли: кнопками Telegram (жирный, курсив, ссылка) или тегами, например "
               "&lt;b&gt;жирный&lt;/b&gt;. Перед отправкой я покажу, как его увидят родители.")
WRONG_CONTENT = "Нужен текст или фото (можно с подписью). Видео, файлы и стикеры разослать нельзя."
CAPTION_TOO_LONG = "Подпись к фото слишком длинная: {length} символов, Telegram разрешает боту до 1024."
CHOOSE_AUDIENCE = "Кому отправить?"
CHOOSE_GROUP = "Родителям какой группы? В скобках — сколько родителей (выбирали группу или присылали чек)."
NO_GROUPS = "В каталоге нет групп."
AUDIENCE_CHOSEN = "Получатели: {audience}"
PREVIEW_ABOVE = ("👆 Так сообщение увидят родители.\n\n"
                 "Кому: {audience}\n"
                 "Получателей: <b>{count}</b>{blocked}\n\n"
                 "Отправить?")
PREVIEW_BLOCKED = ("\n(ещё {blocked:родитель заблокировал бота — ему|родителя заблокировали бота — им|"
                   "родителей заблокировали бота — им} не отправится)")
NOBODY = "Получателей нет: {audience}. Выберите других."
DRAFT_GONE = "Этот черновик уже отправлен или отменён"
STARTING = "⏳ Рассылка №{number} запускается: {count:получатель|получателя|получателей}…"
CANCELLED = "Рассылка отменена — никому не отправлено."
ALBUM_ONE_PHOTO = ("ℹ️ В рассылке может быть только одно фото. Я взяла первое из альбома, "
                   "остальные не войдут в рассылку.")
# answers to «⏹ Остановить рассылку» (a short popup each)
STOPPING_NOW = ("⏹ Останавливаю рассылку №{number}: ещё {count:родитель её не получит|родителя её не получат|"
                "родителей её не получат}. Отчёт придёт через пару секунд.")
STOP_TOO_LATE = "Рассылка №{number} уже ушла всем — останавливать нечего. Отчёт придёт через пару секунд."
STOP_ALREADY = "Рассылка №{number} уже останавливается — отчёт придёт через пару секунд."
STOP_FINISHED = "Рассылка №{number} уже завершена — останавливать нечего."
STOP_WAS_STOPPED = "Рассылка №{number} уже остановлена."
STOP_MISSING = "Рассылки №{number} больше нет."
# the progress message the sender edits (sent without HTML) and the report at the end
PROGRESS_SENDING = "📤 Рассылка №{number}: отправлено {done} из {total}"
PROGRESS_FINISHED = "🏁 Рассылка №{number}: отправлено {done} из {total}"
PROGRESS_STOPPED = "⏹ Рассылка №{number} остановлена: отправлено {done} из {total}, отменено {cancelled}"
PROGRESS_RESUMED = "♻️ Бот перезапускался — продолжаю."
PROGRESS_COUNTS = "Доставлено: {sent} · заблокировали бота: {blocked} · не доставлено: {failed}"
REPORT_DONE = "✅ <b>Рассылка №{number} завершена</b>"
REPORT_STOPPED = "⏹ <b>Рассылка №{number} остановлена</b>"
REPORT_TOTAL = "Получателей: {total}"
REPORT_SENT = "Доставлено: <b>{sent}</b>"
REPORT_SENT_BEFORE_STOP = "Доставлено до остановки: <b>{sent}</b>"
REPORT_BLOCKED = "Заблокировали бота: {blocked}"
REPORT_FAILED = "Не доставлено (ошибка): {failed}"
REPORT_UNKNOWN = "  из них не уверены, дошло ли (бот перезапускался во время отправки): {unknown}"
REPORT_CANCELLED = "Отменено (не отправлено): <b>{cancelled}</b>"


POPUPS = frozenset({'DRAFT_GONE', 'EXPORT_EMPTY', 'EXPORT_PREPARING', 'NO_GROUPS', 'STATS_WORKING'})
TEXTS: list[TextDef] = fixed_texts(globals(), "panel_ops", "Панель", POPUPS)
