from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest

from happykids.storage import ArchiveBackend, ArchiveError, LocalArchive, archive_path


@pytest.fixture
def receipt(tmp_path: Path) -> Path:
    path = tmp_path / "receipts" / "42.jpg"
    path.parent.mkdir()
    path.write_bytes(b"\xff\xd8 fake jpeg " + os.urandom(1000))
    return path


@pytest.fixture
def archive(tmp_path: Path) -> LocalArchive:
    return LocalArchive(tmp_path / "archive")


def test_is_an_archive_backend(archive):
    assert isinstance(archive, ArchiveBackend)
    assert archive.name == "local"


async def test_copies_under_root(archive, receipt, tmp_path):
    remote = archive_path("Чеки", datetime(2026, 11, 5), None, "Иванова Анна", 42, "jpg")
    where = await archive.store(receipt, remote)
    expected = tmp_path / "archive" / "Чеки" / "2026-11" / "2026-11-05_без-выбора_Иванова Анна_42.jpg"
    assert where == str(expected)
    assert expected.read_bytes() == receipt.read_bytes()
    assert receipt.exists()  # copied, not moved
    assert not [p for p in expected.parent.iterdir() if p.name.startswith(".tmp-")]


async def test_idempotent(archive, receipt):
    remote = PurePosixPath("2026-11/a.jpg")
    first = await archive.store(receipt, remote)
    mtime = Path(first).stat().st_mtime_ns
    second = await archive.store(receipt, remote)
    assert first == second
    assert Path(first).stat().st_mtime_ns == mtime  # untouched
    assert len(list(Path(first).parent.iterdir())) == 1


async def test_new_content_replaces_atomically(archive, receipt, tmp_path):
    remote = PurePosixPath("2026-11/a.jpg")
    where = await archive.store(receipt, remote)
    other = tmp_path / "other.jpg"
    other.write_bytes(b"new content")
    assert await archive.store(other, remote) == where
    assert Path(where).read_bytes() == b"new content"


async def test_concurrent_stores(archive, tmp_path):
    files = []
    for i in range(10):
        f = tmp_path / f"{i}.pdf"
        f.write_bytes(os.urandom(2000))
        files.append(f)
    results = await asyncio.gather(*(archive.store(f, PurePosixPath(f"2026-11/{f.name}")) for f in files))
    for f, where in zip(files, results, strict=True):
        assert Path(where).read_bytes() == f.read_bytes()


async def test_missing_source_is_permanent(archive, tmp_path):
    with pytest.raises(ArchiveError) as err:
        await archive.store(tmp_path / "nope.jpg", PurePosixPath("2026-11/nope.jpg"))
    assert err.value.permanent


@pytest.mark.parametrize("bad", ["../escape.jpg", "/etc/passwd", "a/../../b.jpg", "", ".", "a\\b.jpg"])
async def test_unsafe_paths_are_refused(archive, receipt, bad):
    with pytest.raises(ArchiveError) as err:
        await archive.store(receipt, PurePosixPath(bad) if bad else bad)
    assert err.value.permanent


async def test_symlink_escape_is_refused(archive, receipt, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArchiveError):
        await archive.store(receipt, PurePosixPath("link/x.jpg"))
    assert not list(outside.iterdir())


async def test_storing_the_archived_file_onto_itself(archive, receipt):
    where = await archive.store(receipt, PurePosixPath("2026-11/a.jpg"))
    assert await archive.store(Path(where), PurePosixPath("2026-11/a.jpg")) == where
    await archive.close()
