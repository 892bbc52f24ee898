"""The backup's pure rules: what it takes from DATA_DIR, which daily backups go, a manifest read back."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from happykids.domain.backup_manifest import FileEntry, Manifest, ManifestError, is_data_file, safe_member, to_prune


def test_what_a_backup_takes_from_data_dir():
    taken = ["receipts/2026-11/AQAD01.jpg", "archive/2026-11/x.pdf", "notes.txt"]
    skipped = ["happykids.sqlite3", "happykids.sqlite3-wal", "happykids.lock", "heartbeat.json",
               "backups/happykids-daily-20261129-033000.tar.gz", "demo/happykids.sqlite3",
               "receipts/2026-11/.AQAD02.jpg.part", "happykids-backup-20261129-120000.tar.gz"]
    assert all(is_data_file(PurePosixPath(p)) for p in taken)
    assert not any(is_data_file(PurePosixPath(p)) for p in skipped)


def test_only_daily_backups_beyond_the_newest_are_pruned():
    names = ["happykids-daily-20261101-033000.tar.gz", "happykids-daily-20261103-033000.tar.gz",
             "happykids-daily-20261102-033000.tar.gz", "happykids-backup-20200101-000000.tar.gz", "notes.txt"]
    assert to_prune(names, 2) == ["happykids-daily-20261101-033000.tar.gz"]


def test_manifest_round_trip_and_damage():
    manifest = Manifest(created_at="2026-11-29T00:00:00+00:00", app_version="2.0.0", schema_revision="0001",
                        database="sqlite", database_included=True, counts={"receipts": 3},
                        files=[FileEntry("data/receipts/2026-11/a.jpg", 10, "ab" * 32)])
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest and again.data_files == manifest.files
    with pytest.raises(ManifestError, match=r"^manifest\.json повреждён"):
        Manifest.from_json('{"format": 1, "files": [{"name": 1}]}')
    with pytest.raises(ManifestError, match="неизвестный формат"):
        Manifest.from_json('{"format": 99}')
    with pytest.raises(ManifestError, match="небезопасное имя в архиве"):
        safe_member("data/../../etc/passwd")
