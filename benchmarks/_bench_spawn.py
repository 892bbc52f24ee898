"""The process-level numbers of press_speed.py: cold start and memory, each bot as its own process.

Why it exists: cold start (how long a restart or a deploy keeps parents waiting) and resident memory after
many parents are properties of a whole process, so they cannot be measured in the benchmark's own process,
which also runs the emulator and the crowd. The project runs as the operator runs it (``happykids run`` with
BOT_TOKEN / BOT_API_URL / DATA_DIR, the catalog imported beforehand), the baseline as
``python benchmarks/_bare_bot.py``; both talk to a TimedEmulator here, which stamps the first getUpdates.
Memory is VmRSS (and the peak, VmHWM) from /proc/<pid>/status.

Cold start is measured twice: wall time (spawn -> first getUpdates, what an operator waits) and the CPU time
(user + system) the bot's process had used by then, read from /proc/<pid>/stat by the emulator at the very
moment that first getUpdates arrives. Wall time on a shared machine grows with whatever else runs; the CPU
time is the work the start-up itself does, so the difference between the two bots stays meaningful when
the machine is busy. (It excludes time spent waiting, which the project's start-up has little of: loopback
Bot API calls and a local database; its clock tick is 10 ms.)

Before the project's first spawn its packages are compiled to bytecode (``compile_project``), as pip does when
it installs the bot (a wheel, the Docker image): a checkout installed with ``pip install -e`` under
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of happykids from source on every start (about
0.9 s of CPU here), which no operator's start pays, while the bare bot's aiogram comes compiled from its wheel.
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import io
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _bench_emulator import TimedEmulator, crowd
from _bench_runs import CATALOG, Backend, forget_redis_keys, fresh_ids, project_database

BARE_SCRIPT = Path(__file__).resolve().parent / "_bare_bot.py"


@dataclass
class ColdStart:
    wall_s: float  # spawn -> the emulator receives the first getUpdates
    cpu_s: float | None  # user + system CPU of the bot's process at that moment (None: it could not be read)


@dataclass
class ProcessResult:
    bot: str
    cold_start_s: float | None = None
    cold_start_cpu_s: float | None = None
    rss_idle_mb: float | None = None
    rss_after_mb: float | None = None
    peak_mb: float | None = None  # VmHWM: the most it ever held
    parents_done: int = 0
    failed: int = 0
    error: str = ""


def compile_project() -> None:
    """The project's own packages compiled to bytecode, as an install by pip leaves them (see the docstring)."""
    import happykids
    import tgtext

    for package in (happykids, tgtext):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def _happykids_command() -> list[str]:
    script = Path(sys.executable).with_name("happykids")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "happykids", "run"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used (its waited-for children included), in seconds."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        import psutil

        times = psutil.Process(pid).cpu_times()
        return times.user + times.system + times.children_user + times.children_system
    fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 (state) is fields[0]
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])  # fields 14-17 of proc(5)
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float | None]:
    """(resident now, peak resident) of a process, in MB: /proc on Linux, psutil elsewhere (no peak there)."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20, None
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@contextlib.asynccontextmanager
async def spawned(bot: str, emu: TimedEmulator, backend: Backend, workdir: Path):
    """The bot as a process polling ``emu``; yields (process, ColdStart: wall and CPU seconds from spawn to its
    first getUpdates)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "FSM_STORAGE_URL", "ADMIN_IDS", "BOT_TOKEN", "BOT_API_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    async with project_database(backend if bot == "project" else Backend()) as database_url:
        if bot == "project":
            env.update(BOT_TOKEN=emu.token, BOT_API_URL=emu.base_url, DATA_DIR=str(workdir / "data"))
            if database_url:
                env["DATABASE_URL"] = database_url
            if backend.fsm_storage_url:
                env["FSM_STORAGE_URL"] = backend.fsm_storage_url
            await _import_catalog(workdir / "data", database_url)  # an installed bot has its catalog already
            compile_project()  # an installed bot has its bytecode already (quick when done before)
            command = _happykids_command()
        else:
            command = [sys.executable, str(BARE_SCRIPT), "--api-url", emu.base_url, "--token", emu.token]
        log = (workdir / f"{bot}.log").open("wb")  # a file, not a pipe: a full pipe would stall the bot
        emu.polled.clear()
        emu.first_poll_at = None
        pids: list[int] = []
        cpu: list[float] = []

        def stamp_cpu() -> None:  # called by the emulator as the first getUpdates arrives, before it is answered
            with contextlib.suppress(OSError, ValueError):  # gone already: no CPU figure for this start
                cpu.extend(cpu_seconds(pid) for pid in pids)

        emu.on_first_poll = stamp_cpu
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(*command, env=env, cwd=workdir, stdout=log, stderr=log)
        pids.append(proc.pid)
        try:
            waiter = asyncio.create_task(emu.polled.wait())
            exited = asyncio.create_task(proc.wait())
            await asyncio.wait({waiter, exited}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            exited.cancel()
            if emu.first_poll_at is None:
                raise RuntimeError(f"{bot} did not start polling: {(workdir / f'{bot}.log').read_text()[-2000:]}")
            yield proc, ColdStart(emu.first_poll_at - started, cpu[0] if cpu else None)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
            log.close()


async def _import_catalog(data_dir: Path, database_url: str | None) -> None:
    from happykids.cli.catalog import import_catalog
    from happykids.config import Settings

    settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url)
    with contextlib.redirect_stdout(io.StringIO()):
        assert await import_catalog(settings, CATALOG) == 0


async def cold_start(bot: str, backend: Backend) -> ColdStart:
    """Spawning the bot's process to its first getUpdates (database migrated, catalog loaded): wall and CPU."""
    emu = TimedEmulator()
    await emu.start()
    workdir = Path(tempfile.mkdtemp(prefix=f"press_speed_{bot}_"))
    try:
        async with spawned(bot, emu, backend, workdir) as (_proc, took):
            await asyncio.sleep(0.3)  # let it finish its start-up calls before it is stopped
            return took
    finally:
        await emu.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def memory_after(bot: str, backend: Backend, parents: int, at_once: int = 200,
                       step_timeout: float = 120) -> ProcessResult:
    """RSS of the bot's process at rest after ``parents`` parents each sent /start and pressed one button."""
    result = ProcessResult(bot)
    emu = TimedEmulator()
    await emu.start()
    workdir = Path(tempfile.mkdtemp(prefix=f"press_speed_{bot}_"))
    first_id = fresh_ids()
    try:
        async with spawned(bot, emu, backend, workdir) as (proc, took):
            result.cold_start_s, result.cold_start_cpu_s = took.wall_s, took.cpu_s
            await asyncio.sleep(1.0)
            result.rss_idle_mb, _ = memory_mb(proc.pid)
            result.failed = await crowd(emu, parents, ["Малыши"], first_id=first_id, timeout=step_timeout,
                                        at_once=at_once)
            result.parents_done = parents - result.failed
            await asyncio.sleep(2.0)  # at rest: in-flight work finished, buffers released
            result.rss_after_mb, result.peak_mb = memory_mb(proc.pid)
    except RuntimeError as exc:
        result.error = str(exc)
    finally:
        await emu.stop()
        if bot == "project" and backend.fsm_storage_url:
            await forget_redis_keys(backend.fsm_storage_url, first_id)
        shutil.rmtree(workdir, ignore_errors=True)
    return result
