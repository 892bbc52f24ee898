"""What the director sees in «🎬 Проекты»: the list, a project's card with its numbers, the applications.

The card's top is the parent's own card (ui/project_screens.card_body), so what she previews is what parents see;
with a poster it is the photo with the card as its caption, as parents get it (or text, with a note, when the
card is too long for a caption). A screen is (text, keyboard, photo or None) for ui/view.show.
"""

from __future__ import annotations

from datetime import date, tzinfo

from aiogram.types import InlineKeyboardMarkup

from happykids.db.models import Application, Child, Project
from happykids.domain.clock import agency_zone
from happykids.domain.projects import ApplicationStatus, ProjectKind, ProjectStatus
from happykids.services.project_announce import caption_fits
from happykids.services.project_roster import CardNumbers
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import (
    AdminMenu,
    AppDecision,
    PjAdm,
    ProjectAdmin,
    ProjectApplication,
    ProjectEditField,
    ProjectGroupPick,
    ProjectKindPick,
    Section,
)
from happykids.ui.keyboards.admin import Button, keyboard, label, menu_button
from happykids.ui.project_parent_screens import application_extras
from happykids.ui.project_screens import age_text, card_body, when_text

Screen = tuple[str, InlineKeyboardMarkup, str | None]
EDITABLE = ("title", "kind", "description", "poster", "when", "place", "who", "ages", "places", "deadline", "fee")

MAX_LISTED = 30  # applications with buttons on one screen (a page switch is left for later)
MAX_LINES = 50  # lines of applications on one screen: the message must stay under Telegram's 4096 characters


def to_list(texts: Texts) -> Button:
    return texts.fixed("projects.btn_adm_to_list"), AdminMenu(section=Section.PROJECTS)


def to_card(texts: Texts, project_id: int) -> Button:
    return texts.fixed("projects.btn_adm_to_card"), ProjectAdmin(action=PjAdm.CARD, project_id=project_id)


async def list_screen(texts: Texts, projects: list[Project], tz: tzinfo) -> tuple[str, InlineKeyboardMarkup]:
    new = [(texts.fixed("projects.btn_adm_new"), ProjectAdmin(action=PjAdm.NEW))]
    if not projects:
        return texts.fixed("projects.adm_list_empty"), keyboard(new, [menu_button(texts)])
    lines = [texts.fixed("projects.adm_line", status=texts.fixed(f"projects.adm_status.{p.status}"), title=p.title,
                         when=await when_text(texts, p, tz)) for p in projects]
    rows = [[(label(p.title), ProjectAdmin(action=PjAdm.CARD, project_id=p.id))] for p in projects]
    return texts.fixed("projects.adm_list", lines=Markup("\n".join(lines))), keyboard(*rows, new, [menu_button(texts)])


def kind_keyboard(texts: Texts, draft: str, cancel: Button) -> InlineKeyboardMarkup:
    kinds = [(texts.fixed(f"projects.btn_adm_kind.{k.value}"), ProjectKindPick(kind=k, draft=draft))
             for k in ProjectKind]
    return keyboard(kinds[:2], kinds[2:], [cancel])


def _with_poster(project: Project, body: str, text: str) -> tuple[str, str | None]:
    """The poster goes with `text` when the card fits a caption (for parents and for her); else a note."""
    if not project.poster_file_id:
        return text, None
    if caption_fits(body) and caption_fits(text):
        return text, project.poster_file_id
    return text, None


def who_text(texts: Texts, project: Project, group_titles: dict[str, str]) -> str:
    codes = [c for c in project.audience_groups.split(",") if c]
    if project.audience != "groups" or not codes:
        return texts.fixed("projects.who_all")
    return texts.fixed("projects.who_groups", groups=", ".join(group_titles.get(c, c) for c in codes))


async def preview_screen(texts: Texts, project: Project, tz: tzinfo, draft: str, who: str, count: int) -> Screen:
    body = await card_body(texts, project, None, tz)
    too_long = bool(project.poster_file_id) and not caption_fits(body)
    text = texts.fixed("projects.preview", card=Markup(body), who=who, count=count,
                       poster=Markup(texts.fixed("projects.poster_too_long") if too_long else ""))
    text, photo = _with_poster(project, body, text)
    return text, keyboard(
        [(texts.fixed("projects.btn_adm_publish_announce"),
          ProjectAdmin(action=PjAdm.PUBLISH_ANNOUNCE, draft=draft))],
        [(texts.fixed("projects.btn_adm_publish_quiet"), ProjectAdmin(action=PjAdm.PUBLISH, draft=draft))],
        [(texts.fixed("projects.btn_adm_draft"), ProjectAdmin(action=PjAdm.SAVE_DRAFT, draft=draft))],
        [(texts.fixed("panel.btn_cancel"), AdminMenu(section=Section.PROJECTS))]), photo


async def card_screen(texts: Texts, project: Project, numbers: CardNumbers, tz: tzinfo, deep_link: str | None,
                      who: str, announced: bool) -> Screen:
    left = texts.fixed("projects.adm_unlimited") if numbers.places_left is None else numbers.places_left
    link = texts.fixed("projects.deep_link", url=deep_link) if deep_link else ""
    paid = texts.fixed("projects.adm_paid", paid=numbers.paid) if numbers.paid is not None else ""
    body = await card_body(texts, project, None, tz)
    text = texts.fixed("projects.adm_card", card=Markup(body),
                       status=texts.fixed(f"projects.adm_status.{project.status}"), applied=numbers.applied,
                       approved=numbers.approved, waiting=numbers.waiting, left=left, link=Markup(link),
                       paid=Markup(paid), who=who)
    status = ProjectStatus(project.status)
    apps = f"{texts.fixed('projects.btn_adm_apps')} ({numbers.applied})"
    pid = project.id
    text, photo = _with_poster(project, body, text)
    return text, keyboard(
        [(apps, ProjectAdmin(action=PjAdm.APPS, project_id=pid))],
        [(texts.fixed("projects.btn_adm_publish_announce"), ProjectAdmin(action=PjAdm.PUBLISH_ANNOUNCE,
                                                                           project_id=pid))]
        if status is ProjectStatus.DRAFT else [],
        [(texts.fixed("projects.btn_adm_publish_quiet"), ProjectAdmin(action=PjAdm.PUBLISH, project_id=pid))]
        if status is ProjectStatus.DRAFT else [],
        [(texts.fixed("projects.btn_adm_announce"), ProjectAdmin(action=PjAdm.ANNOUNCE, project_id=pid))]
        if status is ProjectStatus.PUBLISHED and not announced else [],
        [(texts.fixed("projects.btn_adm_edit"), ProjectAdmin(action=PjAdm.EDIT, project_id=pid))]
        if status is not ProjectStatus.CANCELLED else [],
        [(texts.fixed("projects.btn_adm_close"), ProjectAdmin(action=PjAdm.CLOSE, project_id=pid))]
        if status is ProjectStatus.PUBLISHED else [],
        [(texts.fixed("projects.btn_adm_reopen"), ProjectAdmin(action=PjAdm.PUBLISH, project_id=pid))]
        if status is ProjectStatus.CLOSED else [],
        [(texts.fixed("projects.btn_adm_cancel"), ProjectAdmin(action=PjAdm.CANCEL, project_id=pid))]
        if status is not ProjectStatus.CANCELLED else [],
        [to_list(texts)]), photo


def who_keyboard(texts: Texts, draft: str, groups: list[tuple[int, str, str]], chosen: set[str],
                 cancel: Button) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [[(texts.fixed("projects.btn_adm_who_all"),
                                  ProjectAdmin(action=PjAdm.WHO_ALL, draft=draft))]]
    rows += [[(f"{'✅' if code in chosen else '▫️'} {label(title, 50)}", ProjectGroupPick(group_id=gid, draft=draft))]
             for gid, code, title in groups]
    if groups:
        rows.append([(texts.fixed("projects.btn_adm_who_next"), ProjectAdmin(action=PjAdm.WHO_NEXT, draft=draft))])
    return keyboard(*rows, [cancel])


def edit_keyboard(texts: Texts, project_id: int) -> InlineKeyboardMarkup:
    buttons = [(texts.fixed(f"projects.btn_adm_field.{name}"), ProjectEditField(project_id=project_id, field=name))
               for name in EDITABLE]
    return keyboard(*(buttons[i:i + 2] for i in range(0, len(buttons), 2)), [to_card(texts, project_id)])


async def applications_screen(texts: Texts, project: Project, items: list[tuple[Application, Child]],
                              parents: dict[int, str], on: date) -> tuple[str, InlineKeyboardMarkup]:
    if not items:
        return texts.fixed("projects.apps_empty", title=project.title), keyboard([to_card(texts, project.id)])
    lines: list[str] = []
    rows: list[list[Button]] = []
    for n, (application, child) in enumerate(items, start=1):
        if n > MAX_LINES:
            lines.append(texts.fixed("projects.apps_more", count=len(items) - MAX_LINES))
            break
        mark = texts.fixed(f"projects.app_status.{application.status}")
        lines.append(texts.fixed("projects.app_line", n=n, status=mark,
                                 child=child.name, age=await age_text(texts, child.birth_date, on),
                                 parent=parents.get(application.parent_id, str(application.parent_id)))
                     + await application_extras(texts, application, agency_zone()))  # answers, paid, offer
        status = ApplicationStatus(application.status)
        if len(rows) >= MAX_LISTED or status not in (ApplicationStatus.APPLIED, ApplicationStatus.WAITING,
                                                     ApplicationStatus.APPROVED):
            continue
        row: list[Button] = []
        if status is not ApplicationStatus.APPROVED:
            row.append((f"✅ {n}. {label(child.name, 20)}",
                        ProjectApplication(action=AppDecision.APPROVE, application_id=application.id)))
        row.append((f"❌ {n}", ProjectApplication(action=AppDecision.REJECT, application_id=application.id)))
        move = AppDecision.TO_LIST if status is ApplicationStatus.WAITING else AppDecision.TO_WAITING
        row.append((f"{'⏫' if move is AppDecision.TO_LIST else '⏬'} {n}",
                    ProjectApplication(action=move, application_id=application.id)))
        rows.append(row)
    text = texts.fixed("projects.apps", title=project.title, lines=Markup("\n".join(lines)))
    tools = [(texts.fixed("projects.btn_adm_to_approved"), ProjectAdmin(action=PjAdm.TO_APPROVED,
                                                                       project_id=project.id)),
             (texts.fixed("projects.btn_adm_export"), ProjectAdmin(action=PjAdm.EXPORT, project_id=project.id))]
    return text, keyboard(*rows, tools, [to_card(texts, project.id)])


def reason_keyboard(texts: Texts, application_id: int, project_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [(texts.fixed("projects.btn_adm_no_reason"),
          ProjectApplication(action=AppDecision.NO_REASON, application_id=application_id))],
        [(texts.fixed("panel.btn_cancel"), ProjectAdmin(action=PjAdm.APPS, project_id=project_id))])


def cancel_keyboard(texts: Texts, project_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [(texts.fixed("projects.btn_adm_cancel_no_reason"),
          ProjectAdmin(action=PjAdm.CANCEL_YES, project_id=project_id))],
        [to_card(texts, project_id)])
