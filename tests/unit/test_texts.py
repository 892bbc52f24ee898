"""The texts interface: defaults in one place, escaping of values, overrides from the database."""

from happykids.db.change_tracking import VersionBoard
from happykids.db.engine import create_engine, create_session_factory
from happykids.texts.defaults import DEFAULTS
from happykids.texts.service import Markup, Texts, fill
from happykids.texts.validation import LIMITS
from tests.schema import migrated_sqlite_url


def test_fill_escapes_values_but_not_markup_or_unknown_braces():
    out = fill("<b>{group}</b> {extra} {other} {not-a-placeholder}", {"group": "A<b>&", "extra": Markup("<i>x</i>")})
    assert out == "<b>A&lt;b&gt;&amp;</b> <i>x</i> {other} {not-a-placeholder}"


def test_every_default_has_description_and_buttons_are_short():
    for key, text in DEFAULTS.items():
        assert text.key == key and text.description and text.screen
        if text.plain:
            assert len(text.default) <= LIMITS[text.kind] and "<" not in text.default


async def test_override_then_reset(tmp_path):
    url = await migrated_sqlite_url(tmp_path)  # the schema without running the migrations again (tests/schema.py)
    engine = create_engine(url)
    versions = VersionBoard()  # wired as the app does: its sessions tell the texts when overrides change
    texts = Texts(create_session_factory(engine, versions), versions)
    assert await texts.get("dialog.choose_group") == DEFAULTS["dialog.choose_group"].default
    await texts.set_override("dialog.choose_group", "Какая группа, {name}?", user_id=1)
    assert await texts.get("dialog.choose_group", name="<Аня>") == "Какая группа, &lt;Аня&gt;?"
    await texts.reset("dialog.choose_group")
    assert await texts.get("dialog.choose_group") == DEFAULTS["dialog.choose_group"].default
    await engine.dispose()
