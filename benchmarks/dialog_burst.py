"""How the bot copes with many parents at once: N parents walk the whole payment dialog concurrently
against the loopback emulator; prints per-step latency percentiles and total time.

    python benchmarks/dialog_burst.py --parents 100
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from happykids.app import build_app, run_polling
from happykids.cli.catalog import import_catalog
from happykids.config import Settings
from tgemulator import BotAPIEmulator

CATALOG = Path(__file__).resolve().parents[1] / "happykids" / "catalogs" / "example.yaml"


async def walk(user, latencies: list[float]) -> None:
    async def act(action, predicate):
        started = time.perf_counter()
        await action
        await user.wait_for(predicate, timeout=60)
        latencies.append(time.perf_counter() - started)

    await act(user.send_command("/start"), lambda m: m.has_button("Малыши"))
    await act(user.press("Малыши"), lambda m: m.has_button("1 месяц"))
    await act(user.press("1 месяц"), lambda m: m.has_button("2 ребёнка"))
    await act(user.press("2 ребёнка"), lambda m: m.has_button("Подтвердить"))
    await act(user.press("Подтвердить"), lambda m: "pay.example.com" in m.text)


async def main(parents: int, database_url: str | None) -> None:
    emu = BotAPIEmulator()
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, bot_token=emu.token, bot_api_url=emu.base_url,
                            data_dir=Path(tmp), database_url=database_url)
        await import_catalog(settings, CATALOG)
        app = await build_app(settings)
        polling = asyncio.create_task(run_polling(app, handle_signals=False))
        await asyncio.sleep(0.5)
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(walk(emu.user(10_000 + i, f"P{i}"), latencies) for i in range(parents)))
        total = time.perf_counter() - started
        await app.dp.stop_polling()
        await polling
    await emu.stop()
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    print(f"{parents} parents x 5 steps in {total:.2f}s ({parents * 5 / total:.1f} steps/s); "
          f"step latency p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
          f"mean {statistics.mean(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    asyncio.run(main(args.parents, args.database_url))
