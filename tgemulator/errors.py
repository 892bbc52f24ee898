"""Errors of the emulator: what the bot gets back, and what tests inspect afterwards.

``ApiError`` travels from a method handler to the HTTP layer, which turns it into the
Bot API error JSON. ``EmulatorError`` is the record kept in ``emu.errors`` (and in the
separate lists for simulated conditions), so a test can fail on any rejected request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds decide which list of the emulator records the rejection.
ERROR = "error"  # the bot did something Telegram would reject -> emu.errors
FORBIDDEN = "forbidden"  # simulated: user blocked the bot -> emu.forbidden
RATE_LIMITED = "rate_limited"  # simulated flood control -> emu.rate_limited
CONFLICT = "conflict"  # simulated second bot instance -> emu.conflicts


class ApiError(Exception):
    """A request Telegram would refuse; raised inside handlers, answered as ok=false."""

    def __init__(
        self,
        description: str,
        code: int = 400,
        *,
        kind: str = ERROR,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.kind = kind
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> ApiError:
    """Shorthand for the most common 400 error; ``text`` goes after "Bad Request: "."""
    return ApiError(f"Bad Request: {text}", 400)


@dataclass
class EmulatorError:
    """One rejected request as recorded by the emulator (for assertions and debugging)."""

    method: str
    params: dict[str, Any]
    description: str
    error_code: int = 400
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} -> {self.error_code} {self.description} (params={self.params!r})"
