"""The funnel as a PNG chart (matplotlib, Agg backend, no pyplot: safe to call from a worker thread).

Call `funnel_png_async` from the bot: drawing takes a noticeable fraction of a second and must not block
the event loop.
"""

from __future__ import annotations

import asyncio
import io

from happykids.services.funnel import GROUP_STEPS, STEP_SHORT, FunnelReport, percent

MAX_GROUPS = 8
BAR_COLOR = "#f28cb1"
GROUP_COLORS = ("#f28cb1", "#f7b267", "#7cc6fe", "#9bde7e", "#b69cf2")


def funnel_png(report: FunnelReport) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = report.groups[:MAX_GROUPS]
    rows = 2 if groups else 1
    figure = Figure(figsize=(9, 4.2 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, 1, squeeze=False)[:, 0]

    top = axes[0]
    steps = report.overall.steps
    labels = [step.title for step in steps][::-1]
    counts = [step.count for step in steps][::-1]
    bars = top.barh(labels, counts, color=BAR_COLOR)
    peak = max(counts, default=0) or 1
    for bar, step in zip(bars, steps[::-1], strict=False):
        note = f"{step.count}" if step.of_first is None else f"{step.count}  ({percent(step.of_first)} от начавших)"
        top.text(bar.get_width() + peak * 0.01, bar.get_y() + bar.get_height() / 2, note, va="center", fontsize=10)
    top.set_xlim(0, peak * 1.35)
    top.set_title(f"Воронка {report.period.label} (проценты — от начавших)", fontsize=13, loc="left")
    top.spines[["top", "right"]].set_visible(False)
    top.xaxis.get_major_locator().set_params(integer=True)

    if groups:
        bottom = axes[1]
        width = 0.8 / len(GROUP_STEPS)
        positions = range(len(groups))
        for index, kind in enumerate(GROUP_STEPS):
            values = [group.funnel.count(kind) for group in groups]
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            bottom.bar(offsets, values, width, label=STEP_SHORT[kind], color=GROUP_COLORS[index % len(GROUP_COLORS)])
        bottom.set_xticks(list(positions), [_short(group.title) for group in groups], fontsize=9)
        bottom.set_title("По группам", fontsize=12, loc="left")
        bottom.legend(fontsize=9, ncols=len(GROUP_STEPS), loc="upper right", frameon=False)
        bottom.spines[["top", "right"]].set_visible(False)
        bottom.yaxis.get_major_locator().set_params(integer=True)
        ymax = max((g.funnel.first for g in groups), default=1) or 1
        bottom.set_ylim(0, ymax * 1.3)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


async def funnel_png_async(report: FunnelReport) -> bytes:
    return await asyncio.to_thread(funnel_png, report)
