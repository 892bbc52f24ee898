"""``BotAPIEmulator``: a loopback Telegram Bot API server for tests and offline demos.

The real bot (aiogram, real polling loop) talks HTTP to it exactly as to
api.telegram.org via ``TelegramAPIServer.from_base(emu.base_url)``. Requests Telegram
would reject are rejected the same way and recorded in ``emu.errors`` so tests fail on
them; simulated conditions (blocked users, flood control, a second bot instance) are
kept in separate lists because they are expected behaviour, not bugs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import messages, methods, payments  # noqa: F401 - importing them registers the handlers
from .chat_view import ChatView
from .client import FakeUser
from .errors import CONFLICT, ERROR, FORBIDDEN, RATE_LIMITED, ApiError, EmulatorError
from .flood import FloodControl
from .registry import HANDLERS, SENDING, Call
from .state import BotMessage, ChatState
from .transport import read_request
from .updates import UpdateQueue
from .validation import METHOD_MODELS, decode_params, validate_model
from .webhook import WebhookDelivery
from .world import World

logger = logging.getLogger("tgemulator")

MAX_REQUEST_BYTES = 60 * 1024 * 1024  # above Telegram's 50 MB upload limit, so we answer 413


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _printable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v) for k, v in params.items()}


class BotAPIEmulator(FloodControl):
    """Emulated api.telegram.org plus the simulated people who use the bot."""

    def __init__(
        self,
        token: str = "42:TEST",  # noqa: S107 - a loopback server; the token only has to look real
        *,
        strict: bool = True,
        rate_limit_per_second: int | None = None,
        bot_username: str = "test_bot",
        bot_name: str = "Test Bot",
    ) -> None:
        self.token = token
        # strict: also refuse what Telegram merely tolerates but is always a bug of the bot
        # (a bare "&" in HTML). False = exactly Telegram's behaviour.
        self.strict = strict
        self.rate_limit_per_second = rate_limit_per_second
        bot_id = int(token.split(":", 1)[0])
        self.world = World(
            bot_user={
                "id": bot_id,
                "is_bot": True,
                "first_name": bot_name,
                "username": bot_username,
            }
        )
        self.updates = UpdateQueue()

        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[EmulatorError] = []  # requests Telegram would reject: bot bugs
        self.forbidden: list[EmulatorError] = []  # 403: user blocked the bot / not started
        self.rate_limited: list[EmulatorError] = []  # 429 answers of the simulated flood limit
        self.conflicts: list[EmulatorError] = []  # 409: ``conflict`` on, or a newer getUpdates

        self._conflict = False
        self.idle_check: Callable[[], bool] | None = None  # extra condition for settle()
        self.webhook = WebhookDelivery(self.updates, self.errors)  # after setWebhook: POSTs updates (webhook.py)
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}

        self._users: dict[int, FakeUser] = {}
        self._views: dict[int, ChatView] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._in_flight = 0
        self._last_request = 0.0
        self._send_times: deque[float] = deque()
        self.base_url = ""
        self._floods: dict[str, tuple[int, int]] = {}  # method -> (answers of 429 left, retry_after)

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def conflict(self) -> bool:
        """True: getUpdates answers 409 like with a second bot instance polling, a long poll in progress too."""
        return self._conflict

    @conflict.setter
    def conflict(self, value: bool) -> None:
        self._conflict = value
        if value:
            self.updates.supersede_pollers()

    @property
    def webhook_url(self) -> str:
        """The URL of the last setWebhook; empty: updates wait for getUpdates."""
        return self.webhook.url

    def set_webhook_targets(self, urls: list[str]) -> None:
        """Deliver webhook requests to these addresses, round-robin, instead of the public https URL (what a
        reverse proxy or load balancer does); an address without a path gets the URL's path."""
        self.webhook.set_targets(urls)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        self._closing = False
        logger.info("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        self._closing = True
        self.updates.wake_pollers()  # let pending long polls return now
        await self.webhook.delete()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- people and chats --------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        *,
        language_code: str | None = "ru",
        started: bool = True,
    ) -> FakeUser:
        """The simulated user ``user_id`` (created on first call, same object afterwards).

        ``started=False``: the user never opened the bot, so the bot cannot write first
        (403 "bot can't initiate conversation with a user") until the user sends anything.
        """
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self, user_id, first_name or f"User{user_id}", last_name, username, language_code
        )
        self.world.chats[user_id] = ChatState(
            id=user_id,
            type="private",
            first_name=user.first_name,
            last_name=last_name,
            username=username,
            started=started,
        )
        self.world.users[user_id] = user.to_api()
        self._users[user_id] = user
        self._views[user_id] = user
        return user

    def chat(
        self,
        chat_id: int,
        type: str = "group",  # the Bot API's name
        title: str | None = None,
        username: str | None = None,
    ) -> ChatView:
        """A group/supergroup/channel the bot is a member of (same object on repeat)."""
        existing = self._views.get(chat_id)
        if existing is not None:
            return existing
        if type not in {"group", "supergroup", "channel"}:
            raise ValueError("use emu.user() for private chats")
        self.world.chats[chat_id] = ChatState(
            id=chat_id, type=type, title=title or f"Chat {chat_id}", username=username
        )
        view = ChatView(self, chat_id)
        self._views[chat_id] = view
        return view

    def messages_in(self, chat_id: int) -> list[BotMessage]:
        return self.world.messages_in(chat_id)

    async def wait_for(
        self, chat_id: int, predicate: Any = None, timeout: float = 5.0
    ) -> BotMessage:
        """``wait_for`` on any chat known to the emulator (user or group)."""
        return await self._views[chat_id].wait_for(predicate, timeout)

    # -- updates -----------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (a fresh update_id unless one is given)."""
        return self.updates.push(update)

    def redeliver_last(self, n: int = 1) -> list[int]:
        """Re-queue the last ``n`` delivered updates with their original update_id."""
        return self.updates.redeliver_last(n)

    def unanswered_callback_queries(self) -> list[dict[str, Any]]:
        """Callback queries delivered to the bot that were never answered."""
        return [
            record.update["callback_query"]
            for record in self.world.callbacks.values()
            if not record.answered
        ]

    async def settle(
        self,
        quiet: float = 0.3,
        timeout: float = 10.0,
        *,
        idle: Callable[[], bool] | None = None,
        answer_grace: float = 3.0,
    ) -> None:
        """Wait until all queued updates were fetched and the bot went quiet.

        Quiet = no bot request (other than the long poll) in flight or arriving for
        ``quiet`` seconds after the last request and the last update delivery; and no
        button press younger than ``answer_grace`` seconds still unanswered (a bot
        answers every callback query, so an unanswered one means "still working").
        The emulator cannot see a handler that is busy without talking to it (a slow
        database call), so a caller that can see the bot may add ``idle`` (or set
        ``emu.idle_check``), e.g. ``lambda: not dp._handle_update_tasks``.
        """
        idle = idle or self.idle_check
        deadline = time.monotonic() + timeout
        while True:
            current = time.monotonic()
            idle_since = max(self._last_request, self.updates.last_delivery, self.webhook.last_activity)
            undelivered = self.updates.undelivered_count
            quiet_now = self._in_flight == 0 and current - idle_since >= quiet and not self.webhook.busy
            answering = any(
                not record.answered and current - record.pressed_at < answer_grace
                for record in self.world.callbacks.values()
            )
            if undelivered == 0 and quiet_now and not answering and (idle is None or idle()):
                return
            if current >= deadline:
                raise TimeoutError(
                    f"bot did not settle within {timeout}s: {undelivered} update(s) never "
                    f"fetched, {self._in_flight} request(s) in flight, {self.webhook.in_flight} webhook "
                    f"request(s) in flight (is the bot polling or serving its webhook?)"
                )
            await asyncio.sleep(0.02)

    # -- inspection --------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue[tuple[str, int, Any]]:
        """Queue of (kind, chat_id, BotMessage | params) for every visible change.

        kinds: "new" (bot and user messages; see BotMessage.from_bot), "edit", "delete",
        "callback_answer" (answerCallbackQuery params), "action" (sendChatAction).
        """
        queue: asyncio.Queue[tuple[str, int, Any]] = asyncio.Queue()
        self.world.subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, int, Any]]) -> None:
        if queue in self.world.subscribers:
            self.world.subscribers.remove(queue)

    def file_bytes(self, file_id: str) -> bytes:
        try:
            return self.world.files.by_id[file_id].data
        except KeyError:
            raise LookupError(f"unknown file_id {file_id!r}") from None

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Params of every call of ``method`` (case-insensitive), in order."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def assert_no_errors(self) -> None:
        """Fail if any request was rejected or a callback query was never answered."""
        problems = [str(e) for e in self.errors]
        problems += [
            f"unanswered callback query {q['data']!r}" for q in self.unanswered_callback_queries()
        ]
        if problems:
            raise AssertionError("emulator saw problems:\n  " + "\n  ".join(problems))

    def dump(self) -> str:
        parts = [view.dump() for view in self._views.values()]
        if self.errors:
            parts.append("rejected requests:\n" + "\n".join(f"  {e}" for e in self.errors))
        return "\n".join(parts)

    # -- HTTP --------------------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        long_poll = method.lower() == "getupdates"
        if not long_poll:
            self._in_flight += 1
            self._last_request = time.monotonic()
        try:
            return await self._dispatch(request, request.match_info["token"], method)
        finally:
            if not long_poll:
                self._in_flight -= 1
                self._last_request = time.monotonic()

    async def _dispatch(self, request: web.Request, token: str, method: str) -> web.Response:
        key = method.lower()
        model_cls = METHOD_MODELS.get(key)
        name = model_cls.__api_method__ if model_cls else method
        params: dict[str, Any] = {}
        try:
            try:
                raw_params, files = await read_request(request)
                params = raw_params
                if model_cls is not None:
                    params = decode_params(model_cls, raw_params)
            finally:
                self.calls.append((name, params))
            if token != self.token:
                raise ApiError("Unauthorized", 401)
            handler = HANDLERS.get(key)
            if handler is None or model_cls is None:
                raise ApiError("Not Found", 404)
            model = validate_model(model_cls, params)
            if key in SENDING:
                self._check_rate_limit()
            self._check_flood(key)
            call = Call(self, name, params, model, files, alive=lambda: self._alive(request))
            result = await handler(call)
            if key in SENDING:
                self._send_times.append(time.monotonic())
            return web.json_response({"ok": True, "result": result}, dumps=_dumps)
        except ApiError as exc:
            self._record(name, params, exc)
            return web.json_response(exc.payload(), status=exc.code, dumps=_dumps)
        except Exception as exc:  # an emulator bug must not look like a bot bug
            logger.exception("emulator failure in %s", name)
            failure = ApiError(f"Internal Server Error: emulator failed: {exc!r}", 500)
            self._record(name, params, failure)
            return web.json_response(failure.payload(), status=500, dumps=_dumps)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        stored = self.world.files.by_path.get(path)
        if request.match_info["token"] != self.token or stored is None:
            self.errors.append(EmulatorError("file download", {"path": path}, "Not Found", 404))
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _alive(self, request: web.Request) -> bool:
        transport = request.transport
        return not self._closing and transport is not None and not transport.is_closing()

    def _record(self, method: str, params: dict[str, Any], exc: ApiError) -> None:
        entry = EmulatorError(method, _printable(params), exc.description, exc.code)
        target = {
            ERROR: self.errors,
            FORBIDDEN: self.forbidden,
            RATE_LIMITED: self.rate_limited,
            CONFLICT: self.conflicts,
        }[exc.kind]
        target.append(entry)
        if exc.kind == ERROR:
            logger.warning("rejected %s: %s", method, exc.description)
