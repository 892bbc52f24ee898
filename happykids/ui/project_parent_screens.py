"""What a parent sees of the second part of projects: the director's extra questions about a child, the
project's payment step (send the receipt here), the offer of a freed place, and /mydata.

Kept apart from the handlers, like ui/project_screens.py, so a step looks the same after a press, a mistake or
a restart.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from html import escape
from typing import Any

from happykids.db.models import Application, Child, Project
from happykids.domain.child_fields import COLUMN, ChildField
from happykids.domain.projects import ApplicationStatus
from happykids.services.child_answers import of_application
from happykids.services.personal_data import Stored
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import MdAct, MyData, PjStep, ProjectCard
from happykids.ui.keyboards.projects import back_to, button, rows, step, url_button
from happykids.ui.project_screens import ProjectScreen, when


def shown_value(field: ChildField, value: Any) -> str:
    """A stored answer as the parent reads it (a photo is never shown as its id)."""
    if value is None or value == "":
        return ""
    return f"{value} см" if field is ChildField.HEIGHT else str(value)


async def extra_screen(texts: Texts, project: Project, child_name: str, field: ChildField,
                       last: Any) -> ProjectScreen:
    """One extra question; «Оставить: …» when the child answered it last time."""
    keep, buttons = Markup(""), []
    if last:
        if field is ChildField.PHOTO:
            keep = await texts.markup("projects.keep_photo")
            label = await texts.plain("projects.btn_keep_photo")
        else:
            keep = await texts.markup("projects.keep_line", value=shown_value(field, last))
            label = await texts.plain("projects.btn_keep", value=shown_value(field, last))
        buttons.append([step(label[:64], PjStep.KEEP, project.id)])
    buttons.append([step(await texts.plain("btn.back"), PjStep.BACK, project.id)])
    text = await texts.get(f"projects.ask_{field.value}", project=project.title, child=child_name, keep=keep)
    return ProjectScreen(text, rows(*buttons))


async def extras_markup(texts: Texts, answers: dict[str, Any]) -> Markup:
    """The answers on the confirmation screen, one line each."""
    lines = []
    for field in (f for f in ChildField if f.value in answers):
        value = (await texts.plain("projects.photo_given") if field is ChildField.PHOTO
                 else shown_value(field, answers[field.value]))
        lines.append(await texts.get("projects.extra_line", field=await texts.plain(f"projects.field_{field.value}"),
                                     value=value))
    return Markup("".join(f"\n{line}" for line in lines))


async def pay_screen(texts: Texts, project: Project, child: Child) -> ProjectScreen:
    amount = f"{project.fee_amount or 0:,}".replace(",", " ")
    text = await texts.get("projects.send_receipt", project=project.title, child=child.name, amount=amount)
    buttons = []
    if project.fee_url:
        buttons.append([url_button(await texts.plain("projects.btn_pay"), project.fee_url)])
    buttons.append(back_to(await texts.plain("projects.btn_to_card"), ProjectCard(project_id=project.id)))
    return ProjectScreen(text, rows(*buttons))


async def offer_text(texts: Texts, project: Project, child: Child, application: Application,
                     tz: tzinfo) -> ProjectScreen:
    until = when("", application.offer_until, tz) if application.offer_until else ""
    text = await texts.get("projects.offer", project=project.title, child=child.name, until=until)
    return ProjectScreen(text, rows(
        [step(await texts.plain("projects.btn_offer_yes"), PjStep.OFFER_YES, project.id, application.id),
         step(await texts.plain("projects.btn_offer_no"), PjStep.OFFER_NO, project.id, application.id)]))


# -- /mydata ---------------------------------------------------------------------------------------------

def _day(value: date | datetime, tz: tzinfo | None = None) -> str:
    if isinstance(value, datetime) and tz is not None:
        return when("", value, tz).split(",")[0]
    return value.strftime("%d.%m.%Y")


async def mydata_screen(texts: Texts, stored: Stored, tz: tzinfo) -> ProjectScreen:
    none = await texts.get("mydata.none")
    parent = stored.parent
    name = " ".join(x for x in (parent.first_name, parent.last_name) if x) if parent else ""
    parent_line = await texts.get("mydata.parent", name=name or "—",
                                  username=f" (@{parent.username})" if parent and parent.username else "",
                                  since=_day(parent.first_seen, tz) if parent else "—")
    consent = (await texts.get("mydata.consent_at", at=_day(stored.consent.given_at, tz)) if stored.consent
               else await texts.get("mydata.consent_none"))
    children = []
    for child in stored.children:
        extra = [shown_value(f, getattr(child, COLUMN[f])) for f in ChildField if f is not ChildField.PHOTO]
        extra += [(await texts.plain("projects.field_photo")).lower()] if child.photo_file_id else []
        extra_text = "".join(f", {x}" for x in extra if x)
        children.append(await texts.get("mydata.child", name=child.name, birth=_day(child.birth_date),
                                        extra=extra_text))
    applications = []
    for application, child, project in stored.applications:
        status = await texts.get(f"projects.status_{ApplicationStatus(application.status).value}", child="",
                                 rank="", reason="")
        if application.paid_at is not None:
            status += await texts.get("projects.status_paid")
        applications.append(await texts.get("mydata.application", child=child.name, project=project.title,
                                            status=Markup(status.lstrip(" —"))))
    total, approved, amount = stored.receipts
    payments = (await texts.get("mydata.payments", total=total, approved=approved,
                                amount=f"{amount:,}".replace(",", " ")) if total
                else await texts.get("mydata.payments_none"))
    text = await texts.get("mydata.show", parent=Markup(parent_line), consent=Markup(consent),
                           children=Markup("\n".join(children) or none),
                           applications=Markup("\n".join(applications) or none), payments=Markup(payments))
    markup = None
    if stored.children or stored.consent:
        markup = rows([button(await texts.plain("mydata.btn_delete"), MyData(action=MdAct.DELETE))])
    return ProjectScreen(text, markup)


async def ask_delete_screen(texts: Texts, children: int) -> ProjectScreen:
    return ProjectScreen(await texts.get("mydata.ask_delete", count=children), rows(
        [button(await texts.plain("mydata.btn_delete_yes"), MyData(action=MdAct.DELETE_YES))],
        [button(await texts.plain("mydata.btn_keep"), MyData(action=MdAct.KEEP))]))



async def application_extras(texts: Texts, application: Application, tz: tzinfo) -> str:
    """For the director's list of applications: the answers given with it, «оплачено», a place offered."""
    answers = of_application(application)
    parts = [shown_value(f, answers.get(f.value)) for f in ChildField if f is not ChildField.PHOTO]
    if answers.get(ChildField.PHOTO.value):
        parts.append((await texts.plain("projects.field_photo")).lower())
    text = "".join(f", {escape(p)}" for p in parts if p)
    if application.paid_at is not None:
        text += await texts.get("projects.status_paid")
    if application.status == ApplicationStatus.WAITING and application.offer_until is not None:
        text += await texts.get("projects.adm_offered", until=when("", application.offer_until, tz))
    return text
