"""The method registry: how a request reaches its handler.

Handlers receive a validated ``Call`` (aiogram's model of the method plus the decoded
raw params and uploaded files) and either return the ``result`` JSON or raise
``ApiError``. Handlers registered with ``sends=True`` create messages and count towards
the optional rate limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .updates import UpdateQueue
from .validation import opt
from .webhook import WebhookDelivery
from .world import World


class Emulator(Protocol):
    """What method handlers may touch of the emulator (a protocol, so they never import the server)."""

    world: World
    updates: UpdateQueue
    strict: bool
    conflict: bool
    webhook: WebhookDelivery

    @property
    def webhook_url(self) -> str: ...
    commands: dict[str, list[dict[str, str]]]
    profile: dict[tuple[str, str], str]
    menu_buttons: dict[int | None, dict[str, Any]]


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One API request as a handler sees it."""

    emu: Emulator
    method: str
    params: dict[str, Any]  # decoded: JSON values, chat ids as int
    model: Any  # the aiogram method model, validated
    files: dict[str, Upload] = field(default_factory=dict)
    alive: Callable[[], bool] = lambda: True  # is the HTTP client still connected?

    def get(self, name: str, default: Any = None) -> Any:
        return opt(self.model, name, default)

    @property
    def strict(self) -> bool:
        return self.emu.strict


Handler = Callable[[Call], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}
SENDING: set[str] = set()


def api(name: str, *, sends: bool = False) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[name.lower()] = func
        if sends:
            SENDING.add(name.lower())
        return func

    return register
