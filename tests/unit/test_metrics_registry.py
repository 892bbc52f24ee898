"""The gauge hook of app/metrics.py (what a scheduler uses to publish its own numbers): read at every scrape,
left out and counted when its read fails, one name once; and each app's registry is its own."""

from __future__ import annotations

import pytest

from happykids.app.metrics import Metrics


async def test_registered_gauges_are_read_at_each_scrape_and_a_failing_one_is_left_out():
    metrics = Metrics()
    reads = []

    async def reminders_due() -> dict[tuple[str, ...], float]:
        reads.append(1)
        return {("lesson",): 3, ("payment",): len(reads)}

    async def broken() -> float:
        raise RuntimeError("the database did not answer")

    metrics.register_gauge("happykids_reminders_due", "Напоминания, которые пора отправить", reminders_due,
                           ["kind"])
    metrics.register_gauge("happykids_broken", "Не читается", broken)
    first = (await metrics.exposition()).decode()
    assert 'happykids_reminders_due{kind="lesson"} 3.0' in first
    assert 'happykids_reminders_due{kind="payment"} 1.0' in first
    assert "\nhappykids_broken " not in first and "# TYPE happykids_broken gauge" in first  # no stale sample
    assert 'happykids_metrics_read_errors_total{gauge="happykids_broken"} 1.0' in first
    second = (await metrics.exposition()).decode()
    assert 'happykids_reminders_due{kind="payment"} 2.0' in second and len(reads) == 2
    with pytest.raises(ValueError, match="registered twice"):
        metrics.register_gauge("happykids_reminders_due", "again", reminders_due)

    other = (await Metrics().exposition()).decode()  # another app in the same process counts on its own
    assert "happykids_reminders_due" not in other and "happykids_metrics_read_errors_total{" not in other
