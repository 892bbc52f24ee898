"""What a parent sees of projects: the list, a project's card, each step of applying, the result.

Kept apart from the handlers so a step is shown the same way after a press, a mistake, a stale button or a
restart, and so the director's preview shows exactly the parent's card (`card_body`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.db.models import Application, Child, Project
from happykids.domain.clock import to_local
from happykids.domain.projects import ACTIVE, HOLDS_PLACE, ApplicationStatus, FeeKind, age_on
from happykids.services.project_announce import caption_fits
from happykids.services.projects import Numbers
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import PjStep, ProjectCard, ProjectsList
from happykids.ui.keyboards.projects import back_to, list_keyboard, rows, step, url_button


@dataclass(slots=True)
class ProjectScreen:
    text: str
    markup: InlineKeyboardMarkup | None
    photo: str | None = None  # the project's poster, `text` its caption (ui/view.py changes the kind of screen)


@dataclass(slots=True)
class Mine:
    """One of the parent's own applications to a project, with the child and the waiting-list place."""

    application: Application
    child: Child
    rank: int
    receipt_pending: bool = False  # a receipt of its fee waits for the director


def when(texts_when: str, at: datetime | None, tz: tzinfo) -> str:
    return texts_when if at is None else to_local(at, tz).strftime("%d.%m.%Y, %H:%M")


async def when_text(texts: Texts, project: Project, tz: tzinfo) -> str:
    return when(await texts.plain("projects.when_tba"), project.starts_at, tz)


async def fee_text(texts: Texts, project: Project) -> str:
    if project.fee_kind == FeeKind.PAID:
        return await texts.get("projects.fee_paid", amount=f"{project.fee_amount or 0:,}".replace(",", " "))
    return await texts.get("projects.fee_external" if project.fee_kind == FeeKind.EXTERNAL else "projects.fee_free")


async def places_text(texts: Texts, project: Project, numbers: Numbers | None) -> str:
    if project.places is None:
        return await texts.get("projects.places_unlimited")
    left = numbers.places_left if numbers and numbers.places_left is not None else project.places
    if left <= 0:
        return await texts.get("projects.places_full")
    return await texts.get("projects.places_left", left=left, places=project.places)


async def age_text(texts: Texts, birth: date, on: date) -> str:
    years = age_on(birth, on)
    forms = [*(await texts.plain("projects.age_forms")).split("|"), "", "", ""]
    last2, last = years % 100, years % 10
    form = forms[2] if 11 <= last2 <= 14 else forms[0] if last == 1 else forms[1] if 2 <= last <= 4 else forms[2]
    return f"{years} {form}".strip()


async def card_body(texts: Texts, project: Project, numbers: Numbers | None, tz: tzinfo,
                    mine: Markup | None = None) -> str:
    deadline = (await texts.get("projects.deadline_none") if project.deadline is None
                else await texts.get("projects.deadline_at", deadline=when("", project.deadline, tz)))
    return await texts.get(
        "projects.card", title=project.title, kind=await texts.get(f"projects.kind_{project.kind}"),
        when=await when_text(texts, project, tz), place=project.place, fee=Markup(await fee_text(texts, project)),
        places=Markup(await places_text(texts, project, numbers)), deadline=Markup(deadline),
        description=Markup(await ages_line(texts, project)
                           + (f"\n\n{project.description}" if project.description else "")),
        mine=mine or Markup(""))


async def ages_line(texts: Texts, project: Project) -> str:
    """«👶 Возраст: 5–9 лет» under the card's facts; empty when any age may apply."""
    low, high = project.age_min, project.age_max
    if low is None and high is None:
        return ""
    key = ("projects.ages_exact" if low == high else "projects.ages_between" if low is not None and high is not None
           else "projects.ages_from" if low is not None else "projects.ages_to")
    return await texts.get("projects.ages_line", ages=Markup(await texts.get(key, low=low, high=high)))


def with_poster(project: Project, text: str) -> str | None:
    """The poster to show `text` under, if there is one and the text fits a caption (else the card is text)."""
    return project.poster_file_id if project.poster_file_id and caption_fits(text) else None


# -- the list and the card -------------------------------------------------------------------------------

async def list_screen(texts: Texts, projects: list[Project], numbers: dict[int, Numbers],
                      tz: tzinfo) -> ProjectScreen:
    if not projects:
        return ProjectScreen(await texts.get("projects.list_empty"), None)
    lines = [await texts.get("projects.list_line", title=p.title, when=await when_text(texts, p, tz), place=p.place,
                             fee=Markup(await fee_text(texts, p)),
                             places=Markup(await places_text(texts, p, numbers.get(p.id))))
             for p in projects]
    markup = list_keyboard([(p.id, p.title[:60]) for p in projects])
    return ProjectScreen(await texts.get("projects.list", lines=Markup("\n\n".join(lines))), markup)


async def status_line(texts: Texts, item: Mine, tz: tzinfo) -> str:
    status = ApplicationStatus(item.application.status)
    reason, until = item.application.reason, item.application.offer_until
    if status is ApplicationStatus.WAITING and until is not None:
        return await texts.get("projects.status_offered", child=item.child.name, until=when("", until, tz))
    key = f"projects.status_{status.value}" + ("_reason" if status is ApplicationStatus.REJECTED and reason else "")
    line = await texts.get(key, child=item.child.name, rank=item.rank, reason=reason or "")
    if item.application.paid_at is not None:
        line += await texts.get("projects.status_paid")
    elif item.receipt_pending and status in ACTIVE:
        line += await texts.get("projects.status_receipt_pending")
    return line


async def card_screen(texts: Texts, project: Project, numbers: Numbers | None, mine: list[Mine], tz: tzinfo,
                      can_apply: bool, can_cancel: bool) -> ProjectScreen:
    lines = [await status_line(texts, m, tz) for m in mine]
    mine_text = await texts.markup("projects.mine", lines=Markup("\n".join(lines))) if lines else Markup("")
    text = await card_body(texts, project, numbers, tz, mine_text)
    buttons = []
    if can_apply and project.fee_kind == FeeKind.EXTERNAL and project.fee_url:
        buttons.append([url_button(await texts.plain("projects.btn_external"), project.fee_url)])
    elif can_apply:
        buttons.append([step(await texts.plain("projects.btn_apply"), PjStep.APPLY, project.id)])
    paying = project.fee_kind == FeeKind.PAID and project.fee_url and any(
        m.application.status in ACTIVE for m in mine)
    if paying and project.fee_url:
        buttons.append([url_button(await texts.plain("projects.btn_pay"), project.fee_url)])
    buttons += await parent_buttons(texts, project, mine)
    if can_cancel:
        for m in mine:
            if m.application.status in ACTIVE:
                label = await texts.plain("projects.btn_cancel_app", child=m.child.name)
                buttons.append([step(label[:64], PjStep.CANCEL, project.id, m.application.id)])
    buttons.append(back_to(await texts.plain("projects.btn_to_list"), ProjectsList()))
    return ProjectScreen(text, rows(*buttons), with_poster(project, text))


async def parent_buttons(texts: Texts, project: Project, mine: list[Mine]) -> list[list[InlineKeyboardButton]]:
    """The card's buttons of the parent's second part: «Иду» / «Не смогу» on a place offered, «📎 Отправить чек»
    for an application that holds a place and is not paid yet."""
    buttons = []
    for m in mine:
        app = m.application
        if app.status == ApplicationStatus.WAITING and app.offer_until is not None:
            buttons.append([step(await texts.plain("projects.btn_offer_yes"), PjStep.OFFER_YES, project.id, app.id),
                            step(await texts.plain("projects.btn_offer_no"), PjStep.OFFER_NO, project.id, app.id)])
        elif (project.fee_kind == FeeKind.PAID and project.fee_url and app.status in HOLDS_PLACE
              and app.paid_at is None):
            label = await texts.plain("projects.btn_send_receipt", child=m.child.name)
            buttons.append([step(label[:64], PjStep.RECEIPT, project.id, app.id)])
    return buttons


# -- applying --------------------------------------------------------------------------------------------

async def consent_screen(texts: Texts, project_id: int) -> ProjectScreen:
    return ProjectScreen(await texts.get("projects.consent"), rows(
        [step(await texts.plain("projects.btn_consent"), PjStep.CONSENT, project_id)],
        back_to(await texts.plain("btn.back"), ProjectCard(project_id=project_id))))


async def child_screen(texts: Texts, project: Project, children: list[Child]) -> ProjectScreen:
    buttons = [[step(c.name[:64], PjStep.CHILD, project.id, c.id)] for c in children]
    buttons.append([step(await texts.plain("projects.btn_new_child"), PjStep.NEW_CHILD, project.id)])
    buttons.append(back_to(await texts.plain("btn.back"), ProjectCard(project_id=project.id)))
    return ProjectScreen(await texts.get("projects.choose_child", project=project.title), rows(*buttons))


async def name_screen(texts: Texts, project: Project) -> ProjectScreen:
    back = [step(await texts.plain("btn.back"), PjStep.BACK, project.id)]
    return ProjectScreen(await texts.get("projects.ask_child_name", project=project.title), rows(back))


async def birth_screen(texts: Texts, project: Project, name: str) -> ProjectScreen:
    back = [step(await texts.plain("btn.back"), PjStep.BACK, project.id)]
    return ProjectScreen(await texts.get("projects.ask_birth_date", child=name), rows(back))


async def confirm_screen(texts: Texts, project: Project, child: Child, tz: tzinfo, today: date,
                         extra: Markup | None = None) -> ProjectScreen:
    on = to_local(project.starts_at, tz).date() if project.starts_at else today
    text = await texts.get("projects.confirm", project=project.title, when=await when_text(texts, project, tz),
                           place=project.place, child=child.name, age=await age_text(texts, child.birth_date, on),
                           fee=Markup(await fee_text(texts, project)), extra=extra or Markup(""))
    return ProjectScreen(text, rows(
        [step(await texts.plain("projects.btn_confirm"), PjStep.CONFIRM, project.id, child.id)],
        [step(await texts.plain("btn.back"), PjStep.BACK, project.id)]))


async def result_screen(texts: Texts, project: Project, child: Child, status: ApplicationStatus,
                        rank: int) -> ProjectScreen:
    pay = Markup("")
    buttons = []
    if project.fee_kind == FeeKind.PAID and project.fee_url:
        amount = f"{project.fee_amount or 0:,}".replace(",", " ")
        pay = await texts.markup("projects.pay_line", amount=amount, url=project.fee_url)
        if status is not ApplicationStatus.WAITING:  # the parent is on the payment step: a photo is the receipt
            pay = Markup(pay + await texts.markup("projects.pay_step"))
        buttons.append([url_button(await texts.plain("projects.btn_pay"), project.fee_url)])
    key = "projects.waiting" if status is ApplicationStatus.WAITING else "projects.applied"
    text = await texts.get(key, child=child.name, project=project.title, rank=rank, pay=pay)
    buttons.append(back_to(await texts.plain("projects.btn_to_card"), ProjectCard(project_id=project.id)))
    buttons.append(back_to(await texts.plain("projects.btn_to_list"), ProjectsList()))
    return ProjectScreen(text, rows(*buttons))


async def cancel_screen(texts: Texts, project: Project, application_id: int, child: Child) -> ProjectScreen:
    return ProjectScreen(await texts.get("projects.cancel_confirm", child=child.name, project=project.title), rows(
        [step(await texts.plain("projects.btn_cancel_yes"), PjStep.CANCEL_YES, project.id, application_id)],
        back_to(await texts.plain("projects.btn_to_card"), ProjectCard(project_id=project.id))))
