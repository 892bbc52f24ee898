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
BTN_ADM_KIND = {"casting": "Кастинг", "shoot": "Съёмка", "show": "Показ", "other": "Другое"}

ADM_LIST = "<b>🎬 Проекты</b>\n\n{lines}\n\nНажмите на проект, чтобы открыть его."
ADM_LIST_EMPTY = "<b>🎬 Проекты</b>\n\nПроектов пока нет. Нажмите «➕ Новый проект» — это пара минут."
ADM_LINE = "{status} <b>{title}</b> — {when}"
ADM_STATUS = {"draft": "📝 черновик", "published": "🟢 запись открыта", "closed": "⏸ запись закрыта",
              "cancelled": "❌ отменён"}
ASK_TITLE = "<b>Новый проект, шаг 1 из 8.</b>\n\nКак он называется? Например: <i>Кастинг в рекламу детской одежды</i>"
ASK_KIND = "<b>Шаг 2 из 8.</b> Что это?"
ASK_DESCRIPTION = ("<b>Шаг 3 из 8.</b> Опишите проект одним сообщением: что будет, что взять с собой, требования. "
                   "Жирный, курсив и ссылки сохранятся, как вы их оформите.")
ASK_WHEN = ("<b>Шаг 4 из 8.</b> Когда? Напишите дату и время по Екатеринбургу, например <i>25.12.2026 14:00</i>, "
            "или нажмите «Дата уточняется».")
ASK_PLACE = "<b>Шаг 5 из 8.</b> Где? Адрес или место, например <i>Студия на Малышева, 51</i>."
ASK_PLACES = "<b>Шаг 6 из 8.</b> Сколько мест? Напишите число, например <i>10</i>, или нажмите «Без ограничений»."
ASK_DEADLINE = ("<b>Шаг 7 из 8.</b> До какого дня принимаем заявки? Например <i>20.12.2026</i> или "
                "<i>20.12.2026 18:00</i>.")
ASK_FEE = ("<b>Шаг 8 из 8.</b> Участие платное?\n\n"
           "• бесплатно — нажмите «Бесплатно»;\n"
           "• платно — напишите сумму и ссылку на оплату через пробел: <i>1500 https://pay.example.com/x</i>;\n"
           "• запись у организатора — пришлите только ссылку на его форму.")
PREVIEW = "<b>Так проект увидят родители</b> 👇\n\n{card}\n\nСохранить черновиком или опубликовать сразу?"
ADM_CARD = ("{card}\n\n<b>Статус:</b> {status}\n"
            "Заявок: {applied} · одобрено: {approved} · в ожидании: {waiting}\nСвободно мест: {left}{link}")
ADM_UNLIMITED = "без ограничений"
DEEP_LINK = "\n\nСсылка для канала и Instagram — по ней родители попадут прямо на проект:\n{url}"
APPS = "<b>Заявки: {title}</b>\n\n{lines}\n\n✅ — одобрить, ❌ — отклонить (спрошу причину)."
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
USE_BUTTONS = "Здесь нужно выбрать кнопкой под сообщением."
SAVED_DRAFT = "Черновик сохранён — родители его не видят"
PUBLISHED_DONE = "Опубликовано — родители уже видят проект"
APPROVED_DONE = "Одобрено, родитель получил сообщение"
REJECTED_DONE = "Заявка отклонена, родитель получил сообщение"
CLOSED_DONE = "Запись закрыта — новых заявок не будет, список остаётся"
CANCELLED_DONE = "Проект отменён, всем записавшимся написали"
GONE = "Этого уже нет — показываю, что есть сейчас"
DRAFT_GONE = "Этот черновик уже сохранён или устарел"

POPUPS = frozenset({"ERR_NO_PLACES", "SAVED_DRAFT", "PUBLISHED_DONE", "APPROVED_DONE", "REJECTED_DONE",
                    "CANCELLED_DONE", "CLOSED_DONE", "GONE", "DRAFT_GONE"})
_AUDIT = {"project.draft": "сохранил(а) черновик проекта", "project.publish": "опубликовал(а) проект",
          "project.approve": "одобрил(а) заявку на проект", "project.reject": "отклонил(а) заявку на проект",
          "project.cancel": "отменил(а) проект", "project.close": "закрыл(а) запись на проект"}
TEXTS: list[TextDef] = fixed_texts(globals(), "projects", "Проекты (панель)", POPUPS) + [
    TextDef(f"panel.audit_actions.{action}", text, "Панель", action, editable=False) for action, text in _AUDIT.items()
]
