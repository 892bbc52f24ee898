"""MegaArchive.verify_login against the fake MEGA server: the start-up check the bot runs in the background."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from happykids.storage import ArchiveError, MegaArchive, RetryPolicy
from happykids.storage.base import LoginRefused
from tests.fakes.mega_server import FakeMegaServer

EMAIL, PASSWORD = "archive@happykids.example", "верный пароль"
ONE_TRY = RetryPolicy(attempts=1, initial_delay=0.01, max_delay=0.01, jitter=0.0, attempt_timeout=10)


@pytest.fixture
async def fake(monkeypatch):
    async with FakeMegaServer() as server:
        server.patch_library(monkeypatch)
        server.add_account(EMAIL, PASSWORD)
        yield server
        assert server.violations == [], server.violations


async def test_a_good_login_is_kept_for_the_uploads(fake, tmp_path):
    async with MegaArchive(EMAIL, PASSWORD, retry=ONE_TRY) as archive:
        await archive.verify_login()
        await archive.verify_login()  # already logged in: nothing more to ask
        local = tmp_path / "r.jpg"
        local.write_bytes(b"receipt")
        await archive.store(local, PurePosixPath("2026-11/r.jpg"))
    assert fake.logins == 1


async def test_a_wrong_password_is_login_refused_and_never_echoed(fake, caplog):
    async with MegaArchive(EMAIL, "не тот пароль", retry=ONE_TRY) as archive:
        with pytest.raises(LoginRefused) as err:
            await archive.verify_login()
    assert err.value.permanent and "MEGA не принимает логин и пароль (" in str(err.value)
    assert str(err.value).endswith("): проверьте MEGA_EMAIL и MEGA_PASSWORD")
    assert "не тот пароль" not in str(err.value) + caplog.text


async def test_mega_not_answering_is_not_a_refusal(fake):
    await fake.go_offline()
    async with MegaArchive(EMAIL, PASSWORD, retry=ONE_TRY) as archive:
        with pytest.raises(ArchiveError) as err:
            await archive.verify_login()
    assert not isinstance(err.value, LoginRefused) and not err.value.permanent
    assert "MEGA не отвечает, войти не удалось (" in str(err.value)
