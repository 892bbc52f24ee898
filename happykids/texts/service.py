"""One interface for every text: the director's override from the DB, else the default from the code.

Values put into a template are always HTML-escaped (titles may contain < > &); templates themselves are
Telegram HTML that the admin panel validates before saving.
"""

from __future__ import annotations

import html
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories import texts as repo
from happykids.texts.defaults import DEFAULTS
from happykids.texts.model import PLACEHOLDER_RE, TextDef


class Markup(str):
    """A value that is already safe HTML and must not be escaped again (e.g. a rendered sub-template)."""


def fill(template: str, values: dict[str, object]) -> str:
    """Replace `{name}` placeholders; unknown ones and other braces stay as they are."""

    def sub(match):  # noqa: ANN001, ANN202
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return value if isinstance(value, Markup) else html.escape(str(value), quote=False)

    return PLACEHOLDER_RE.sub(sub, template)


class Texts:
    CACHE_SECONDS = 5.0  # another process (the CLI) may change texts too; stay fresh without a query per text

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._sessions = session_factory
        self._overrides: dict[str, str] = {}
        self._loaded_at = float("-inf")

    async def _refresh(self) -> None:
        if time.monotonic() - self._loaded_at < self.CACHE_SECONDS:
            return
        async with self._sessions() as session:
            self._overrides = await repo.all_overrides(session)
        self._loaded_at = time.monotonic()

    def definition(self, key: str) -> TextDef:
        return DEFAULTS[key]

    async def template(self, key: str) -> str:
        await self._refresh()
        return self._overrides.get(key, DEFAULTS[key].default)

    async def get(self, key: str, **values: object) -> str:
        """The text for `key` with values escaped and filled in."""
        return fill(await self.template(key), values)

    async def markup(self, key: str, **values: object) -> Markup:
        return Markup(await self.get(key, **values))

    async def plain(self, key: str, **values: object) -> str:
        """For button labels and popup answers, which Telegram shows without HTML."""
        template = await self.template(key)
        return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)

    def fixed(self, key: str, values: dict[str, object] | None = None, /, **more: object) -> str:
        """A text the director cannot edit (the panel's own wording): no override to look up, so no await.
        Values are escaped for HTML texts and put in as they are for buttons and popups."""
        definition = DEFAULTS[key]
        if definition.editable:
            raise KeyError(f"{key} is editable: read it with `await texts.get()` so her version is used")
        merged = {**(values or {}), **more}
        if definition.plain:
            return PLACEHOLDER_RE.sub(lambda m: str(merged.get(m.group(1), m.group(0))), definition.default)
        return fill(definition.default, merged)

    async def set_override(self, key: str, value: str, user_id: int | None) -> None:
        async with self._sessions() as session, session.begin():
            await repo.set_override(session, key, value, user_id)
        self._loaded_at = float("-inf")

    async def reset(self, key: str) -> None:
        async with self._sessions() as session, session.begin():
            await repo.delete_override(session, key)
        self._loaded_at = float("-inf")

    async def overrides(self) -> dict[str, str]:
        await self._refresh()
        return dict(self._overrides)
