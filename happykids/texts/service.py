"""One interface for every text: the director's override from the DB, else the default from the code.

Values put into a template are always HTML-escaped (titles may contain < > &); templates themselves are
Telegram HTML that the admin panel validates before saving. One value is written by the director with
formatting: the agency's contacts, kept as she typed them (tags like <b> work, a stray "<" is a character)
and turned into HTML here by tgtext.typed, the one way her typing becomes a message.
"""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.change_tracking import Topic, VersionBoard
from happykids.db.repositories import texts as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.texts.defaults import DEFAULTS
from happykids.texts.model import TextDef, substitute
from tgtext.typed import to_html


class Markup(str):
    """A value that is already safe HTML and must not be escaped again (e.g. a rendered sub-template)."""


FORMATTED_VALUES = frozenset({"contacts"})  # typed by the director, formatting included (tgtext.typed)


def fill(template: str, values: dict[str, object]) -> str:
    """Replace `{name}` placeholders; unknown ones and other braces stay as they are."""
    values = {name: Markup(to_html(str(value)).html)
              if name in FORMATTED_VALUES and value is not None and not isinstance(value, Markup) else value
              for name, value in values.items()}

    return substitute(template, values,
                      lambda value: value if isinstance(value, Markup) else html.escape(str(value), quote=False))


class Texts:
    """The director's overrides are held in memory and reloaded only when they changed: at once after a change
    in this process, within a second after another process's (db/change_tracking.py)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], versions: VersionBoard):
        """`versions`: the board `session_factory` reports its commits to (db.engine.create_session_factory)."""
        self._sessions = session_factory
        self._versions = versions
        self._overrides: dict[str, str] = {}
        self._version = -1
        self._versions.on_change(self._on_change)

    def _on_change(self, topic: Topic) -> None:
        if topic == Topic.TEXTS:
            self._version = -1

    async def _refresh(self) -> None:
        if self._version >= 0 and not self._versions.due() and self._versions.known(Topic.TEXTS) == self._version:
            return  # the board's last read (whoever made it) says the texts did not change
        unit = UnitOfWork.current()  # inside an update: its session, so a press uses one connection
        if unit is not None:
            await self._reload(unit.session)
            return
        async with self._sessions() as session:
            await self._reload(session)

    async def _reload(self, session: AsyncSession) -> None:
        version = await self._versions.version(session, Topic.TEXTS)
        if version != self._version:
            self._overrides, self._version = await repo.all_overrides(session), version

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
        return substitute(template, values)

    def fixed(self, key: str, values: dict[str, object] | None = None, /, **more: object) -> str:
        """A text the director cannot edit (the panel's own wording): no override to look up, so no await.
        Values are escaped for HTML texts and put in as they are for buttons and popups."""
        definition = DEFAULTS[key]
        if definition.editable:
            raise KeyError(f"{key} is editable: read it with `await texts.get()` so her version is used")
        merged = {**(values or {}), **more}
        if definition.plain:
            return substitute(definition.default, merged)
        return fill(definition.default, merged)

    async def set_override(self, key: str, value: str, user_id: int | None) -> None:
        """Inside an update the change joins its unit of work (committed with the audit entry by the
        handler); outside one (tools, tests) it is committed at once."""
        unit = UnitOfWork.current()
        if unit is not None:
            await repo.set_override(unit.session, key, value, user_id)
            return
        async with self._sessions() as session, session.begin():
            await repo.set_override(session, key, value, user_id)

    async def reset(self, key: str) -> None:
        unit = UnitOfWork.current()
        if unit is not None:
            await repo.delete_override(unit.session, key)
            return
        async with self._sessions() as session, session.begin():
            await repo.delete_override(session, key)

    async def overrides(self) -> dict[str, str]:
        await self._refresh()
        return dict(self._overrides)
