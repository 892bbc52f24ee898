"""Whether the running bot is healthy, decided from plain facts: one sentence per problem, for the operator.

The facts are gathered elsewhere (services/health.py reads the database, the heartbeat file and the lock file);
here is only the judgement, so `happykids health` and `GET /healthz` can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from happykids.domain.wording import count_of, plural

HEARTBEAT_FILE = "heartbeat.json"  # in DATA_DIR: when Telegram was last heard from (getUpdates or webhook)
HEARTBEAT_EVERY_SECONDS = 5.0  # the bot rewrites the file at most this often


@dataclass(frozen=True, slots=True)
class HealthFacts:
    now: datetime  # UTC, naive like the database's timestamps
    bot_pid: int | None  # the process holding DATA_DIR's lock, if it is alive
    last_poll: datetime | None  # the last successful getUpdates (webhook mode: update or clean getWebhookInfo)
    database_error: str | None  # None: a query answered
    via_webhook: bool = False  # webhook mode (app/webhook.py): the advice is about WEBHOOK_URL, not polling
    archive_waiting: int = 0  # receipt archive tasks still pending
    archive_oldest: datetime | None = None  # when the oldest of them was made
    archive_last_error: str | None = None  # why the oldest one failed last time, if it did
    mega_enabled: bool = False
    mega_login_refused: bool = False  # the archive's own record (services/archive.py): MEGA said no to the login


@dataclass(frozen=True, slots=True)
class HealthLimits:
    max_poll_age: timedelta
    archive_stuck_after: timedelta


@dataclass(frozen=True, slots=True)
class HealthReport:
    problems: list[str]
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def sentence(self) -> str:
        """The first problem (the one to fix first), or a one-line summary when all is well."""
        if self.problems:
            return self.problems[0]
        poll = self.checks.get("last_get_updates_seconds_ago")
        waiting = self.checks.get("archive_waiting", 0)
        heard = "вебхук работал" if self.checks.get("mode") == "webhook" else "Telegram ответил на getUpdates"
        return (f"Всё хорошо: {heard} {poll} с назад, база отвечает, в очереди архива "
                f"{count_of(waiting, 'чек', 'чека', 'чеков')}.")

    def as_json(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "status": "ok" if self.healthy else "unhealthy",
                "message": self.sentence(), "problems": self.problems, "checks": self.checks}


def evaluate(facts: HealthFacts, limits: HealthLimits) -> HealthReport:
    """The problems, most basic first: not running, no database, no Telegram, archive stuck or MEGA refusing."""
    problems: list[str] = []
    poll_age = _seconds(facts.now - facts.last_poll) if facts.last_poll else None
    archive_age = _seconds(facts.now - facts.archive_oldest) if facts.archive_oldest else None
    checks: dict[str, Any] = {
        "bot_pid": facts.bot_pid, "database": facts.database_error or "ok",
        "last_get_updates_seconds_ago": poll_age, "archive_waiting": facts.archive_waiting,
        "archive_oldest_seconds": archive_age, "archive_target": "mega" if facts.mega_enabled else "local",
        "mode": "webhook" if facts.via_webhook else "polling",
    }
    if facts.bot_pid is None:
        problems.append("Бот не запущен: ни один живой процесс не держит блокировку в DATA_DIR (запустите его "
                        "командой `happykids run` или через systemd).")
    if facts.database_error is not None:
        problems.append(f"База данных не отвечает ({facts.database_error}): проверьте DATABASE_URL и что сервер "
                        "базы запущен.")
    if facts.bot_pid is not None and facts.via_webhook:
        if poll_age is not None and poll_age > limits.max_poll_age.total_seconds():
            problems.append(f"Уже {poll_age} с Telegram не доставляет обновления на вебхук без ошибок: проверьте "
                            "WEBHOOK_URL, обратный прокси и его сертификат (последнюю ошибку доставки показывает "
                            "getWebhookInfo).")
    elif facts.bot_pid is not None:
        if poll_age is None:
            problems.append("Бот ещё ни разу не получил ответа Telegram на getUpdates: он запускается или не может "
                            "достучаться до Telegram (проверьте сеть, BOT_API_URL и нет ли другой копии бота с тем "
                            "же токеном).")
        elif poll_age > limits.max_poll_age.total_seconds():
            problems.append(f"Уже {poll_age} с нет успешного getUpdates: бот не может достучаться до Telegram или "
                            "его цикл опроса завис (проверьте сеть, BOT_API_URL и нет ли другой копии бота с тем "
                            "же токеном).")
    if archive_age is not None and archive_age > limits.archive_stuck_after.total_seconds():
        where = "отправки в MEGA" if facts.mega_enabled else "записи в папку архива"
        reason = f" (последняя ошибка: {_short(facts.archive_last_error)})" if facts.archive_last_error else ""
        waiting = facts.archive_waiting
        problems.append(f"{count_of(waiting, 'чек', 'чека', 'чеков')} {plural(waiting, 'ждёт', 'ждут', 'ждут')} "
                        f"{where} уже {archive_age // 60} мин{reason}: {_archive_advice(facts)}")
    elif facts.mega_enabled and (facts.mega_login_refused or _is_login_error(facts.archive_last_error)):
        # The archive's own error already says this with the same advice; quoting it would say it twice
        # (the panel's «Архив чеков» shows it in full, with MEGA's code).
        problems.append("MEGA не пускает в аккаунт: проверьте MEGA_EMAIL и MEGA_PASSWORD (двухфакторный "
                        "вход для этого аккаунта должен быть выключен).")
    return HealthReport(problems, checks)


def _archive_advice(facts: HealthFacts) -> str:
    if not facts.mega_enabled:
        return "проверьте, что в DATA_DIR можно писать и на диске есть место."
    if facts.mega_login_refused or _is_login_error(facts.archive_last_error):
        return ("MEGA не пускает в аккаунт, проверьте MEGA_EMAIL и MEGA_PASSWORD (двухфакторный вход должен быть "
                "выключен).")
    return "проверьте, что MEGA отвечает и в аккаунте есть место; отправка продолжится сама."


def _is_login_error(error: str | None) -> bool:
    lowered = (error or "").lower()
    return any(word in lowered for word in ("логин", "пароль", "login", "password", "e-mail", "credential"))


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _short(text: str | None, limit: int = 160) -> str:
    line = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
