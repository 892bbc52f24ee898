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
    assert report.healthy and report.sentence().startswith("Healthy: the last getUpdates answered 10 s ago")


def test_stale_polling_names_the_causes():
    report = evaluate(facts(last_poll=NOW - timedelta(seconds=600)), LIMITS)
    assert report.problems == ["No successful getUpdates for 600 s: the bot cannot reach Telegram (network, "
                               "BOT_API_URL, another copy polling the same token) or its polling loop is stuck."]


def test_not_yet_polled():
    assert "has not had a successful getUpdates" in evaluate(facts(last_poll=None), LIMITS).sentence()


def test_database_down_comes_before_polling():
    report = evaluate(facts(database_error="connection refused", last_poll=None), LIMITS)
    assert report.sentence().startswith("The database does not answer (connection refused)")
    assert len(report.problems) == 2


def test_mega_login_refused_even_before_the_queue_is_stuck():
    report = evaluate(facts(mega_enabled=True, archive_waiting=1, archive_oldest=NOW - timedelta(minutes=2),
                            archive_last_error="login failed (check the MEGA e-mail and password)"), LIMITS)
    assert report.sentence().startswith("MEGA refuses to log in")


def test_mega_stuck_queue():
    report = evaluate(facts(mega_enabled=True, archive_waiting=3, archive_oldest=NOW - timedelta(minutes=90),
                            archive_last_error="timeout"), LIMITS)
    assert report.sentence() == ("3 receipt(s) have waited 90 min to be archived to MEGA (last error: timeout): "
                                 "check that MEGA is reachable and the account has free space; uploads resume by "
                                 "themselves.")



def test_mega_login_refused_as_the_archive_recorded_it_with_an_empty_queue():
    # The start-up login check (app/archive_watch.py) records the refusal before any receipt waits.
    report = evaluate(facts(mega_enabled=True, mega_login_refused=True), LIMITS)
    assert report.sentence() == ("MEGA refuses to log in: check MEGA_EMAIL and MEGA_PASSWORD "
                                 "(two-factor login must be off for this account).")
