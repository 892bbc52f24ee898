"""What the director sees of a broadcast being sent: the progress message and the report at the end.

Kept apart from the sender (workers/broadcasts.py), which decides when to show them; the wording is in
texts/defaults/admin_ops.py. The progress message is sent without HTML, the report with it.
"""

from __future__ import annotations

from happykids.domain.broadcasts import Counts
from happykids.texts.service import Texts


def progress_text(texts: Texts, number: int, counts: Counts, *, resumed: bool = False, final: bool = False,
                  stopped: bool = False) -> str:
    """The progress message. `final`: its last state (no button any more); `stopped`: she stopped it."""
    if stopped:
        head = texts.fixed("panel_ops.progress_stopped", number=number, done=counts.done, total=counts.total,
                           cancelled=counts.cancelled)
    else:
        key = "panel_ops.progress_finished" if final else "panel_ops.progress_sending"
        head = texts.fixed(key, number=number, done=counts.done, total=counts.total)
    lines = [texts.fixed("panel_ops.progress_resumed")] if resumed else []
    lines += [head, texts.fixed("panel_ops.progress_counts", sent=counts.sent, blocked=counts.blocked,
                                failed=counts.failed + counts.unknown)]
    return "\n".join(lines)


def report_text(texts: Texts, number: int, counts: Counts, *, stopped: bool = False) -> str:
    """The report sent when a broadcast ends: delivered, blocked, failed (and cancelled, if stopped)."""
    lines = [
        texts.fixed("panel_ops.report_stopped" if stopped else "panel_ops.report_done", number=number),
        texts.fixed("panel_ops.report_total", total=counts.total),
        texts.fixed("panel_ops.report_sent_before_stop" if stopped else "panel_ops.report_sent", sent=counts.sent),
        texts.fixed("panel_ops.report_blocked", blocked=counts.blocked),
        texts.fixed("panel_ops.report_failed", failed=counts.failed + counts.unknown),
    ]
    if counts.unknown:
        lines.append(texts.fixed("panel_ops.report_unknown", unknown=counts.unknown))
    if stopped:
        lines.append(texts.fixed("panel_ops.report_cancelled", cancelled=counts.cancelled))
    return "\n".join(lines)
