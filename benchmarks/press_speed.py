"""How fast a parent's button press is, next to a bare aiogram 3 bot doing the same protocol work (issue 8).

Why it exists: the project's speed only means something relative to aiogram's own cost on the same machine,
so both bots run in ONE invocation, interleaved (bare, project, bare, project, ... at each level), each
against a fresh loopback emulator (tgemulator.BotAPIEmulator with a stopwatch: _bench_emulator.py). Each
parent sends /start and presses through the dialog: group, period, «Назад», period, children, «Назад»,
children, «Подтвердить» (8 presses, 9 updates). Times run from the moment the emulator hands the update out
in getUpdates to the moment it receives answerCallbackQuery ("ack": the spinner stops) and editMessageText
("screen": the next step is shown). Only presses count for ack/screen and SQL per press.

CPU ms/update is this process's CPU time over the run (the emulator and the simulated parents included,
the same for both bots) divided by the updates. Cold start and memory are measured with each bot as its own
process (_bench_spawn.py); cold start both as wall time and as the CPU time the bot's process used by its
first getUpdates (steadier than wall time on a shared, busy machine). Numbers are printed, never asserted;
every wait is bounded.

    python benchmarks/press_speed.py --quick                      # a small version of everything (smoke)
    python benchmarks/press_speed.py                              # 50, 200, 1000 parents at once, medians of 3
    python benchmarks/press_speed.py --parents 200 --repeat 1 \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres --fsm-storage-url redis://127.0.0.1:6379/13
    python benchmarks/press_speed.py --only project --parents 200 --profile /tmp/press.prof   # where time goes
    python benchmarks/press_speed.py --only-spawn --cold-repeat 5           # cold start and memory only
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the _bench_*.py helpers beside this file

from _bench_runs import Backend, RunResult, run_bare, run_project
from _bench_spawn import ColdStart, ProcessResult, cold_start, memory_after

STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE")


# -- statistics -------------------------------------------------------------------------------------------

def pct(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (nearest rank); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def median_of(runs: list[RunResult], metric: Callable[[RunResult], float | None]) -> float | None:
    values = [v for v in (metric(r) for r in runs) if v is not None]
    return statistics.median(values) if values else None


def per(runs: list[RunResult], kind: str, what: Callable[[Counter[str]], int], divisor: str) -> float | None:
    """Median over runs of a SQL count of one kind of update, per update of that kind."""
    def one(r: RunResult) -> float | None:
        n = r.presses if divisor == "press" else r.starts
        return what(r.sql.get(kind, Counter())) / n if n else None
    return median_of(runs, one)


def statements(c: Counter[str]) -> int:
    """Every statement sent (SELECT/INSERT/UPDATE/DELETE and any other), commits and rollbacks not counted."""
    return sum(n for kind, n in c.items() if kind not in ("COMMIT", "ROLLBACK"))


# -- formatting -------------------------------------------------------------------------------------------

def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def lat(runs: list[RunResult], series: str, ps: Sequence[int]) -> str:
    return "/".join(ms(median_of(runs, lambda r, p=p: pct(getattr(r, series), p))) for p in ps) + " ms"


def main_table(levels: list[int], results: dict[tuple[str, int], list[RunResult]]) -> list[str]:
    lines = ["| parents | bare upd/s | project upd/s | ratio | ack p50/p99 bare / project "
             "| screen p50/p99 bare / project |", "|---|---|---|---|---|---|"]
    for level in levels:
        bare, project = results.get(("bare", level), []), results.get(("project", level), [])
        bare_ups = median_of(bare, lambda r: r.updates_per_s)
        project_ups = median_of(project, lambda r: r.updates_per_s)
        ratio = project_ups / bare_ups if bare_ups and project_ups else None
        lines.append(f"| {level} | {num(bare_ups)} | {num(project_ups)} | {num(ratio, 2)} "
                     f"| {lat(bare, 'ack_ms', (50, 99))} / {lat(project, 'ack_ms', (50, 99))} "
                     f"| {lat(bare, 'screen_ms', (50, 99))} / {lat(project, 'screen_ms', (50, 99))} |")
    return lines


def detail_table(levels: list[int], results: dict[tuple[str, int], list[RunResult]]) -> list[str]:
    lines = ["| parents | bot | runs | upd/s | ack p50/p95/p99 | screen p50/p95/p99 | /start screen p50 "
             "| tap → ack p50/p99 | tap → screen p50/p99 | CPU ms/update | API requests/update "
             "| SQL statements/press (S/I/U/D) | commits/press | rollbacks/press | statements, commits per /start "
             "| failed parents |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for level in levels:
        for bot in ("bare", "project"):
            runs = results.get((bot, level), [])
            if not runs:
                continue
            cpu = median_of(runs, lambda r: r.cpu_s * 1000 / r.updates if r.updates else None)
            api = median_of(runs, lambda r: r.api_calls / r.updates if r.updates else None)
            if bot == "project":
                kinds = "/".join(num(per(runs, "press", lambda c, k=k: c[k], "press")) for k in STATEMENTS)
                sql = f"{num(per(runs, 'press', statements, 'press'))} ({kinds})"
                commits = num(per(runs, "press", lambda c: c["COMMIT"], "press"), 2)
                rollbacks = num(per(runs, "press", lambda c: c["ROLLBACK"], "press"), 2)
                start = (f"{num(per(runs, 'start', statements, 'start'))}, "
                         f"{num(per(runs, 'start', lambda c: c['COMMIT'], 'start'))}")
            else:
                sql = commits = rollbacks = start = "— (no database)"
            lines.append(
                f"| {level} | {bot} | {len(runs)} | {num(median_of(runs, lambda r: r.updates_per_s))} "
                f"| {lat(runs, 'ack_ms', (50, 95, 99))} | {lat(runs, 'screen_ms', (50, 95, 99))} "
                f"| {lat(runs, 'start_screen_ms', (50,))} | {lat(runs, 'felt_ack_ms', (50, 99))} "
                f"| {lat(runs, 'felt_ms', (50, 99))} "
                f"| {num(cpu, 2)} | {num(api, 2)} | {sql} | {commits} "
                f"| {rollbacks} | {start} | {sum(r.failed for r in runs)} |")
    return lines


def cold_line(what: str, cold: dict[str, list[float]]) -> str:
    """One cold-start figure per bot (median over the starts), and the project's excess over the bare bot."""
    med = {bot: statistics.median(v) if v else None for bot, v in cold.items()}
    bare, project = med.get("bare"), med.get("project")
    extra = f" (project − bare = {project - bare:+.2f} s)" if bare is not None and project is not None else ""
    return (f"- Cold start, {what} (median of {max(len(v) for v in cold.values())}): "
            + ", ".join(f"{bot} {num(m, 2)} s" for bot, m in med.items()) + extra)


def process_lines(cold: dict[str, list[ColdStart]], memory: dict[str, ProcessResult], rss_parents: int) -> list[str]:
    lines = []
    if cold:
        lines.append(cold_line("spawn → first getUpdates, wall", {b: [c.wall_s for c in v] for b, v in cold.items()}))
        lines.append(cold_line("CPU (user + system) of the bot's process by its first getUpdates, what a busy "
                               "machine does not inflate",
                               {b: [c.cpu_s for c in v if c.cpu_s is not None] for b, v in cold.items()}))
    if memory:
        parts = []
        for bot, r in memory.items():
            if r.error:
                parts.append(f"{bot}: failed ({r.error.splitlines()[0][:200]})")
                continue
            parts.append(f"{bot} {num(r.rss_after_mb)} MB (idle {num(r.rss_idle_mb)} MB, peak {num(r.peak_mb)} MB, "
                         f"{r.parents_done} parents served, {r.failed} failed)")
        line = f"- RSS after {rss_parents:,} parents (/start + one press each, at rest): " + "; ".join(parts)
        bare, project = memory.get("bare"), memory.get("project")
        if bare and project and bare.rss_after_mb and project.rss_after_mb:
            line += f" (project − bare = {project.rss_after_mb - bare.rss_after_mb:+.1f} MB)"
        lines.append(line)
    return lines


def _package(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/")[-1].split("/")[0]
    for own in ("happykids", "tgemulator", "tgtext", "benchmarks"):
        if f"/{own}/" in file:
            return own
    return "python stdlib" if file.startswith("/") else "built-ins (C: sockets, epoll, json, pydantic-core...)"


def print_profile(path: str, top: int = 15) -> None:
    """The top cumulative entries of the bot's libraries, and own CPU time summed by package.

    The profile's clock is the event loop thread's CPU time. Cumulative time of a coroutine counts each of its
    resumptions, so the entries high up are the dispatcher's layers; own time by package says what dominates."""
    stats = pstats.Stats(path)
    entries = stats.stats  # type: ignore[attr-defined]
    wanted = ("happykids", "aiogram", "sqlalchemy", "aiosqlite", "asyncpg", "redis")
    rows = [(func, data) for func, data in entries.items() if any(f"/{name}/" in func[0] for name in wanted)]
    rows.sort(key=lambda item: item[1][3], reverse=True)
    print(f"\nTop {top} cumulative entries of happykids/aiogram/sqlalchemy/drivers (profile {path}, "
          "CPU time of the event loop's thread):\n")
    print("| cumulative s | own s | calls | function |\n|---|---|---|---|")
    for (file, line, name), (_cc, calls, own, cumulative, _callers) in rows[:top]:
        short = file.split("site-packages/")[-1].split("/wt-bench/")[-1]
        print(f"| {cumulative:.2f} | {own:.2f} | {calls} | {name} ({short}:{line}) |")
    by_package: Counter[str] = Counter()
    for (file, _line, _name), (_cc, _calls, own, _cumulative, _callers) in entries.items():
        by_package[_package(file)] += own
    total = sum(by_package.values()) or 1.0
    print(f"\nOwn CPU time by package ({total:.1f} s in all; the emulator and the parents run here too):\n")
    print("| package | own s | share |\n|---|---|---|")
    for package, own in by_package.most_common(12):
        print(f"| {package} | {own:.2f} | {100 * own / total:.0f} % |")
    print("\nTop 15 by own time (everything):\n")
    stats.sort_stats("tottime").print_stats(15)


# -- the run ----------------------------------------------------------------------------------------------

async def run(args: argparse.Namespace) -> None:
    backend = Backend(args.database_url, args.fsm_storage_url)
    levels = [] if args.only_spawn else [int(x) for x in args.parents.split(",")]
    bots = [b for b in ("bare", "project") if args.only in (None, b)]
    results: dict[tuple[str, int], list[RunResult]] = {}
    profiler = cProfile.Profile(time.thread_time) if args.profile else None  # the loop's CPU, not waits
    began = time.perf_counter()
    for level in levels:
        for repetition in range(args.repeat):
            for bot in bots:  # interleaved: a noisy neighbour hurts both alike
                runner = run_bare(level, args.step_timeout, backend, profiler) if bot == "bare" else \
                    run_project(level, args.step_timeout, backend, profiler)
                result = await runner
                results.setdefault((bot, level), []).append(result)
                print(f"  {bot:7} {level:5} parents, run {repetition + 1}: {result.updates_per_s:7.1f} upd/s, "
                      f"ack p50 {ms(pct(result.ack_ms, 50))} ms, screen p50 {ms(pct(result.screen_ms, 50))} ms, "
                      f"CPU {result.cpu_s * 1000 / max(result.updates, 1):.2f} ms/upd, "
                      f"{result.failed} failed", file=sys.stderr, flush=True)
    if profiler:
        profiler.dump_stats(args.profile)
    cold: dict[str, list[ColdStart]] = {}
    memory: dict[str, ProcessResult] = {}
    if not args.profile:
        for _ in range(args.cold_repeat):
            for bot in bots:
                cold.setdefault(bot, []).append(await cold_start(bot, backend))
        print("  cold starts (wall s / CPU s): " + "; ".join(
            f"{bot} " + ", ".join(f"{c.wall_s:.2f}/{num(c.cpu_s, 2)}" for c in runs) for bot, runs in cold.items()),
            file=sys.stderr, flush=True)
        if args.rss_parents:
            for bot in bots:
                memory[bot] = await memory_after(bot, backend, args.rss_parents, step_timeout=args.step_timeout)
                print(f"  memory: {memory[bot]}", file=sys.stderr, flush=True)

    print(f"\n## press_speed: {backend.label}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, "
          f"{'cold start and memory only' if args.only_spawn else f'medians of {args.repeat} run(s) per level'} "
          f"({time.perf_counter() - began:.0f} s in all)\n")
    if results:
        print("\n".join(main_table(levels, results)))
        print("\nPer bot (ack = answerCallbackQuery received, screen = editMessageText received, both from the "
              "update's hand-out in getUpdates; tap → ack / screen from the moment the press was queued, so they "
              "include the wait to be fetched, which a bot fetching fewer updates at once "
              "moves out of ack/screen; CPU includes the emulator and the simulated parents):\n")
        print("\n".join(detail_table(levels, results)))
    lines = process_lines(cold, memory, args.rss_parents)
    if lines:
        print("\n" + "\n".join(lines))
    if args.profile:
        print_profile(args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parents", default="50,200,1000", help="levels of parents at once, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per level and bot (medians are printed)")
    parser.add_argument("--quick", action="store_true", help="a small version of everything, for a smoke check")
    parser.add_argument("--database-url", help="a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres:"
                        " each project run gets a fresh database on it, dropped afterwards (default: SQLite)")
    parser.add_argument("--fsm-storage-url", help="redis://host:port/db for the dialog state; only this run's keys "
                        "are deleted afterwards (a spare db number is kindest)")
    parser.add_argument("--only", choices=("bare", "project"), help="run one bot only")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured crowds into FILE and print the top "
                        "entries (skips cold start and memory); best with --only project")
    parser.add_argument("--rss-parents", type=int, default=10_000, help="parents for the memory figure (0: skip)")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold starts per bot")
    parser.add_argument("--only-spawn", action="store_true", help="only cold start and memory (each bot as its "
                        "own process), no crowds in this process")
    parser.add_argument("--step-timeout", type=float, default=120.0, help="seconds a parent waits for a screen")
    if "--quick" in sys.argv[1:]:  # smaller defaults; options given explicitly still win
        parser.set_defaults(parents="10,40", repeat=1, rss_parents=300, cold_repeat=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
