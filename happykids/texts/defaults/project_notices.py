"""Texts of projects that parents see and that come from the director's side: the announcement with its
«Записаться» button, who may apply (ages, groups), a move between the list and the waiting list, a new date or
place, and the header of her message to the approved participants.

TextDefs the director can edit in «✍️ Тексты» (screen «Проекты»), like texts/defaults/projects.py.
"""

from happykids.texts.defaults.projects import SCREEN
from happykids.texts.model import TextDef, TextKind


def _t(key: str, default: str, description: str, kind: TextKind = TextKind.MESSAGE) -> TextDef:
    return TextDef(f"projects.{key}", default, SCREEN, description, kind)


TEXTS = [
    _t("announce", "📣 <b>{title}</b>\n{kind}\n\n📅 {when}\n📍 {place}\n💳 {fee}{ages}\n\n"
                   "Подробности и запись — по кнопке ниже 👇", "Анонс нового проекта в рассылке"),
    _t("btn_announce_apply", "✍️ Записаться", "Кнопка под анонсом проекта", TextKind.BUTTON),
    _t("ages_line", "\n👶 {ages}", "Строка о возрасте детей (в карточке и анонсе)"),
    _t("ages_between", "Возраст: {low}–{high} лет", "Возраст детей: от и до"),
    _t("ages_from", "Возраст: от {low} лет", "Возраст детей: только нижняя граница"),
    _t("ages_to", "Возраст: до {high} лет", "Возраст детей: только верхняя граница"),
    _t("ages_exact", "Возраст: {low} лет", "Возраст детей: ровно столько лет"),
    _t("err_age", "{child}: на дату проекта {age}, а сюда берут детей других лет ({ages}). Выберите другого "
                  "ребёнка.", "Ребёнок не подходит по возрасту", TextKind.POPUP),
    _t("err_age_new", "{child}: на дату проекта {age}, а на этот проект берут детей других лет ({ages}), "
                      "поэтому записать не получится.", "Новый ребёнок не подходит по возрасту"),
    _t("err_not_for_you", "Запись на этот проект — только для учеников некоторых групп агентства",
       "Родитель не из групп проекта", TextKind.POPUP),
    _t("moved_to_waiting", "Заявка {child} на «{project}» перенесена в лист ожидания, место {rank}. "
                           "Если место освободится, я сразу напишу.", "Сообщение: директор перенёс в лист ожидания"),
    _t("changed", "📅 Изменения в проекте «{project}»:\nКогда: {when}\nГде: {place}\n\nВаша заявка в силе. "
                  "Если планы изменились, её можно отменить в /projects.", "Сообщение: изменились дата или место"),
    _t("to_approved", "🎬 <b>{project}</b>\n\n{text}", "Сообщение директора участникам проекта (обёртка)"),
]
