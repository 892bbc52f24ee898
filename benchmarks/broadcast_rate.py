"""Benchmark (not a test): a broadcast to N parents against the loopback Bot API emulator with a rate limit.

Prints the achieved send rate next to the sender's pace and the emulator's limit, the busiest one-second
window, how many 429s the emulator answered (and so how many retries the sender made), and the outcome.

    python benchmarks/broadcast_rate.py                       # 300 parents, pace 25/s, limit 30/s
    python benchmarks/broadcast_rate.py --parents 1000 --rate 40 --limit 30   # overdrive: 429s, handled
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from happykids.db.change_tracking import VersionBoard
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.migrate import upgrade_async
from happykids.db.models import Parent
from happykids.domain.broadcasts import AudienceKind, Content
from happykids.services import broadcast as bc
from happykids.services.payments_export import agency_tz
from happykids.texts.service import Texts
from happykids.workers import broadcasts as sender_module
from tgemulator import BotAPIEmulator

ADMIN = 777000


async def run(parents: int, limit: int, rate: float, workers: int, blocked: int) -> int:
    emu = BotAPIEmulator(rate_limit_per_second=limit)
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await upgrade_async(url)
        engine = create_engine(url)
        sessions = create_session_factory(engine)
        bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        try:
            emu.user(ADMIN, "Директор")
            async with sessions() as session, session.begin():
                for index in range(parents):
                    user_id = 100_000 + index
                    user = emu.user(user_id, f"Родитель {index}")
                    if index < blocked:
                        user.block()
                    session.add(Parent(user_id=user_id, first_name=f"Родитель {index}"))
            progress = await bot.send_message(ADMIN, "⏳ Рассылка запускается…")
            async with sessions() as session, session.begin():
                broadcast, _ = await bc.create_broadcast(
                    session, created_by=ADMIN, content=Content("Бенчмарк: <b>привет</b>!"),
                    audience=bc.Audience(AudienceKind.ALL), tz=agency_tz(), progress_chat_id=ADMIN,
                    progress_message_id=progress.message_id)

            stamps: list[float] = []
            original = sender_module.send_content

            async def timed(bot_: Bot, chat_id: int, content: Content):
                message = await original(bot_, chat_id, content)
                stamps.append(time.monotonic())
                return message

            sender_module.send_content = timed
            sender = sender_module.BroadcastSender(bot, sessions, Texts(sessions, VersionBoard()), rate=rate,
                                                   workers=workers)
            started = time.monotonic()
            final = await sender.run_broadcast(broadcast.id)
            elapsed = time.monotonic() - started
            sender_module.send_content = original

            peak = max((bisect.bisect_right(stamps, s + 1.0) - i for i, s in enumerate(stamps)), default=0)
            span = (stamps[-1] - stamps[0]) if len(stamps) > 1 else elapsed
            achieved = (len(stamps) - 1) / span if len(stamps) > 1 and span > 0 else float(len(stamps))
            print(f"parents: {parents} (blocked in Telegram: {blocked}), workers: {workers}")
            print(f"limit (emulator): {limit}/s, sender pace: {rate}/s")
            print(f"delivered: {final.sent}, blocked: {final.blocked}, failed: {final.failed + final.unknown}")
            print(f"achieved: {achieved:.1f} msg/s over {span:.1f} s "
                  f"({elapsed:.1f} s in all, incl. progress and report)")
            print(f"busiest 1-second window: {peak} sends; 429 answers: {len(emu.rate_limited)}; "
                  f"rejected requests (bugs): {len(emu.errors)}")
            duplicates = sum(1 for index in range(parents)
                             if sum(1 for m in emu.messages_in(100_000 + index) if m.from_bot) > 1)
            print(f"parents who got it twice: {duplicates}")
            return 0 if final.sent == parents - blocked and not emu.errors and not duplicates else 1
        finally:
            await bot.session.close()
            await engine.dispose()
            await emu.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--limit", type=int, default=30, help="the emulator's messages per second")
    parser.add_argument("--rate", type=float, default=sender_module.RATE_PER_SECOND, help="the sender's pace")
    parser.add_argument("--workers", type=int, default=sender_module.WORKERS)
    parser.add_argument("--blocked", type=int, default=5, help="parents who blocked the bot")
    args = parser.parse_args()
    return asyncio.run(run(args.parents, args.limit, args.rate, args.workers, args.blocked))


if __name__ == "__main__":
    raise SystemExit(main())
