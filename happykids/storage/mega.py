"""Receipt archive on MEGA (https://mega.nz) through ``async-mega-py``.

What this adds on top of the library:

* lazy login, once, shared by concurrent stores; a new login after MEGA
  answers ``-15`` (ESID, the session expired);
* nested folders (``HappyKids/Чеки/2026-11``) created one level at a time
  under a lock, existing folders looked up first and cached by node id, so
  concurrent stores never create twin folders;
* idempotency per remote path: before uploading, the target folder is checked
  for a file of that name; after any failure the listing is fetched again
  before the next attempt (a lost response to a completed upload is found,
  not uploaded twice);
* one retry policy (tenacity, exponential back-off with jitter) over the
  whole store, for network errors, HTTP 5xx/429 and MEGA's transient error
  codes. The library's own ``post`` retry (``-3`` only, fixed 0.5-60 s
  sleeps, up to 10 times) is bypassed so the policy is configurable and
  tests run fast; the upload-chunk call also learns to report HTTP errors
  and MEGA's negative-number answers instead of passing them on as a handle
  (those changes to the library are in ``mega_client.py``).

The password is never logged nor shown in ``repr``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import weakref
from pathlib import Path, PurePosixPath
from typing import Protocol

import aiohttp
from mega.data_structures import Node, NodeID
from mega.errors import InvalidNameError, RequestError, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from happykids.domain.wording import count_of
from happykids.storage.base import ArchiveError, LoginRefused, RetryPolicy, normalize_remote_path
from happykids.storage.mega_client import (
    ESID,
    LOGIN_REJECTED_CODES,
    ArchiveClient,
    LoginRejected,
    MegaBadResponse,
    MegaHTTPError,
    NodeIndex,
    describe,
    is_retryable,
)
from happykids.storage.naming import safe_folder

__all__ = ["MegaArchive", "MegaBadResponse", "MegaHTTPError", "RetryPolicy"]

logger = logging.getLogger(__name__)


class _SecretLike(Protocol):
    def get_secret_value(self) -> str: ...


class MegaArchive:
    """Archive receipts in a MEGA account under ``folder``.

    ``store(local_path, remote_path)`` puts the file at
    ``<folder>/<remote_path>`` (if ``remote_path`` already starts with
    ``folder`` it is not prefixed twice) and returns ``"mega:/<folder>/<remote_path>"``,
    or the file's public link when ``public_links=True`` (anyone holding the
    link can read the receipt: off by default).

    ``session``: an ``aiohttp.ClientSession`` to share (not closed by
    ``close()``); without one the archive creates and closes its own.
    """

    name = "mega"

    def __init__(
        self,
        email: str,
        password: str | _SecretLike,
        folder: str = "HappyKids/Чеки",
        session: aiohttp.ClientSession | None = None,
        *,
        retry: RetryPolicy | None = None,
        public_links: bool = False,
        request_timeout: float = 120.0,
        user_agent: str | None = None,
    ) -> None:
        if not email or not password:
            raise ValueError("MEGA e-mail and password are required")
        self.email = email
        self._password = password
        self.folder = safe_folder(folder)
        self.retry = retry or RetryPolicy()
        self.public_links = public_links
        self._request_timeout = request_timeout
        self._user_agent = user_agent

        self._session = session
        self._own_session = session is None
        self._client: ArchiveClient | None = None
        self._client_gen = 0
        self._index: NodeIndex | None = None
        self._index_dirty = False
        self._lock = asyncio.Lock()
        self._path_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._closed = False

    def __repr__(self) -> str:
        return f"MegaArchive(email={self.email!r}, folder={str(self.folder)!r}, logged_in={self._client is not None})"

    # --- public API ------------------------------------------------------------

    async def store(self, local_path: Path, remote_path: PurePosixPath) -> str:
        if self._closed:
            raise ArchiveError("архив MEGA уже закрыт (бот останавливается)", permanent=True)
        target = self._target(remote_path)
        local_path = Path(local_path)
        if not await asyncio.to_thread(local_path.is_file):
            raise ArchiveError(f"файла для архива нет: {local_path}", permanent=True)

        key = str(target)
        lock = self._path_locks.get(key)
        if lock is None:
            lock = self._path_locks[key] = asyncio.Lock()
        async with lock:
            return await self._store_with_retry(local_path, target)

    async def verify_login(self) -> None:
        """Log in now, if not logged in yet, and keep the session for the uploads (the bot checks this at
        start-up instead of learning about wrong credentials from the first receipt).

        Raises ``LoginRefused`` when MEGA refused the e-mail or password, ``ArchiveError`` when it could not
        be reached (try again later). One try: the caller decides about waiting.
        """
        if self._closed:
            raise ArchiveError("архив MEGA уже закрыт (бот останавливается)", permanent=True)
        try:
            async with asyncio.timeout(self.retry.attempt_timeout), self._lock:
                await self._ready_client([])
        except LoginRejected as exc:
            raise LoginRefused(f"{exc}: проверьте MEGA_EMAIL и MEGA_PASSWORD") from exc.cause
        except asyncio.CancelledError:
            raise
        except ArchiveError:
            raise
        except Exception as exc:
            raise ArchiveError(f"MEGA не отвечает, войти не удалось ({describe(exc)})") from exc

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            await self._drop_client()
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> MegaArchive:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- paths -------------------------------------------------------------------

    def _target(self, remote_path: PurePosixPath | str) -> PurePosixPath:
        rel = normalize_remote_path(remote_path)
        for part in rel.parts:
            try:
                InvalidNameError.check(part)
            except InvalidNameError as exc:
                raise ArchiveError(f"MEGA не примет такое имя: {part!r}", permanent=True) from exc
        prefix = self.folder.parts
        if prefix and rel.parts[: len(prefix)] == prefix:
            return rel
        return self.folder / rel

    # --- retry loop --------------------------------------------------------------

    async def _store_with_retry(self, local_path: Path, target: PurePosixPath) -> str:
        policy = self.retry
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            # wait_exponential_jitter's parameters changed between tenacity 8 and 9: compose it instead
            wait=wait_exponential(multiplier=policy.initial_delay, max=policy.max_delay, exp_base=policy.exp_base)
            + wait_random(0, policy.jitter),
            retry=retry_if_exception(self._is_retryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    used: list[int] = []  # the login generation the attempt worked with
                    try:
                        async with asyncio.timeout(policy.attempt_timeout):
                            return await self._store_once(local_path, target, used)
                    except asyncio.CancelledError:
                        self._index_dirty = True  # don't wait for the lock while being cancelled
                        raise
                    except Exception as exc:
                        await self._after_failure(exc, used[0] if used else None)
                        raise
        except ArchiveError:
            raise
        except LoginRejected as exc:
            raise LoginRefused(f"{exc}: проверьте MEGA_EMAIL и MEGA_PASSWORD") from exc.cause
        except (ValidationError, InvalidNameError) as exc:
            raise ArchiveError(f"MEGA не приняла {target} ({exc})", permanent=True) from exc
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            retried = self._is_retryable(exc)
            what = f"за {count_of(policy.attempts, 'попытку', 'попытки', 'попыток')}" if retried else "с первой попытки"
            raise ArchiveError(f"{target} не удалось отправить в MEGA {what} ({describe(exc)})") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _is_retryable(exc: BaseException) -> bool:
        return is_retryable(exc)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "Архив MEGA: попытка %d из %d не удалась (%s), следующая через %.2f с",
            state.attempt_number,
            self.retry.attempts,
            describe(exc) if exc else "?",
            delay,
        )

    async def _after_failure(self, exc: BaseException, gen: int | None) -> None:
        async with self._lock:
            if gen is None:
                return  # failed while logging in: nothing was kept
            if self._client_gen != gen:
                return  # someone already logged in again meanwhile
            if isinstance(exc, RequestError) and exc.code == ESID:
                logger.info("MEGA session expired (ESID); logging in again")
                await self._drop_client()
            else:
                # Something may have been committed without us hearing back (a folder, a file):
                # read the listing again before the next attempt.
                self._index_dirty = True

    # --- one attempt -------------------------------------------------------------

    async def _store_once(self, local_path: Path, target: PurePosixPath, used: list[int]) -> str:
        async with self._lock:
            client, index = await self._ready_client(used)
            gen = used[0]
            folder_id = await self._ensure_folders(client, index, target.parent.parts)
            existing = index.file(folder_id, target.name)

        if existing is not None:
            size = await asyncio.to_thread(lambda: local_path.stat().st_size)
            if existing.size is not None and existing.size != size:
                logger.warning(
                    "Архив MEGA: %s там уже есть, но другого размера (%s, а у нас %s), оставляю тот, что в MEGA",
                    target,
                    count_of(int(existing.size), "байт", "байта", "байт"),
                    count_of(size, "байт", "байта", "байт"),
                )
            else:
                logger.info("MEGA archive: %s already stored", target)
            return await self._location(client, existing, target)

        node = await self._upload(client, local_path, target.name, folder_id)
        async with self._lock:
            if self._client_gen == gen and self._index is not None:
                self._index.add(node)
        logger.info("MEGA archive: stored %s", target)
        return await self._location(client, node, target)

    async def _ready_client(self, used: list[int]) -> tuple[ArchiveClient, NodeIndex]:
        """Log in if needed, re-read the listing if it may be stale. Call with the lock held.

        Appends the login generation in use to ``used`` as soon as there is a client.
        """
        if self._client is None:
            client = ArchiveClient(self._http_session(), user_agent=self._user_agent)
            try:
                await client.login(self.email, self._password_value())
            except RequestError as exc:
                await client.aclose()
                if exc.code in LOGIN_REJECTED_CODES:
                    raise LoginRejected(exc) from exc
                raise
            except BaseException:
                await client.aclose()
                raise
            self._client = client
            self._client_gen += 1
            fs = client.cached_filesystem
            self._index = NodeIndex.build(fs) if fs is not None else None
            self._index_dirty = fs is None
        used.append(self._client_gen)
        if self._index is None or self._index_dirty:
            fs = await self._client.get_filesystem(force=True)
            self._index = NodeIndex.build(fs)
            self._index_dirty = False
        return self._client, self._index

    async def _ensure_folders(self, client: ArchiveClient, index: NodeIndex, parts: tuple[str, ...]) -> NodeID:
        """Find or create each folder level. Call with the lock held."""
        parent_id = index.root_id
        for part in parts:
            folder = index.folder(parent_id, part)
            if folder is None:
                folder = await client.mkdir(part, parent_id)
                index.add(folder)
                logger.info("MEGA archive: created folder %r", part)
            parent_id = folder.id
        return parent_id

    async def _upload(self, client: ArchiveClient, local_path: Path, name: str, folder_id: NodeID) -> Node:
        # The library names the node after the local file, so upload a copy with the archive name.
        with tempfile.TemporaryDirectory(prefix="happykids-mega-") as tmp:
            staged = Path(tmp) / name
            await asyncio.to_thread(_link_or_copy, local_path, staged)
            return await client.upload(staged, folder_id)

    async def _location(self, client: ArchiveClient, node: Node, target: PurePosixPath) -> str:
        if self.public_links:
            return await client.export(node)
        return f"mega:/{target}"

    # --- plumbing ------------------------------------------------------------------

    def _password_value(self) -> str:
        password = self._password
        if hasattr(password, "get_secret_value"):
            return password.get_secret_value()
        return str(password)

    def _http_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._own_session:
                raise ArchiveError("сессия aiohttp, переданная MegaArchive, уже закрыта", permanent=True)
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._request_timeout, sock_connect=30)
            )
        return self._session

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        self._index = None
        self._index_dirty = False
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()  # closes nothing of ours: the session is always passed in


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
