"""Webhook delivery: what Telegram does after ``setWebhook`` instead of answering ``getUpdates``.

Each pending update is POSTed as JSON to the webhook's URL, one update per request, with the
``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set. It stays pending until the bot
answers 2xx; a non-2xx answer, a refused connection or a timeout is recorded as the webhook's
``last_error_date``/``last_error_message`` (``getWebhookInfo``) and the same update is POSTed again
after a pause that doubles up to ``retry_max`` (Telegram's pauses are longer; these are scaled down so
tests and the demo recover in a moment). Like Telegram's Bot API server, updates of one chat go one at a
time, in order (the next one waits until the previous was answered 2xx), updates of different chats in
parallel, at most ``max_connections`` requests at once. While a webhook is set, ``getUpdates`` answers
409 (methods.py); ``deleteWebhook`` stops delivery and leaves what is pending to ``getUpdates``.

``targets`` (``emu.set_webhook_targets([...])``) stands for a reverse proxy or a load balancer: the
requests go to these addresses, round-robin per request, instead of the public ``https://`` URL, which
the emulator, like Telegram, insists on. A target given without a path gets the URL's path.

A bot that answers a webhook request with a method in the body (a "webhook reply") is told nothing by
Telegram about that method's failure; the emulator does not execute such replies and records them in
``emu.errors``, so a test notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from .errors import EmulatorError
from .updates import UpdateQueue, update_type

logger = logging.getLogger("tgemulator")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret


def queue_key(update: dict[str, Any]) -> Any:
    """The chat whose updates go one at a time (Telegram orders them per chat); None: no order needed."""
    payload = update.get(update_type(update))
    if not isinstance(payload, dict):
        return None
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
    if isinstance(chat, dict) and "id" in chat:
        return chat["id"]
    sender = payload.get("from")
    return ("user", sender["id"]) if isinstance(sender, dict) and "id" in sender else None


class WebhookDelivery:
    retry_first = 0.05  # seconds before the first retry of a failed update; doubled after each failure
    retry_max = 2.0
    timeout = 60.0  # how long a request may take before it counts as failed (Telegram: about a minute)

    def __init__(self, updates: UpdateQueue, errors: list[EmulatorError]) -> None:
        self.updates = updates
        self.errors = errors
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.targets: list[str] = []
        self.secret_override: str | None = None  # tests: send this header instead (a misconfigured proxy)
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        # (address, update_id, HTTP status or 0 for no answer) of every request, in order of the answers
        self.attempts: list[tuple[str, int, int]] = []
        self.last_activity = 0.0  # monotonic time of the last request sent or answered
        self._in_flight: dict[int, Any] = {}  # update_id -> its queue key
        self._retry_at: dict[int, float] = {}
        self._delay: dict[int, float] = {}
        self._next_target = 0
        self._loop_task: asyncio.Task[None] | None = None
        self._requests: set[asyncio.Task[None]] = set()
        self._kick = asyncio.Event()

    # -- what the Bot API methods and the tests call -----------------------------------------------------
    @property
    def busy(self) -> bool:
        """A webhook is set and an update is being delivered or still waits for a 2xx answer."""
        return bool(self.url) and (bool(self._in_flight) or self.updates.pending_count > 0)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def set(self, url: str, secret: str | None, max_connections: int | None) -> None:
        self.url = url
        self.secret = secret
        self.max_connections = min(max(max_connections or 40, 1), 100)
        self.last_error_date = self.last_error_message = None
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.get_running_loop().create_task(self._run())
        self._wake()

    async def delete(self) -> None:
        """Stop delivering; requests in flight are cut off and their updates stay pending."""
        self.url = ""
        self.secret = None
        task, self._loop_task = self._loop_task, None
        for request in list(self._requests):
            request.cancel()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._in_flight.clear()
        self._retry_at.clear()
        self._delay.clear()

    def set_targets(self, urls: list[str]) -> None:
        self.targets = list(urls)
        self._wake()

    def info(self) -> dict[str, Any]:
        """The ``getWebhookInfo`` result."""
        result: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending_count,
        }
        if self.url:
            result["max_connections"] = self.max_connections
            if self.updates.allowed_updates:
                result["allowed_updates"] = list(self.updates.allowed_updates)
        if self.last_error_date is not None:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        return result

    # -- delivery --------------------------------------------------------------------------------------
    def _wake(self) -> None:
        self._kick.set()

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while self.url:
                    arrived = self.updates.wakeup_event()  # set by a push; taken before looking
                    self._kick.clear()
                    pause = self._start_due(session)
                    kicked = asyncio.ensure_future(self._kick.wait())
                    pushed = asyncio.ensure_future(arrived.wait())
                    await asyncio.wait({kicked, pushed}, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
                    kicked.cancel()
                    pushed.cancel()
            finally:
                for request in list(self._requests):
                    request.cancel()
                if self._requests:
                    await asyncio.gather(*self._requests, return_exceptions=True)

    def _start_due(self, session: aiohttp.ClientSession) -> float:
        """Start every update that may go now; return how long until the next retry is due (at most 0.5 s)."""
        now = time.monotonic()
        pause = 0.5
        blocked = set(self._in_flight.values())  # a chat with an update in flight or waiting: the next one waits
        for entry in self.updates.entries():
            key = queue_key(entry.update)
            if entry.update_id in self._in_flight:
                continue
            if key is not None and key in blocked:
                continue
            if key is not None:
                blocked.add(key)
            due = self._retry_at.get(entry.update_id, 0.0)
            if due > now:
                pause = min(pause, due - now)
                continue
            if len(self._in_flight) >= self.max_connections:
                break
            self._in_flight[entry.update_id] = key
            self.updates.mark_delivered(entry)
            request = asyncio.ensure_future(self._post(session, entry.update_id, entry.update))
            self._requests.add(request)
            request.add_done_callback(self._requests.discard)
        return pause

    def _address(self) -> str:
        if not self.targets:
            return self.url
        target = self.targets[self._next_target % len(self.targets)]
        self._next_target += 1
        parts = urlsplit(target)
        if parts.path in ("", "/"):  # a proxy passes the public URL's path on unchanged
            public = urlsplit(self.url)
            parts = parts._replace(path=public.path or "/", query=public.query)
        return urlunsplit(parts)

    async def _post(self, session: aiohttp.ClientSession, update_id: int, update: dict[str, Any]) -> None:
        address = self._address()
        headers = {"Content-Type": "application/json"}
        secret = self.secret_override if self.secret_override is not None else self.secret
        if secret:
            headers[SECRET_HEADER] = secret
        status, error = 0, ""
        self.last_activity = time.monotonic()
        try:
            body = json.dumps(update, ensure_ascii=False).encode()
            async with session.post(address, data=body, headers=headers) as response:
                status = response.status
                answer = await response.read()
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason or ''}".strip()
        except TimeoutError:
            error = "Read timeout expired"
        except (aiohttp.ClientError, OSError) as exc:
            error = "Connection refused" if isinstance(exc, aiohttp.ClientConnectorError) else str(exc) or repr(exc)
        finally:
            self._in_flight.pop(update_id, None)
            self.last_activity = time.monotonic()
            self._wake()
        self.attempts.append((address, update_id, status))
        if error:
            delay = self._delay.get(update_id, self.retry_first / 2) * 2
            self._delay[update_id] = min(delay, self.retry_max)
            self._retry_at[update_id] = time.monotonic() + self._delay[update_id]
            self.last_error_date = int(time.time())
            self.last_error_message = error
            logger.info("webhook delivery of update %s failed: %s", update_id, error)
            return
        self._retry_at.pop(update_id, None)
        self._delay.pop(update_id, None)
        self.updates.confirm_one(update_id)
        self._check_reply(update_id, answer)

    def _check_reply(self, update_id: int, answer: bytes) -> None:
        if not answer.strip():
            return
        with contextlib.suppress(ValueError):
            reply = json.loads(answer)
            if isinstance(reply, dict) and "method" in reply:
                self.errors.append(EmulatorError(
                    "webhook reply", {"update_id": update_id, "method": reply["method"]},
                    "the emulator does not execute a method in a webhook answer (its failure would be "
                    "invisible to the bot); call the Bot API instead",
                ))
