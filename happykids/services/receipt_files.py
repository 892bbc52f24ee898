"""Receipt files on our own disk: DATA_DIR/receipts/YYYY-MM/<file_unique_id>.<ext>, complete or absent."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiogram import Bot

from happykids.domain.receipts import local_time

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class SavedFile:
    path: Path
    sha256: str
    size: int


def receipt_file_path(data_dir: Path, received_utc: datetime, file_unique_id: str, extension: str) -> Path:
    month = f"{local_time(received_utc):%Y-%m}"
    name = _UNSAFE.sub("_", file_unique_id)[:120] or "file"
    return data_dir / "receipts" / month / f"{name}.{extension}"


async def download_receipt(bot: Bot, file_id: str, target: Path) -> SavedFile:
    """getFile + download into a temporary name, fsync, then rename: a crash never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    telegram_file = await bot.get_file(file_id)
    if telegram_file.file_path is None:  # Telegram cannot serve it (the handler tells the parent it failed)
        raise OSError(f"Telegram gave no download path for file {file_id}")
    try:
        await bot.download_file(telegram_file.file_path, destination=partial, timeout=120)
        digest, size = await asyncio.to_thread(_seal, partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return SavedFile(target, digest, size)


def _seal(partial: Path, target: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with partial.open("rb+") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
        os.fsync(handle.fileno())
    os.replace(partial, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return sha.hexdigest(), size
