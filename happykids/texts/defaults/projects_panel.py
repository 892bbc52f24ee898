"""Texts of the director's «🎬 Проекты» section: the list, the guided dialog, a project's card, applications.

TextDefs like the panel's own (`editable=False`, read with `texts.fixed`): only admins see them. The errors of
her typed answers are keys that domain/projects.py raises (`projects.err_*`).
"""

from happykids.texts.model import TextDef, fixed_texts

BTN_PANEL = "🎬 Проекты"
BTN_ADM_NEW = "➕ Новый проект"
BTN_ADM_APPS = "📋 Заявки"
BTN_ADM_PUBLISH = "🚀 Опубликовать"
BTN_ADM_DRAFT = "💾 Сохранить черновик"
BTN_ADM_CANCEL = "❌ Отменить проект"
BTN_ADM_CLOSE = "⏸ Закрыть запись"
BTN_ADM_REOPEN = "▶️ Открыть запись снова"
BTN_ADM_CANCEL_NO_REASON = "Отменить без причины"
BTN_ADM_NO_REASON = "Без причины"
BTN_ADM_TO_LIST = "⬅️ К проектам"
BTN_ADM_TO_CARD = "⬅️ К проекту"
BTN_ADM_TBA = "📅 Дата уточняется"
BTN_ADM_UNLIMITED = "♾ Без ограничений"
BTN_ADM_FREE = "🆓 Бесплатно"
BTN_ADM_NO_DEADLINE = "До начала проекта"
BTN_ADM_PUBLISH_ANNOUNCE = "📣 Опубликовать с анонсом"
BTN_ADM_PUBLISH_QUIET = "🚀 Опубликовать без анонса"
BTN_ADM_ANNOUNCE = "📣 Разослать анонс"
BTN_ADM_NO_POSTER = "🖼 Без афиши"
BTN_ADM_WHO_ALL = "👥 Все родители"
BTN_ADM_WHO_NEXT = "Дальше ➡️"
BTN_ADM_ANY_AGE = "Любой возраст"
BTN_ADM_EDIT = "✏️ Изменить"
BTN_ADM_FIELD = {"title": "Название", "kind": "Вид", "description": "Описание", "poster": "Афиша",
                 "when": "Дата и время", "place": "Место", "who": "Кто может записаться", "ages": "Возраст",
                 "places": "Мест", "deadline": "Срок записи", "fee": "Стоимость"}
BTN_ADM_TO_APPROVED = "✉️ Написать одобренным"
BTN_ADM_EXPORT = "📥 Список в XLSX"
BTN_ADM_SEND = "📨 Отправить"
BTN_ADM_KIND = {"casting": "Кастинг", "shoot": "Съёмка", "show": "Показ", "other": "Другое"}

ADM_LIST = "<b>🎬 Проекты</b>\n\n{lines}\n\nНажмите на проект, чтобы открыть его."
ADM_LIST_EMPTY = "<b>🎬 Проекты</b>\n\nПроектов пока нет. Нажмите «➕ Новый проект» — это пара минут."
ADM_LINE = "{status} <b>{title}</b> — {when}"
ADM_STATUS = {"draft": "📝 черновик", "published": "🟢 запись открыта", "closed": "⏸ запись закрыта",
              "cancelled": "❌ отменён"}
STEP_HEAD = "<b>Новый проект, шаг {n} из {total}.</b>"
EDIT_HEAD = "<b>Изменение «{title}».</b>"
ASK_TITLE = "Как он называется? Например: <i>Кастинг в рекламу детской одежды</i>"
ASK_KIND = "Что это?"
ASK_DESCRIPTION = ("Опишите проект одним сообщением: что будет, что взять с собой, требования. "
                   "Жирный, курсив и ссылки сохранятся, как вы их оформите.")
ASK_POSTER = "Пришлите афишу — картинку одним фото, — или нажмите «Без афиши»."
ASK_WHEN = ("Когда? Напишите дату и время по Екатеринбургу, например <i>25.12.2026 14:00</i>, "
            "или нажмите «Дата уточняется».")
ASK_PLACE = "Где? Адрес или место, например <i>Студия на Малышева, 51</i>."
ASK_WHO = ("Кто может записаться? Все родители — или только те, кто оплатил занятия в выбранных группах: "
           "отметьте группы и нажмите «Дальше».")
ASK_AGES = ("Сколько лет должно быть детям на дату проекта? Напишите, например, <i>5-9</i>, <i>от 10</i> или "
            "<i>до 7</i>, или нажмите «Любой возраст».")
ASK_PLACES = "Сколько мест? Напишите число, например <i>10</i>, или нажмите «Без ограничений»."
ASK_DEADLINE = "До какого дня принимаем заявки? Например <i>20.12.2026</i> или <i>20.12.2026 18:00</i>."
ASK_FEE = ("Участие платное?\n\n"
           "• бесплатно — нажмите «Бесплатно»;\n"
           "• платно — напишите сумму и ссылку на оплату через пробел: <i>1500 https://pay.example.com/x</i>;\n"
           "• запись у организатора — пришлите только ссылку на его форму.")
PREVIEW = ("<b>Так проект увидят родители</b> 👇\n\n{card}{poster}\n\n<b>Кто может записаться:</b> {who}\n\n"
           "Опубликовать с анонсом подходящим родителям ({count}), без анонса или сохранить черновиком?")
POSTER_TOO_LONG = ("\n\n<i>Афиша не поместится: с описанием карточка длиннее подписи к фото (1024 знака), "
                   "поэтому родители увидят её текстом. Сократите описание, чтобы афиша показывалась.</i>")
WHO_ALL = "все родители"
WHO_GROUPS = "оплатившие группы: {groups}"
ADM_CARD = ("{card}\n\n<b>Статус:</b> {status}\n<b>Кто может записаться:</b> {who}\n"
            "Заявок: {applied} · одобрено: {approved}{paid} · в ожидании: {waiting}\nСвободно мест: {left}{link}")
ADM_PAID = " · оплачено: {paid}"
ADM_UNLIMITED = "без ограничений"
DEEP_LINK = "\n\nСсылка для канала и Instagram — по ней родители попадут прямо на проект:\n{url}"
APPS = ("<b>Заявки: {title}</b>\n\n{lines}\n\n✅ — одобрить, ❌ — отклонить (спрошу причину), "
        "⏬ — в лист ожидания, ⏫ — из листа ожидания в список.")
APPS_EMPTY = "<b>Заявки: {title}</b>\n\nЗаявок пока нет."
APPS_MORE = "…и ещё {count}"
APP_LINE = "{n}. {status} <b>{child}</b>, {age} — {parent}"
APP_STATUS = {"applied": "🆕", "waiting": "⏳", "approved": "✅", "rejected": "❌", "cancelled": "✖️"}
ASK_REJECT = ("Отклонить заявку: <b>{child}</b>?\n\nНапишите причину одним сообщением — родитель её увидит. "
              "Или нажмите «Без причины».")
ASK_CANCEL = ("Отменить «<b>{title}</b>»?\n\nВсе, кто записался ({count}), получат сообщение. Напишите причину "
              "одним сообщением или нажмите «Отменить без причины».")
ERR_DATE_FORMAT = "Не получается прочитать дату. Напишите так: <i>25.12.2026 14:00</i>"
ERR_NEED_TIME = "Нужно и время: например <i>25.12.2026 14:00</i>"
ERR_PAST = "Эта дата уже прошла — укажите будущую."
ERR_DEADLINE_AFTER_START = "Запись должна закончиться до начала проекта."
ERR_PLACES = "Напишите число мест цифрами, например <i>10</i>, или нажмите «Без ограничений»."
ERR_FEE = ("Не понимаю. Нажмите «Бесплатно», или напишите сумму и ссылку через пробел: "
           "<i>1500 https://pay.example.com/x</i>, или только ссылку на запись у организатора.")
ERR_TITLE = "Название — одна строка до 120 знаков."
ERR_PLACE = "Место — до 300 знаков."
ERR_DESCRIPTION = "Описание слишком длинное: не больше 2500 знаков."
ERR_NO_PLACES = "Мест нет — сначала освободите место"
ERR_AGES = "Не понимаю возраст. Напишите так: <i>5-9</i>, <i>от 10</i> или <i>до 7</i> (от 0 до 18 лет)."
ERR_POSTER = "Нужна картинка, присланная как фото (не файлом), или нажмите «Без афиши»."
WHO_NEED_GROUP = "Отметьте хотя бы одну группу или нажмите «Все родители»"
ANNOUNCED_DONE = "Анонс поставлен в рассылку: {count} родителям"
ANNOUNCED_BEFORE = "Анонс этого проекта уже разослан"
ANNOUNCE_NOBODY = "Анонс некому отправить: подходящих родителей пока нет"
EDIT_CHOOSE = "<b>Что изменить в «{title}»?</b>\n\nЗаписавшимся я напишу, только если изменятся дата или место."
EDITED_DONE = "Сохранено"
EDITED_TOLD = "Сохранено; записавшимся написал о новой дате и месте"
MOVED_DOWN_DONE = "Перенесено в лист ожидания, родителю написал"
MOVED_UP_DONE = "Перенесено в список, родителю написал"
ASK_TO_APPROVED = ("<b>Сообщение участникам «{title}»</b>\n\nЕго получат родители одобренных детей ({count}). "
                   "Напишите текст или пришлите фото с подписью.")
NOBODY_APPROVED = "Одобренных участников пока нет"
TO_APPROVED_PREVIEW = "👆 Так сообщение увидят участники ({count}). Отправить?"
TO_APPROVED_QUEUED = "Отправляю участникам: {count}"
EXPORT_CAPTION = "📋 «{title}»: заявок {count}"
EXPORT_EMPTY = "Заявок пока нет — выгружать нечего"
BC_AUDIENCE_PROJECT = "анонс проекта «{title}»"
BC_AUDIENCE_PROJECT_APPROVED = "участники проекта «{title}»"
USE_BUTTONS = "Здесь нужно выбрать кнопкой под сообщением."
SAVED_DRAFT = "Черновик сохранён — родители его не видят"
PUBLISHED_DONE = "Опубликовано — родители уже видят проект"
APPROVED_DONE = "Одобрено, родитель получил сообщение"
REJECTED_DONE = "Заявка отклонена, родитель получил сообщение"
CLOSED_DONE = "Запись закрыта — новых заявок не будет, список остаётся"
CANCELLED_DONE = "Проект отменён, всем записавшимся написали"
GONE = "Этого уже нет — показываю, что есть сейчас"
DRAFT_GONE = "Этот черновик уже сохранён или устарел"

POPUPS = frozenset({"WHO_NEED_GROUP", "ANNOUNCED_DONE", "ANNOUNCED_BEFORE", "ANNOUNCE_NOBODY", "EDITED_DONE",
                    "EDITED_TOLD", "MOVED_DOWN_DONE", "MOVED_UP_DONE", "NOBODY_APPROVED", "TO_APPROVED_QUEUED",
                    "EXPORT_EMPTY", "ERR_NO_PLACES", "SAVED_DRAFT", "PUBLISHED_DONE", "APPROVED_DONE", "REJECTED_DONE",
                    "CANCELLED_DONE", "CLOSED_DONE", "GONE", "DRAFT_GONE"})
_AUDIT = {"project.draft": "сохранил(а) черновик проекта", "project.publish": "опубликовал(а) проект",
          "project.approve": "одобрил(а) заявку на проект", "project.reject": "отклонил(а) заявку на проект",
          "project.cancel": "отменил(а) проект", "project.close": "закрыл(а) запись на проект",
          "project.edit": "изменил(а) проект", "project.announce": "разослал(а) анонс проекта",
          "project.move": "перенес(ла) заявку на проект", "project.message": "написал(а) участникам проекта"}
TEXTS: list[TextDef] = fixed_texts(globals(), "projects", "Проекты (панель)", POPUPS) + [
    TextDef(f"panel.audit_actions.{action}", text, "Панель", action, editable=False) for action, text in _AUDIT.items()
]
