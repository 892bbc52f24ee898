"""Sample receipts for the demo, made on the fly (no files to ship), and an example project to apply to."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.repositories.projects import all_projects
from happykids.domain.clock import to_local, to_utc
from happykids.domain.projects import Fee, FeeKind, ProjectKind
from happykids.services import projects


def sample_receipt_jpeg() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(3, 4), dpi=80)
    fig.text(0.1, 0.8, "ЧЕК №42\nHappy Kids\nОплата: 6 000 ₽", fontsize=12)
    buf = io.BytesIO()
    fig.savefig(buf, format="jpeg")
    plt.close(fig)
    return buf.getvalue()


def sample_receipt_pdf() -> bytes:
    # A tiny but valid one-page PDF.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


async def seed_sample_project(session: AsyncSession) -> None:
    """A published casting two weeks ahead, so «🎬 Проекты» has something to show in a fresh demo."""
    if await all_projects(session, limit=1):
        return
    day = to_local(utcnow()).date()
    draft = projects.Draft(
        "Кастинг в рекламу детской одежды", ProjectKind.CASTING,
        "Бренд ищет детей 5–10 лет для весенней рекламной съёмки.\n<b>С собой:</b> сменная обувь и хорошее "
        "настроение 🙂", to_utc(datetime.combine(day + timedelta(days=14), time(12, 0))),
        "Студия Happy Kids, ул. Малышева, 51", 5, to_utc(datetime.combine(day + timedelta(days=10), time(23, 59))),
        Fee(FeeKind.FREE))
    await projects.create(session, draft, None, publish=True)
