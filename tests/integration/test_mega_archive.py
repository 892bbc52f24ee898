"""MegaArchive against the fake MEGA API server, through the real async-mega-py client."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest
from mega.client import MegaNzClient
from mega.crypto import b64_url_decode

from happykids.storage import ArchiveError, MegaArchive, RetryPolicy, archive_path
from tests.fakes.mega_server import FakeAccount, FakeMegaServer, decrypt_file

EMAIL = "Archive@HappyKids.example"
PASSWORD = "correct horse battery staple — пароль"
FOLDER = "HappyKids/Чеки"
TINY = RetryPolicy(attempts=4, initial_delay=0.005, max_delay=0.02, jitter=0.0, attempt_timeout=15)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch):
    async with FakeMegaServer() as server:
        server.patch_library(monkeypatch)
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
def account(fake: FakeMegaServer) -> FakeAccount:
    return fake.add_account(EMAIL, PASSWORD)


@pytest.fixture
async def archive(fake: FakeMegaServer, account: FakeAccount):
    arch = MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY)
    yield arch
    await arch.close()


def make_file(tmp_path: Path, name: str = "receipt.jpg", size: int = 300_000) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def month_path(name: str) -> PurePosixPath:
    return PurePosixPath("2026-11") / name


def files_at(account: FakeAccount, path: str):
    return [n for n in account.find(path) if n.is_file]


def folders_at(account: FakeAccount, path: str):
    return [n for n in account.find(path) if n.is_folder]


async def test_login_nested_folders_upload_and_bytes_intact(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path, size=700_000)  # several MEGA chunks (128K, 256K, 384K...)
    remote = archive_path("", datetime(2026, 11, 5, 14, 30), "Младшая группа", "Иванова Анна", 42, "JPG")

    where = await archive.store(local, remote)

    assert where == "mega:/HappyKids/Чеки/2026-11/2026-11-05_Младшая группа_Иванова Анна_42.jpg"
    assert fake.logins == 1
    assert fake.stats.hashcash_solved == 1  # the login went through MEGA's proof-of-work challenge
    for path in ("HappyKids", "HappyKids/Чеки", "HappyKids/Чеки/2026-11"):
        assert len(folders_at(account, path)) == 1, path
    assert fake.folders_created == 3
    [node] = files_at(account, where.removeprefix("mega:"))
    assert node.size == len(data)
    assert account.read_file(node) == data  # decrypted with the key from the "p" call, MAC verified
    assert fake.uploads == 1


async def test_the_library_downloads_what_was_archived(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path, "чек.pdf", size=200_001)
    where = await archive.store(local, month_path("чек.pdf"))

    async with MegaNzClient() as client:  # an independent client: its own login and decryption
        await client.login(EMAIL, PASSWORD)
        node = await client.find(where.removeprefix("mega:"))
        out = await client.download(node, tmp_path / "downloaded")
    assert out.read_bytes() == data


async def test_one_login_and_folders_reused_across_stores(fake, account, archive, tmp_path):
    for i in range(3):
        local, _ = make_file(tmp_path, f"r{i}.png", size=1000 + i)
        await archive.store(local, month_path(f"r{i}.png"))
    await archive.store(make_file(tmp_path, "dec.png")[0], PurePosixPath("2026-12/dec.png"))

    assert fake.logins == 1
    assert fake.folders_created == 4  # HappyKids, Чеки, 2026-11, 2026-12
    assert fake.uploads == 4
    assert fake.stats.commands["f"] == 1  # the listing is read once, at login


async def test_concurrent_stores_create_each_folder_once(fake, account, archive, tmp_path):
    files = [make_file(tmp_path, f"c{i}.jpg", size=5000 + i) for i in range(6)]

    results = await asyncio.gather(*(archive.store(path, month_path(path.name)) for path, _ in files))

    assert len(set(results)) == 6
    assert fake.logins == 1
    assert fake.folders_created == 3
    for path in ("HappyKids", "HappyKids/Чеки", "HappyKids/Чеки/2026-11"):
        assert len(folders_at(account, path)) == 1, path
    for (_path, data), where in zip(files, results, strict=True):
        [node] = files_at(account, where.removeprefix("mega:"))
        assert account.read_file(node) == data


async def test_two_archives_racing_on_an_empty_account_do_not_twin_folders_within_one(fake, account, tmp_path):
    # Within one MegaArchive, a burst of first stores logs in once and creates each folder once.
    arch = MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY)
    try:
        files = [make_file(tmp_path, f"b{i}.jpg", size=100) for i in range(4)]
        months = [PurePosixPath(f"2026-{10 + i % 2}/{p.name}") for i, (p, _) in enumerate(files)]
        await asyncio.gather(*(arch.store(p, m) for (p, _), m in zip(files, months, strict=True)))
    finally:
        await arch.close()
    assert fake.logins == 1
    assert fake.folders_created == 4  # HappyKids, Чеки, 2026-10, 2026-11


async def test_existing_folders_are_looked_up_not_recreated(fake, account, tmp_path):
    async with MegaNzClient() as client:
        await client.login(EMAIL, PASSWORD)
        await client.create_folder("HappyKids")
    assert fake.folders_created == 1

    async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY) as arch:
        await arch.store(make_file(tmp_path)[0], month_path("a.jpg"))
    assert fake.folders_created == 3  # only Чеки and 2026-11 were new
    assert len(folders_at(account, "HappyKids")) == 1


async def test_same_remote_path_twice_gives_one_file(fake, account, archive, tmp_path):
    local, _ = make_file(tmp_path)
    first = await archive.store(local, month_path("same.jpg"))
    second = await archive.store(local, month_path("same.jpg"))
    assert first == second
    assert fake.uploads == 1

    # a restarted bot (new MegaArchive, new login) finds it in the listing too
    async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY) as again:
        third = await again.store(local, month_path("same.jpg"))
    assert third == first
    assert fake.uploads == 1
    assert len(files_at(account, first.removeprefix("mega:"))) == 1

    # concurrent stores of one path: still one file
    other, _ = make_file(tmp_path, "other.jpg")
    results = await asyncio.gather(*(archive.store(other, month_path("other.jpg")) for _ in range(3)))
    assert len(set(results)) == 1
    assert fake.uploads == 2


async def test_remote_path_already_under_the_folder_is_not_prefixed_twice(fake, account, archive, tmp_path):
    local, _ = make_file(tmp_path)
    a = await archive.store(local, PurePosixPath("HappyKids/Чеки/2026-11/x.jpg"))
    b = await archive.store(local, PurePosixPath("2026-11/x.jpg"))
    assert a == b == "mega:/HappyKids/Чеки/2026-11/x.jpg"
    assert fake.uploads == 1


async def test_lost_response_after_upload_commit_is_not_uploaded_again(fake, account, archive, tmp_path):
    await archive.store(make_file(tmp_path, "first.jpg")[0], month_path("first.jpg"))  # folders exist now
    local, data = make_file(tmp_path, "second.jpg")

    fake.fail_next(code=-3, command="p", after_commit=True)  # the file node is created, the answer lost
    where = await archive.store(local, month_path("second.jpg"))

    assert fake.stats.faults_injected == 1
    assert fake.uploads == 2
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data


async def test_lost_response_after_folder_creation_does_not_twin_it(fake, account, archive, tmp_path):
    fake.fail_next(code=-3, command="p", after_commit=True)  # "HappyKids" is created, the answer lost
    await archive.store(make_file(tmp_path)[0], month_path("a.jpg"))
    assert len(folders_at(account, "HappyKids")) == 1
    assert fake.folders_created == 3


async def test_eagain_is_survived(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path)
    fake.fail_next(code=-3, times=2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    where = await archive.store(local, month_path("eagain.jpg"))
    assert loop.time() - started < 2  # our tiny back-off, not the library's 0.5 s + 2 s sleeps
    assert fake.stats.faults_injected == 2
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data


async def test_eagain_from_the_upload_server_is_survived(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path, size=400_000)
    fake.fail_next(code=-3, command="upload")
    where = await archive.store(local, month_path("chunk.jpg"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data
    assert fake.uploads == 1


async def test_http_5xx_is_survived(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path)
    fake.fail_next(code=None, status=500, times=2)
    fake.fail_next(code=None, status=503, command="upload")
    where = await archive.store(local, month_path("5xx.jpg"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data


async def test_expired_session_logs_in_again(fake, account, archive, tmp_path):
    await archive.store(make_file(tmp_path, "a.jpg")[0], month_path("a.jpg"))
    assert fake.logins == 1

    fake.expire_sessions()
    local, data = make_file(tmp_path, "b.jpg")
    where = await archive.store(local, month_path("b.jpg"))

    assert fake.logins == 2
    assert fake.folders_created == 3
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data


async def test_session_expiring_between_folder_and_upload_is_survived(fake, account, archive, tmp_path):
    await archive.store(make_file(tmp_path, "a.jpg")[0], month_path("a.jpg"))
    fake.fail_next(code=-15, command="u")  # ESID exactly when asking for the upload URL
    fake.expire_sessions()
    fake.fail_next(code=-15, command="p")
    where = await archive.store(make_file(tmp_path, "b.jpg")[0], PurePosixPath("2026-12/b.jpg"))
    assert where.endswith("2026-12/b.jpg")
    assert len(folders_at(account, "HappyKids/Чеки/2026-12")) == 1
    assert len(files_at(account, where.removeprefix("mega:"))) == 1


async def test_outage_fails_then_recovers(fake, account, archive, tmp_path):
    local, data = make_file(tmp_path)
    fake.down = True
    with pytest.raises(ArchiveError) as err:
        await archive.store(local, month_path("outage.jpg"))
    assert not err.value.permanent
    assert fake.stats.requests_while_down == TINY.attempts
    assert fake.uploads == 0

    fake.down = False
    where = await archive.store(local, month_path("outage.jpg"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data
    assert fake.uploads == 1


async def test_short_outage_is_ridden_out_by_the_retries(fake, account, tmp_path):
    local, data = make_file(tmp_path)
    patient = RetryPolicy(attempts=30, initial_delay=0.01, max_delay=0.02, jitter=0.0)
    async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=patient) as arch:
        await arch.store(make_file(tmp_path, "warmup.jpg")[0], month_path("warmup.jpg"))
        fake.down = True
        asyncio.get_running_loop().call_later(0.1, setattr, fake, "down", False)
        where = await arch.store(local, month_path("late.jpg"))
    assert fake.stats.requests_while_down > 0
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data


async def test_connection_refused_then_back(fake, account, archive, tmp_path):
    await archive.store(make_file(tmp_path, "a.jpg")[0], month_path("a.jpg"))  # keep-alive connections exist
    await fake.go_offline()
    local, data = make_file(tmp_path, "b.jpg")
    with pytest.raises(ArchiveError) as err:
        await archive.store(local, month_path("b.jpg"))
    assert not err.value.permanent

    await fake.go_online()
    where = await archive.store(local, month_path("b.jpg"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data
    assert fake.uploads == 2


async def test_retries_are_bounded(fake, account, archive, tmp_path):
    fake.fail_next(code=-3, times=1000)
    with pytest.raises(ArchiveError, match="за 4 попытки"):
        await archive.store(make_file(tmp_path)[0], month_path("never.jpg"))
    assert fake.stats.faults_injected == TINY.attempts
    assert fake.uploads == 0


async def test_wrong_password_is_permanent_and_not_logged(fake, account, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "wrong-Secret-123"
    async with MegaArchive(EMAIL, secret, folder=FOLDER, retry=TINY) as arch:
        assert secret not in repr(arch)
        with pytest.raises(ArchiveError) as err:
            await arch.store(make_file(tmp_path)[0], month_path("a.jpg"))
    assert err.value.permanent
    assert fake.stats.commands["us"] >= 1 and fake.logins == 0
    assert fake.stats.commands["us0"] == 1  # not retried
    assert secret not in str(err.value)
    assert secret not in caplog.text
    assert PASSWORD not in caplog.text


async def test_password_never_logged_on_success(fake, account, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    fake.fail_next(code=-3)
    async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY) as arch:
        await arch.store(make_file(tmp_path)[0], month_path("a.jpg"))
    assert caplog.text  # something was logged
    assert PASSWORD not in caplog.text


async def test_secretstr_password_is_accepted(fake, account, tmp_path):
    from pydantic import SecretStr

    async with MegaArchive(EMAIL, SecretStr(PASSWORD), folder=FOLDER, retry=TINY) as arch:
        assert await arch.store(make_file(tmp_path)[0], month_path("s.jpg"))
    assert fake.uploads == 1


async def test_public_link_decrypts_to_the_file(fake, account, tmp_path):
    local, data = make_file(tmp_path)
    async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY, public_links=True) as arch:
        link = await arch.store(local, month_path("linked.jpg"))
        again = await arch.store(local, month_path("linked.jpg"))
    assert link == again
    assert link.startswith("https://mega.nz/file/")
    public_handle, key = link.removeprefix("https://mega.nz/file/").split("#")
    [node] = files_at(account, "HappyKids/Чеки/2026-11/linked.jpg")
    assert node.public_handle == public_handle
    assert decrypt_file(node.ciphertext, b64_url_decode(key)) == data
    assert fake.uploads == 1


async def test_bad_input_is_permanent(fake, account, archive, tmp_path):
    with pytest.raises(ArchiveError) as err:
        await archive.store(tmp_path / "missing.jpg", month_path("m.jpg"))
    assert err.value.permanent
    local, _ = make_file(tmp_path)
    for bad in ("../x.jpg", "/abs.jpg", "2026-11/a:b.jpg", 'a"b.jpg'):
        with pytest.raises(ArchiveError) as err:
            await archive.store(local, PurePosixPath(bad))
        assert err.value.permanent, bad
    assert fake.stats.commands.total() == 0  # refused before talking to MEGA


async def test_empty_file(fake, account, archive, tmp_path):
    local, _ = make_file(tmp_path, "empty.pdf", size=0)
    where = await archive.store(local, month_path("empty.pdf"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert node.size == 0
    assert account.read_file(node) == b""


async def test_store_after_close_fails(fake, account, tmp_path):
    arch = MegaArchive(EMAIL, PASSWORD, folder=FOLDER, retry=TINY)
    await arch.close()
    with pytest.raises(ArchiveError):
        await arch.store(make_file(tmp_path)[0], month_path("a.jpg"))


async def test_shared_session_is_used_and_left_open(fake, account, tmp_path):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with MegaArchive(EMAIL, PASSWORD, folder=FOLDER, session=session, retry=TINY) as arch:
            await arch.store(make_file(tmp_path)[0], month_path("a.jpg"))
        assert not session.closed


async def test_garbage_answers_are_retried_and_the_session_id_never_logged(fake, account, archive, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    await archive.store(make_file(tmp_path, "a.jpg")[0], month_path("a.jpg"))
    [sid] = fake.sessions  # the archive's live session id
    fake.fail_next(code=None, status=200)  # 200 with a non-JSON body (a proxy page)
    fake.fail_next(code=None, status=502, command="u")
    fake.fail_next(code=None, status=504, command="upload")
    local, data = make_file(tmp_path, "b.jpg")
    where = await archive.store(local, month_path("b.jpg"))
    [node] = files_at(account, where.removeprefix("mega:"))
    assert account.read_file(node) == data
    assert fake.stats.faults_injected == 3
    assert "ответ не в JSON" in caplog.text and "HTTP 502" in caplog.text and "HTTP 504" in caplog.text
    assert sid not in caplog.text

    fake.down = True
    with pytest.raises(ArchiveError) as err:
        await archive.store(make_file(tmp_path, "c.jpg")[0], month_path("c.jpg"))
    assert sid not in str(err.value) and "sid=" not in str(err.value)
    assert sid not in caplog.text
