"""The health judgement: each failure is one sentence, the most basic first; a healthy bot says so."""

from __future__ import annotations

from datetime import datetime, timedelta

from happykids.domain.health import HealthFacts, HealthLimits, evaluate

NOW = datetime(2026, 11, 29, 12, 0, 0)
LIMITS = HealthLimits(max_poll_age=timedelta(seconds=120), archive_stuck_after=timedelta(minutes=60))


def facts(**changes) -> HealthFacts:
    base = dict(now=NOW, bot_pid=42, last_poll=NOW - timedelta(seconds=10), database_error=None)
    return HealthFacts(**{**base, **changes})


def test_healthy():
    report = evaluate(facts(), LIMITS)
    assert report.healthy and report.sentence() == ("Всё хорошо: Telegram ответил на getUpdates 10 с назад, база "
                                                    "отвечает, в очереди архива 0 чеков.")
    one = evaluate(facts(archive_waiting=1), LIMITS).sentence()
    assert one.endswith("в очереди архива 1 чек."), one


def test_stale_polling_names_the_causes():
    report = evaluate(facts(last_poll=NOW - timedelta(seconds=600)), LIMITS)
    assert report.problems == ["Уже 600 с нет успешного getUpdates: бот не может достучаться до Telegram или его "
                               "цикл опроса завис (проверьте сеть, BOT_API_URL и нет ли другой копии бота с тем же "
                               "токеном)."]


def test_webhook_mode_speaks_of_the_webhook_not_of_getupdates():
    healthy = evaluate(facts(via_webhook=True), LIMITS)
    assert healthy.sentence() == "Всё хорошо: вебхук работал 10 с назад, база отвечает, в очереди архива 0 чеков."
    assert healthy.checks["mode"] == "webhook"
    stale = evaluate(facts(via_webhook=True, last_poll=NOW - timedelta(seconds=600)), LIMITS)
    assert stale.problems == ["Уже 600 с Telegram не доставляет обновления на вебхук без ошибок: проверьте "
                              "WEBHOOK_URL, обратный прокси и его сертификат (последнюю ошибку доставки показывает "
                              "getWebhookInfo)."]


def test_not_yet_polled():
    assert evaluate(facts(last_poll=None), LIMITS).sentence().startswith(
        "Бот ещё ни разу не получил ответа Telegram на getUpdates: он запускается или не может достучаться")


def test_not_running():
    assert evaluate(facts(bot_pid=None), LIMITS).sentence() == (
        "Бот не запущен: ни один живой процесс не держит блокировку в DATA_DIR (запустите его командой "
        "`happykids run` или через systemd).")


def test_database_down_comes_before_polling():
    report = evaluate(facts(database_error="connection refused", last_poll=None), LIMITS)
    assert report.sentence() == ("База данных не отвечает (connection refused): проверьте DATABASE_URL и что "
                                 "сервер базы запущен.")
    assert len(report.problems) == 2


def test_mega_login_refused_even_before_the_queue_is_stuck():
    report = evaluate(facts(mega_enabled=True, archive_waiting=1, archive_oldest=NOW - timedelta(minutes=2),
                            archive_last_error="MEGA не принимает логин и пароль (ENOENT)"), LIMITS)
    assert report.sentence() == ("MEGA не пускает в аккаунт: проверьте MEGA_EMAIL и MEGA_PASSWORD (двухфакторный "
                                 "вход для этого аккаунта должен быть выключен).")


def test_mega_stuck_queue():
    report = evaluate(facts(mega_enabled=True, archive_waiting=3, archive_oldest=NOW - timedelta(minutes=90),
                            archive_last_error="timeout"), LIMITS)
    assert report.sentence() == ("3 чека ждут отправки в MEGA уже 90 мин (последняя ошибка: timeout): "
                                 "проверьте, что MEGA отвечает и в аккаунте есть место; отправка продолжится сама.")


def test_stuck_queue_with_the_login_refused_and_in_the_local_folder():
    refused = evaluate(facts(mega_enabled=True, mega_login_refused=True, archive_waiting=1,
                             archive_oldest=NOW - timedelta(minutes=61)), LIMITS)
    assert refused.sentence() == ("1 чек ждёт отправки в MEGA уже 61 мин: MEGA не пускает в аккаунт, проверьте "
                                  "MEGA_EMAIL и MEGA_PASSWORD (двухфакторный вход должен быть выключен).")
    local = evaluate(facts(archive_waiting=5, archive_oldest=NOW - timedelta(minutes=120)), LIMITS)
    assert local.sentence() == ("5 чеков ждут записи в папку архива уже 120 мин: проверьте, что в DATA_DIR можно "
                                "писать и на диске есть место.")



def test_mega_login_refused_as_the_archive_recorded_it_with_an_empty_queue():
    # The start-up login check (app/archive_watch.py) records the refusal before any receipt waits.
    report = evaluate(facts(mega_enabled=True, mega_login_refused=True), LIMITS)
    assert report.sentence() == ("MEGA не пускает в аккаунт: проверьте MEGA_EMAIL и MEGA_PASSWORD (двухфакторный "
                                 "вход для этого аккаунта должен быть выключен).")
