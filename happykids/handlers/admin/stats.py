"""«Статистика»: the parents' funnel for 7 days / 30 days / all time, as text and as a chart.

Counting is in services/funnel.py (FunnelEvent rows only), drawing in services/charts.py (in a thread).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.services import project_funnel
from happykids.services.charts import funnel_png_async
from happykids.services.funnel import funnel_report, render_text
from happykids.services.telegram_payments import methods_line
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, Section, StatsPeriod
from happykids.ui.keyboards.stats import stats_menu
from happykids.ui.view import show

router = Router(name="admin.stats")


@router.callback_query(AdminMenu.filter(F.section == Section.STATS))
async def open_stats(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer()
    await show(callback, texts.fixed("panel_ops.stats"), stats_menu(texts))


@router.callback_query(StatsPeriod.filter())
async def on_period(callback: CallbackQuery, callback_data: StatsPeriod, session: AsyncSession, bot: Bot,
                    texts: Texts) -> None:
    await callback.answer(texts.fixed("panel_ops.stats_working"))
    report = await funnel_report(session, callback_data.period)
    projects = await project_funnel.report_text(session, callback_data.period)  # the projects' funnel below
    now = datetime.now(UTC).replace(tzinfo=None)  # issue #13: approved payments of the period by how they were paid
    methods = await methods_line(session, texts, callback_data.period.since(now), now + timedelta(seconds=1))
    await show(callback, f"{render_text(report)}\n\n{methods}" + projects, stats_menu(texts, callback_data.period))
    if report.empty:
        return
    png = await funnel_png_async(report)
    await bot.send_photo(callback.from_user.id, BufferedInputFile(png, f"funnel-{callback_data.period.value}.png"),
                         caption=texts.fixed("panel_ops.stats_chart_caption", period=report.period.label))
