"""Texts of renewals and gentle reminders: what parents get when a paid period ends or a link waits unpaid
(editable TextDefs, screen «Продление»), and the director's «Заканчивается оплата» section (the panel's own
wording, `editable=False`, read with `texts.fixed`)."""

from happykids.texts.model import TextDef, TextKind, fixed_texts

SCREEN = "Продление"


def _t(key: str, default: str, description: str, kind: TextKind = TextKind.MESSAGE) -> TextDef:
    return TextDef(f"renewals.{key}", default, SCREEN, description, kind)


PARENT_TEXTS = [
    _t("soon", "Здравствуйте! 🌟 Оплаченный период в группе <b>{group}</b> заканчивается <b>{until}</b>.\n\n"
               "Чтобы продолжить занятия, нажмите «Продлить» — покажем тот же выбор ({period}, {children}), "
               "останется подтвердить и оплатить.", "Напоминание за несколько дней до конца оплаченного периода"),
    _t("over", "Здравствуйте! Оплаченный период в группе <b>{group}</b> закончился <b>{until}</b>, новой оплаты "
               "мы пока не видим.\n\nЕсли вы продолжаете — нажмите «Продлить». Если уже оплатили, пришлите, "
               "пожалуйста, фото чека.", "Напоминание после конца оплаченного периода"),
    _t("manual", "Здравствуйте! Напоминаем про оплату группы <b>{group}</b>: оплачено до <b>{until}</b>.\n\n"
                 "Продлить можно в два касания — кнопкой ниже.", "Напоминание, отправленное директором из панели"),
    _t("followup", "Здравствуйте! Вы получили ссылку на оплату группы <b>{group}</b>, но чек к нам пока не "
                   "пришёл.\n\nЕсли уже оплатили — просто пришлите фото или PDF чека сюда. Если что-то не "
                   "получилось, нажмите /start, чтобы выбрать заново, или напишите нам: {contacts}",
       "Мягкое напоминание: ссылку получили, а чек не прислали"),
    _t("stopped", "Поняли, больше не напоминаем об оплате группы <b>{group}</b>. Спасибо, что были с нами! "
                  "Захотите вернуться — нажмите /start.", "После «Мы больше не занимаемся»"),
    _t("gone", "Этот выбор больше недоступен — давайте выберем заново.", "«Продлить», когда группы или периода "
       "уже нет в каталоге", TextKind.POPUP),
    _t("btn_renew", "🔄 Продлить", "Кнопка в напоминании: продлить оплату", TextKind.BUTTON),
    _t("btn_stop", "Мы больше не занимаемся", "Кнопка в напоминании: больше не напоминать", TextKind.BUTTON),
]

# -- the director's panel (not editable) --------------------------------------------------------------------
BTN_PANEL = "⏰ Заканчивается оплата"
BTN_REMIND_ALL = "🔔 Напомнить всем"
BTN_REMIND_ONE = "🔔 {name}"
BTN_SETTINGS = "⚙️ Настройки напоминаний"
BTN_DAYS = "{days} дн."
BTN_FOLLOWUP_ON = "✅ Мягкое напоминание: включено"
BTN_FOLLOWUP_OFF = "⏸ Мягкое напоминание: выключено"
BTN_HOURS = "через {hours} ч"
BTN_TO_LIST = "⬅️ К списку"
BTN_LENGTH = "⏱ Длина: {length}"
ASK_LENGTH = ("Период {title}: одна оплата действует <b>{length}</b>. За сколько дней до конца напомнить "
              "родителям — в «⏰ Заканчивается оплата».\n\nНапишите новую длину: <i>3 мес</i> или <i>14 дней</i>.")
ERR_LENGTH = "Не понял длину. Напишите, например, 3 мес или 14 дней (до 36 месяцев или 1000 дней)."
LENGTH_SET = "Готово: период {title} — {length}. Новые оплаты будут считаться так."
LIST = ("<b>⏰ Заканчивается оплата</b>\n\nКто заканчивается в ближайшие 7 дней и кто уже не продлил, "
        "по группам:\n\n{lines}\n\n🔔 — напомнить одному родителю, «Напомнить всем» — всем из списка. Ночью "
        "(21:00–09:00) напоминание ждёт утра.")
LIST_EMPTY = ("<b>⏰ Заканчивается оплата</b>\n\nВ ближайшие 7 дней ни у кого не заканчивается оплата, "
              "просроченных нет. 🎉")
GROUP_LINE = "<b>{group}</b>"
PERSON_ENDING = "• {name} — до {until}"
PERSON_OVERDUE = "• ⚠️ {name} — закончилась {until}"
SETTINGS = ("<b>⚙️ Напоминания</b>\n\n<b>О продлении:</b> за {days} до конца оплаченного периода и ещё раз "
            "на следующий день после конца, если оплаты нет.\nЗа сколько дней напоминать:\n\n"
            "<b>Мягкое напоминание:</b> родителю, который получил ссылку, но не прислал чек, — один раз через "
            "{hours} ч. Сейчас: {followup}.")
FOLLOWUP_ON = "включено"
FOLLOWUP_OFF = "выключено"
ASK_PAID_UNTIL = ("Чек №{receipt}: оплачено до <b>{until}</b>.\n\nНапишите новую дату, например "
                  "<i>31.12.2026</i>.")
NO_PAID_UNTIL = "Чек №{receipt} не задаёт «оплачено до»: он не подтверждён или отправлен без выбора группы."
PAID_UNTIL_SET = "Готово: чек №{receipt} — оплачено до <b>{until}</b>. Напоминания перенесены."
ERR_DATE = "Не похоже на дату. Напишите так: 31.12.2026."
CARD_PAID_UNTIL = "\n📅 Оплачено до {until} · изменить: /paid_{receipt}"
REMINDED = "Напоминаний поставлено в очередь: {count}. Кому сегодня уже напоминали, второй раз не отправим."
POPUPS = frozenset({"REMINDED"})

_AUDIT = {"renewals.length": "изменил(а) длину периода",
          "renewals.paid_until": "исправил(а) дату «оплачено до»",
          "renewals.settings": "изменил(а) напоминания",
          "renewals.remind": "отправил(а) напоминание об оплате"}
TEXTS: list[TextDef] = PARENT_TEXTS + fixed_texts(
    {k: v for k, v in globals().items() if k not in ("SCREEN", "PARENT_TEXTS", "POPUPS", "_AUDIT")},
    "renewals_panel", "Продление (панель)", POPUPS) + [
    TextDef(f"panel.audit_actions.{action}", text, "Панель", action, editable=False) for action, text in _AUDIT.items()
]
