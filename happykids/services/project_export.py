"""A project's list as an XLSX file for the director: every application with the child, age, parent, status,
waiting-list place and payment. Built like the payments export (services/payments_export.py): free of
aiogram, every text cell a string (never a formula, whatever a parent typed), dates as dates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Project
from happykids.db.repositories import projects as repo
from happykids.domain.clock import to_local
from happykids.domain.projects import ApplicationStatus, FeeKind, age_on
from happykids.services.project_audience import age_day
from happykids.services.project_roster import paid_application_ids

COLUMNS = ("№", "Ребёнок", "Дата рождения", "Возраст", "Родитель", "Telegram id", "Статус", "Место в ожидании",
           "Оплата", "Заявка", "Причина")
STATUS_TITLES = {ApplicationStatus.APPLIED: "в списке", ApplicationStatus.WAITING: "лист ожидания",
                 ApplicationStatus.APPROVED: "одобрена", ApplicationStatus.REJECTED: "отклонена",
                 ApplicationStatus.CANCELLED: "отменена"}
WIDTHS = (5, 26, 14, 9, 32, 14, 15, 10, 14, 17, 30)


@dataclass(frozen=True, slots=True)
class RosterRow:
    n: int
    child: str
    birth: date
    age: int
    parent: str
    parent_id: int
    status: str
    waiting_place: int | None
    payment: str
    applied_at: datetime  # local, naive
    reason: str

    def cells(self) -> list[object]:
        return [self.n, self.child, self.birth, self.age, self.parent, self.parent_id, self.status,
                self.waiting_place, self.payment, self.applied_at, self.reason]


async def roster(session: AsyncSession, project: Project, today: date) -> list[RosterRow]:
    items = await repo.project_applications(session, project.id)
    parents = await repo.parent_names(session, [a.parent_id for a, _ in items])
    paid = await paid_application_ids(session, project)
    on = age_day(project, today)
    rows, waiting = [], 0
    for n, (application, child) in enumerate(items, start=1):
        status = ApplicationStatus(application.status)
        if status is ApplicationStatus.WAITING:
            waiting += 1
        if project.fee_kind != FeeKind.PAID:
            payment = "не нужна"
        else:
            payment = "оплачено" if application.id in paid else "не отмечена"
        rows.append(RosterRow(n, child.name, child.birth_date, age_on(child.birth_date, on),
                              parents.get(application.parent_id, ""), application.parent_id,
                              STATUS_TITLES[status], waiting if status is ApplicationStatus.WAITING else None,
                              payment, to_local(application.created_at), application.reason or ""))
    return rows


def to_xlsx(rows: list[RosterRow], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook starts with one worksheet
        raise TypeError("openpyxl gave a new workbook without a worksheet")
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Проект"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, row in enumerate(rows, start=2):
        for col_index, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            cell.value = value  # type: ignore[assignment]
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(value, date):
                cell.number_format = "DD.MM.YYYY"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(project: Project) -> str:
    return f"happykids-project-{project.id}.xlsx"
