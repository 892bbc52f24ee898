"""Benchmark (not a test): 10,000 hostile updates from 120 parents, 6 groups and a channel through the real bot.

The same seeded generator as tests/e2e/test_fuzz.py (tests/e2e/hostile.py), much longer: the real Dispatcher and
polling loop against the loopback emulator, in rounds (each followed by the bot settling, so presses find the
buttons really shown). Prints what came in, how fast it was handled, and everything that went wrong: requests
Telegram would have rejected, presses never answered, ERROR lines and tracebacks in the log.

    python benchmarks/hostile_updates.py                   # 10,000 updates, 120 parents, 6 groups, a channel
    python benchmarks/hostile_updates.py --updates 2000 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from happykids.config import Settings
from happykids.db.models import Receipt
from tests.catalogs import SMALL_CATALOG
from tests.e2e.conftest import ADMIN_ID, BotRunner
from tests.e2e.hostile import HostileCrowd
from tgemulator import BotAPIEmulator


class CountingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.levels: Counter[str] = Counter()
        self.warnings_by_logger: Counter[str] = Counter()
        self.tracebacks = 0
        self.first_errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[record.levelname] += 1
        if record.levelno == logging.WARNING:
            self.warnings_by_logger[record.name] += 1
        if record.exc_info:
            self.tracebacks += 1
        if record.levelno >= logging.ERROR and len(self.first_errors) < 5:
            text = logging.Formatter().format(record)
            self.first_errors.append(f"{record.name}: {text[:300]}" + (f" … {text[-1500:]}" if record.exc_info else ""))


async def run(updates: int, parents: int, groups: int, seed: int, round_size: int) -> int:
    log = CountingHandler()
    logging.getLogger().addHandler(log)
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        async with BotAPIEmulator() as emu:
            settings = Settings(_env_file=None, bot_token=emu.token, bot_api_url=emu.base_url,
                                data_dir=Path(tmp) / "data", admin_ids=[ADMIN_ID])
            runner = BotRunner(settings, emu)
            await runner.load_catalog(SMALL_CATALOG)
            app = await runner.start()
            crowd = HostileCrowd(emu, random.Random(seed), parents=parents, groups=groups,  # noqa: S311 - a seeded fuzz
                                 admin_id=ADMIN_ID)
            started = time.monotonic()
            settling = 0.0
            try:
                while len(emu.updates.history) < updates:
                    for _ in range(round_size):
                        await crowd.act()
                    before = time.monotonic()
                    await emu.settle(quiet=0.1, timeout=120)
                    settling += 0.1  # the quiet period settle waits for on purpose, not work
                    crowd.unblock_all()
                    if time.monotonic() - before > 60:
                        print("a round took over a minute to settle", file=sys.stderr)
                elapsed = time.monotonic() - started
                async with app.sessions() as session:
                    receipts = await session.scalar(select(func.count()).select_from(Receipt))
            finally:
                await runner.stop()
            unexpected = crowd.unexpected(emu.errors)
            unanswered = emu.unanswered_callback_queries()
            total = len(emu.updates.history)
            print(f"updates delivered:      {total} ({parents} parents, {groups} groups, 1 channel, seed {seed})")
            print("  by kind:              " + ", ".join(f"{k} {n}" for k, n in crowd.kinds.most_common()))
            print(f"wall time:              {elapsed:.1f} s ({settling:.1f} s of it deliberate quiet between rounds)")
            print(f"handled/s:              {total / elapsed:.0f} (wall), {total / max(elapsed - settling, 0.001):.0f}"
                  " (without the quiet)")
            print(f"receipts recorded:      {receipts}")
            print(f"rejected requests:      {len(unexpected)} unexpected; "
                  f"{len(emu.errors) - len(unexpected)} edits of messages pressed after deletion (expected)")
            print(f"403 (blocked) answers:  {len(emu.forbidden)}")
            print(f"unanswered presses:     {len(unanswered)}")
            print(f"errors logged:          {log.levels['ERROR'] + log.levels['CRITICAL']} "
                  f"(warnings {log.levels['WARNING']}, tracebacks {log.tracebacks})")
            print("  warnings by logger:   " + ", ".join(f"{k} {n}" for k, n in log.warnings_by_logger.most_common()))
            for line in log.first_errors:
                print(f"  {line}")
            for error in unexpected[:5]:
                print(f"  rejected: {error}")
            return 1 if unexpected or unanswered or log.levels["ERROR"] or log.tracebacks else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--parents", type=int, default=120)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--round", type=int, default=60, help="updates pushed before the bot settles")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(run(args.updates, args.parents, args.groups, args.seed, args.round)))


if __name__ == "__main__":
    main()
