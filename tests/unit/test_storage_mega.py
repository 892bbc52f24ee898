"""MegaArchive pieces that need no server (the server side is in tests/integration)."""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath

import aiohttp
import pytest
from mega.api import MegaAPI
from mega.errors import RequestError, RetryRequestError

from happykids.storage import ArchiveBackend, ArchiveError, MegaArchive, MegaHTTPError, RetryPolicy
from happykids.storage.mega_client import ArchiveMegaAPI as _ArchiveMegaAPI
from happykids.storage.mega_client import request_error as _request_error


def test_is_an_archive_backend():
    arch = MegaArchive("a@b.c", "pw")
    assert isinstance(arch, ArchiveBackend)
    assert arch.name == "mega"


def test_repr_hides_the_password():
    arch = MegaArchive("a@b.c", "top-secret-pw")
    assert "top-secret-pw" not in repr(arch)
    assert "top-secret-pw" not in str(vars(arch).get("folder"))


def test_credentials_required():
    with pytest.raises(ValueError):
        MegaArchive("", "pw")
    with pytest.raises(ValueError):
        MegaArchive("a@b.c", "")


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("2026-11/a.jpg", "HappyKids/Чеки/2026-11/a.jpg"),
        ("HappyKids/Чеки/2026-11/a.jpg", "HappyKids/Чеки/2026-11/a.jpg"),  # not prefixed twice
        ("HappyKids/2026-11/a.jpg", "HappyKids/Чеки/HappyKids/2026-11/a.jpg"),
    ],
)
def test_target(remote, expected):
    assert MegaArchive("a@b.c", "pw")._target(PurePosixPath(remote)) == PurePosixPath(expected)


def test_folder_is_sanitised():
    assert MegaArchive("a@b.c", "pw", folder="/Happy:Kids//Чеки/")._target("x.jpg") == PurePosixPath(
        "Happy-Kids/Чеки/x.jpg"
    )


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (RetryRequestError(), True),
        (RequestError(-15), True),
        (RequestError(-4), True),
        (RequestError(-9), True),
        (RequestError(-18), True),
        (RequestError(-17), False),  # over quota: not within seconds
        (RequestError(-11), False),
        (RequestError(-2), False),
        (RequestError("File not accessible anymore"), True),
        (MegaHTTPError(503, "x"), True),
        (MegaHTTPError(429, "x"), True),
        (MegaHTTPError(404, "x"), False),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientConnectionError(), True),
        (TimeoutError(), True),
        (ConnectionResetError(), True),
        (KeyError("f"), False),
    ],
)
def test_retry_classification(exc, retryable):
    assert MegaArchive._is_retryable(exc) is retryable


def test_unknown_error_code_keeps_its_code():
    err = _request_error(-1234)
    assert isinstance(err, RequestError) and err.code == -1234
    assert isinstance(_request_error(-3), RetryRequestError)


def test_library_retry_is_bypassed():
    assert MegaAPI.post is not _ArchiveMegaAPI.post
    assert getattr(MegaAPI.post, "__wrapped__", None) is _ArchiveMegaAPI.post


def test_retry_policy_validation():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


async def test_missing_file_is_permanent(tmp_path):
    async with MegaArchive("a@b.c", "pw") as arch:
        with pytest.raises(ArchiveError) as err:
            await arch.store(tmp_path / "missing.jpg", PurePosixPath("x.jpg"))
    assert err.value.permanent


async def test_close_without_use_is_fine():
    arch = MegaArchive("a@b.c", "pw")
    await arch.close()
    await arch.close()
    await asyncio.sleep(0)
