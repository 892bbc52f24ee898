"""The Bot API emulator must be as strict as Telegram, and drive a real aiogram bot.

Every test talks to the emulator over HTTP with a real ``aiogram.Bot`` -- the same
path the production bot uses in the end-to-end suite.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import CommandStart
from aiogram.methods import GetChatMember
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from aiogram.utils import formatting as fmt

from tests.unit.emulator_fixtures import TOKEN, make_bot
from tgemulator import BotAPIEmulator, BotMessage
from tgemulator.media import SAMPLE_JPEG
from tgtext.entities import EntityParseError
from tgtext.html import parse_html
from tgtext.markdown import parse_markdown_v2

USER_ID = 1001
BOT_USERNAME = "happykids_test_bot"


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons]
    )


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    emulator = BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
def user(emu: BotAPIEmulator):
    return emu.user(USER_ID, first_name="Анна", username="anna")


# -- sending & formatting -----------------------------------------------------------------
async def test_send_message_returns_a_real_message(emu, bot, user):
    sent = await bot.send_message(
        USER_ID,
        "<b>Привет</b>, Анна &amp; 👋",
        parse_mode="HTML",
        reply_markup=keyboard(("Дальше", "next")),
    )
    assert isinstance(sent, Message)
    assert sent.from_user.username == "happykids_test_bot"
    assert sent.text == "Привет, Анна & 👋"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 6
    assert sent.html_text == "<b>Привет</b>, Анна &amp; 👋"
    last = user.last
    assert last.message_id == sent.message_id
    assert last.html == "<b>Привет</b>, Анна &amp; 👋"
    assert last.button_texts() == ["Дальше"] and last.has_button("Даль")
    assert emu.calls[-1][0] == "sendMessage"
    assert emu.errors == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<foo>bar</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a & b", 'Bare "&"'),
        ("1 < 2", 'Unsupported start tag ""'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("text</b>", "Unexpected end tag"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("&nbsp;", 'Bare "&"'),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(emu, bot, user, text, fragment):
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(USER_ID, text, parse_mode="HTML")
    assert "can't parse entities" in info.value.message
    assert fragment in info.value.message
    assert len(emu.errors) == 1 and emu.errors[0].method == "sendMessage"
    assert user.bot_messages == []


async def test_non_strict_mode_tolerates_bare_ampersand_like_telegram():
    emulator = BotAPIEmulator(token=TOKEN, strict=False)
    await emulator.start()
    bot = make_bot(emulator)
    try:
        emulator.user(USER_ID)
        sent = await bot.send_message(USER_ID, "Tom & Jerry", parse_mode="HTML")
        assert sent.text == "Tom & Jerry"
    finally:
        await bot.session.close()
        await emulator.stop()


def test_html_checker_accepts_telegram_subset():
    parsed = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><a href="https://x.org/?a=1&amp;b=2">l</a>'
        '<code>c</code><pre><code class="language-python">py</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        "&lt;&gt;&amp;&quot;&#65;&#x1F600;"
    )
    assert parsed.text.endswith('<>&"A😀')
    kinds = [e["type"] for e in parsed.entities]
    for kind in (
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ):
        assert kind in kinds
    pre = next(e for e in parsed.entities if e["type"] == "pre")
    assert pre["language"] == "python"
    link = next(e for e in parsed.entities if e["type"] == "text_link")
    assert link["url"] == "https://x.org/?a=1&b=2"


def test_parsers_agree_with_aiogram_formatting():
    """What aiogram's formatting utils render must parse into aiogram's own entities."""
    parts = [
        "Привет, ", fmt.Bold("мир."), " ", fmt.Italic("(x) ", fmt.Bold("😀 жир")), " ",
        fmt.Code("a_b"), " ", fmt.TextLink("ссылка", url="https://ex.com/?x=1&y=2"), " ",
        fmt.Underline("u"), fmt.Spoiler("s"), fmt.Strikethrough("z"), "\n",
        fmt.BlockQuote("цитата\nвторая"), "\nend & <tag>",
    ]  # fmt: skip
    for text, parse in (
        (fmt.Text(*parts, "\n", fmt.Pre("x = 1 < 2", language="py")).as_html(), parse_html),
        (fmt.Text(*parts).as_markdown(), parse_markdown_v2),
    ):
        expected_text, expected_entities = fmt.Text(*parts).render()
        parsed = parse(text).cleaned()
        assert parsed.text.startswith(expected_text)
        got = {(e["type"], e["offset"], e["length"]) for e in parsed.entities}
        assert {(e.type, e.offset, e.length) for e in expected_entities} <= got


def test_html_offsets_are_utf16():
    parsed = parse_html("😀 <b>жирный</b>")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 6}]
    with pytest.raises(EntityParseError, match="byte offset 5"):
        parse_html("😀 <x>")  # the emoji is 4 bytes, the space 1


async def test_markdown_v2_reserved_character_rejected(emu, bot, user):
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(USER_ID, "Оплата получена.", parse_mode="MarkdownV2")
    ok = await bot.send_message(USER_ID, "*Жирный* и \\.", parse_mode="MarkdownV2")
    assert ok.text == "Жирный и ." and ok.entities[0].type == "bold"


async def test_text_limits_count_text_after_entity_parsing(emu, bot, user):
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "я" * 4097)
    # 4096 visible characters are fine even though the HTML source is longer
    await bot.send_message(USER_ID, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER_ID, "  <b> </b> ", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER_ID, BufferedInputFile(SAMPLE_JPEG, "a.jpg"), caption="x" * 1025)
    assert [e.description for e in emu.errors] == [
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
        "Bad Request: message caption is too long",
    ]


async def test_missing_parameter_and_unknown_chat(emu, bot, user):
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "hi")
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}/bot{TOKEN}/sendMessage"
        async with http.post(url, json={"chat_id": USER_ID}) as resp:
            body = await resp.json()
    assert resp.status == 400 and body["ok"] is False
    assert body["description"] == "Bad Request: message text is empty"
    assert len(emu.errors) == 2


# -- keyboards ------------------------------------------------------------------------------
async def test_inline_keyboard_rules(emu, bot, user):
    await bot.send_message(USER_ID, "ok", reply_markup=keyboard(("Да", "я" * 32)))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "x", reply_markup=keyboard(("Да", "я" * 33)))  # 66 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(
            USER_ID,
            "x",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Сайт", url="javascript:alert(1)")]]
            ),
        )
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(
            USER_ID,
            "x",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A")]]),
        )
    with pytest.raises(TelegramBadRequest, match="must be non-empty"):
        await bot.send_message(USER_ID, "x", reply_markup=keyboard(("", "data")))
    assert len(emu.errors) == 4
    assert len(user.bot_messages) == 1


async def test_reply_keyboard_tap(emu, bot, user):
    markup = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📞 Контакт", request_contact=True), KeyboardButton(text="Меню")]
        ],
        resize_keyboard=True,
    )
    await bot.send_message(USER_ID, "Выберите", reply_markup=markup)
    assert user.reply_keyboard == [["📞 Контакт", "Меню"]]
    sent = await user.tap("Контакт")
    assert sent["contact"]["user_id"] == USER_ID
    sent = await user.tap("Меню")
    assert sent["text"] == "Меню"


# -- editing & deleting -----------------------------------------------------------------------
async def test_edit_rules(emu, bot, user):
    sent = await bot.send_message(
        USER_ID, "<b>Заказ</b>", parse_mode="HTML", reply_markup=keyboard(("OK", "ok"))
    )
    same = dict(chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard(("OK", "ok")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="<strong>Заказ</strong>", parse_mode="HTML", **same)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(**same)
    # same text without reply_markup is a change: Telegram removes the keyboard
    edited = await bot.edit_message_text(
        chat_id=USER_ID, message_id=sent.message_id, text="<b>Заказ</b>", parse_mode="HTML"
    )
    assert edited.reply_markup is None
    assert user.last.buttons == [] and user.last.edited == 1
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(chat_id=USER_ID, message_id=999, text="x")

    photo = await bot.send_photo(USER_ID, BufferedInputFile(SAMPLE_JPEG, "p.jpg"), caption="c")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text(chat_id=USER_ID, message_id=photo.message_id, text="x")
    recaptioned = await bot.edit_message_caption(
        chat_id=USER_ID, message_id=photo.message_id, caption="новая"
    )
    assert recaptioned.caption == "новая" and user.last.text == "новая"

    own = await user.send_text("моё")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(chat_id=USER_ID, message_id=own["message_id"], text="x")
    assert len(emu.errors) == 5


async def test_delete_message(emu, bot, user):
    sent = await bot.send_message(USER_ID, "временное")
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert user.bot_messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)


# -- protocol -----------------------------------------------------------------------------
async def test_unknown_method_and_wrong_token(emu, user):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}/bot{TOKEN}/sendUnicorn", data={"a": "1"}) as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{emu.base_url}/bot1:WRONG/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
    assert [e.error_code for e in emu.errors] == [404, 401]


async def test_updates_parse_and_callback_query_roundtrip(emu, bot, user):
    sent = await bot.send_message(
        USER_ID, "Выберите", reply_markup=keyboard(("Да", "yes"), ("Нет", "no"))
    )
    await user.send_text("hello")
    query_id = await user.press("Нет")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [1, 2]
    assert updates[0].message.text == "hello"
    callback = updates[1].callback_query
    assert callback.id == query_id and callback.data == "no"
    assert callback.message.message_id == sent.message_id
    assert len(emu.unanswered_callback_queries()) == 1

    assert await bot.answer_callback_query(query_id, text="Принято")
    assert user.callback_answers == [{"callback_query_id": query_id, "text": "Принято"}]
    assert emu.unanswered_callback_queries() == []
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)

    query_id = await user.press_data(sent.message_id, "forged:data")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    with pytest.raises(LookupError, match="no button containing"):
        await user.press("Может быть")

    # offset confirms earlier updates
    rest = await bot.get_updates(offset=3, timeout=0)
    assert [u.callback_query.data for u in rest] == ["forged:data"]
    assert await bot.get_updates(offset=4, timeout=0) == []


async def test_all_simulated_updates_are_valid_aiogram_updates(emu, bot, user):
    sent = await bot.send_message(USER_ID, "Меню", reply_markup=keyboard(("A", "a")))
    text = await user.send_text("hello")
    await user.send_command("/start ref_42")
    await user.send_photo(caption="чек")
    await user.send_document(b"%PDF-1.4 receipt", caption="pdf")
    album = await user.send_album([SAMPLE_JPEG, SAMPLE_JPEG, SAMPLE_JPEG])
    await user.send_sticker()
    await user.send_voice()
    await user.send_video()
    await user.send_location()
    await user.send_contact()
    await user.edit_message(text["message_id"], "hello, edited")
    await user.press("A", message_id=sent.message_id)
    emu.push_update({"message": text})  # raw injection gets a fresh update_id

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 15
    for update in updates:
        assert isinstance(Update.model_validate(update.model_dump(), context={"bot": bot}), Update)
    kinds = {u.event_type for u in updates}
    assert kinds == {"message", "edited_message", "callback_query"}
    command = updates[1].message
    assert command.entities[0].type == "bot_command" and command.entities[0].length == 6
    assert {u.message.media_group_id for u in updates[4:7]} == {album[0]["media_group_id"]}
    assert updates[12].edited_message.text == "hello, edited"
    assert [m.kind for m in user.messages][:4] == ["text", "text", "text", "photo"]


async def test_long_polling_waits_for_updates(emu, bot, user):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send_text("ping")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "ping"
    assert time.monotonic() - started < 2
    empty_started = time.monotonic()
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1) == []
    assert time.monotonic() - empty_started >= 0.9


async def test_redelivery_keeps_update_id(emu, bot, user):
    await user.send_text("оплата")
    first = await bot.get_updates(timeout=0)
    assert await bot.get_updates(offset=first[0].update_id + 1, timeout=0) == []
    emu.redeliver_last(1)
    again = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert [u.update_id for u in again] == [first[0].update_id]
    assert again[0].message.text == "оплата"


async def test_conflict_is_simulated_not_an_error(emu, bot):
    emu.conflict = True
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await bot.get_updates(timeout=0)
    assert len(emu.conflicts) == 1 and emu.errors == []


# -- files -------------------------------------------------------------------------------------
async def test_file_upload_download_roundtrip(emu, bot, user):
    sent = await bot.send_photo(USER_ID, BufferedInputFile(SAMPLE_JPEG, "chart.jpg"))
    assert (sent.photo[-1].width, sent.photo[-1].height) == (64, 48)
    downloaded = await bot.download(sent.photo[-1].file_id)
    assert downloaded.read() == SAMPLE_JPEG
    assert emu.file_bytes(user.last.file_id) == SAMPLE_JPEG

    pdf = b"%PDF-1.4 receipt #1"
    incoming = await user.send_document(pdf, file_name="receipt.pdf")
    file = await bot.get_file(incoming["document"]["file_id"])
    assert file.file_path.endswith(".pdf")
    assert (await bot.download_file(file.file_path)).read() == pdf

    # a user's photo can be re-sent by file_id (e.g. into the receipts group)
    group = emu.chat(-100500, title="Чеки")
    photo_in = await user.send_photo()
    file_id = photo_in["photo"][-1]["file_id"]
    copy = await bot.send_photo(group.chat_id, file_id, caption="Чек от Анны")
    assert copy.photo[-1].file_id == file_id
    assert group.last.kind == "photo" and group.last.text == "Чек от Анны"

    doc = await bot.send_document(USER_ID, BufferedInputFile(pdf, "report.pdf"))
    assert doc.document.file_name == "report.pdf"
    assert doc.document.mime_type == "application/pdf"
    assert emu.errors == []


async def test_file_rules(emu, bot, user):
    incoming = await user.send_document(b"%PDF-1.4", file_name="receipt.pdf")
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(USER_ID, incoming["document"]["file_id"])
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, BufferedInputFile(b"not an image", "x.jpg"))
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(USER_ID, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(USER_ID, BufferedInputFile(b"", "empty.txt"))
    assert len(emu.errors) == 4


async def test_media_group(emu, bot, user):
    media = [InputMediaPhoto(media=BufferedInputFile(SAMPLE_JPEG, f"{i}.jpg")) for i in range(3)]
    media[0] = InputMediaPhoto(media=media[0].media, caption="<b>Альбом</b>", parse_mode="HTML")
    messages = await bot.send_media_group(USER_ID, media)
    assert len(messages) == 3
    assert len({m.media_group_id for m in messages}) == 1
    assert messages[0].caption == "Альбом"
    with pytest.raises(TelegramBadRequest, match="2-10 items"):
        await bot.send_media_group(USER_ID, media[:1])


async def test_copy_forward_and_groups(emu, bot, user):
    incoming = await user.send_text("вопрос")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.copy_message(-1001, USER_ID, incoming["message_id"])
    admins = emu.chat(-1001, type="supergroup", title="Админы")
    copied = await bot.copy_message(admins.chat_id, USER_ID, incoming["message_id"])
    assert admins.message(copied.message_id).text == "вопрос"
    forwarded = await bot.forward_message(admins.chat_id, USER_ID, incoming["message_id"])
    assert forwarded.forward_origin.sender_user.id == USER_ID
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(admins.chat_id, USER_ID, 999)

    # an admin presses a button on a message in the group
    admin = emu.user(7, "Директор")
    posted = await bot.send_message(admins.chat_id, "Чек #1", reply_markup=keyboard(("✅", "ok")))
    await admin.press("✅", chat_id=admins.chat_id)
    updates = await bot.get_updates(timeout=0)
    callback = updates[-1].callback_query
    assert callback.from_user.id == 7 and callback.message.chat.id == admins.chat_id
    assert callback.message.message_id == posted.message_id

    chat = await bot.get_chat(admins.chat_id)
    assert chat.title == "Админы"
    member = await bot(GetChatMember(chat_id=admins.chat_id, user_id=7))
    assert isinstance(member, ChatMemberMember)


async def test_chat_action_and_commands(emu, bot, user):
    events = emu.subscribe()
    assert await bot.send_chat_action(USER_ID, "typing")
    assert (await events.get()) == ("action", USER_ID, {"action": "typing"})
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")

    commands = [
        BotCommand(command="start", description="Начать"),
        BotCommand(command="help", description="Помощь"),
    ]
    assert await bot.set_my_commands(commands)
    assert emu.calls_of("setMyCommands")[0]["commands"] == [
        {"command": "start", "description": "Начать"},
        {"command": "help", "description": "Помощь"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    assert await bot.set_my_description("Агентство Happy Kids")
    assert await bot.delete_webhook(drop_pending_updates=True)


# -- simulated conditions ------------------------------------------------------------------
async def test_blocked_user_gets_403_kept_out_of_errors(emu, bot, user):
    user.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "рассылка")
    assert len(emu.forbidden) == 1 and emu.errors == []
    user.unblock()
    await bot.send_message(USER_ID, "снова")

    stranger = emu.user(555, "Никто", started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(stranger.id, "привет")
    await stranger.send_command("/start")
    await bot.send_message(stranger.id, "привет")
    assert len(emu.forbidden) == 2 and emu.errors == []


async def test_rate_limit_answers_429():
    emulator = BotAPIEmulator(token=TOKEN, rate_limit_per_second=5)
    await emulator.start()
    bot = make_bot(emulator)
    try:
        emulator.user(USER_ID)
        for i in range(5):
            await bot.send_message(USER_ID, f"#{i}")
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(USER_ID, "#5")
        assert info.value.retry_after == 1
        assert len(emulator.rate_limited) == 1 and emulator.errors == []
        await asyncio.sleep(1.05)
        await bot.send_message(USER_ID, "#5 again")
    finally:
        await bot.session.close()
        await emulator.stop()


async def test_settle_times_out_without_a_poller(emu, user):
    await user.send_text("никто не слушает")
    with pytest.raises(TimeoutError, match="1 update"):
        await emu.settle(timeout=0.3)
    with pytest.raises(TimeoutError, match="no matching bot message"):
        await user.wait_for(lambda m: True, timeout=0.2)


# -- the real thing: Dispatcher + polling ---------------------------------------------------
async def test_dispatcher_flow_start_press_edit(emu, bot, user):
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Привет, <b>{message.from_user.first_name}</b>!",
            parse_mode="HTML",
            reply_markup=keyboard(("Подтвердить", "confirm"), ("Отмена", "cancel")),
        )

    @router.callback_query(F.data == "confirm")
    async def confirm(callback: CallbackQuery) -> None:
        await callback.message.edit_text("Готово ✅")
        await callback.answer("Подтверждено")

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        await message.answer("Фото получено")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        await user.send_command("/start")
        greeting = await user.wait_for(lambda m: "Привет" in m.text)
        assert greeting.html == "Привет, <b>Анна</b>!"
        assert greeting.button_texts() == ["Подтвердить", "Отмена"]

        await user.press("Подтвердить")
        done = await user.wait_for(lambda m: m.edited and "Готово" in m.text)
        assert done.message_id == greeting.message_id and done.buttons == []

        await user.send_photo()
        await user.wait_for(lambda m: m.text == "Фото получено")
        await emu.settle()
        assert user.callback_answers[-1]["text"] == "Подтверждено"
        assert emu.unanswered_callback_queries() == []
        assert [m.text for m in user.bot_messages] == ["Готово ✅", "Фото получено"]
        emu.assert_no_errors()
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_wait_for_ignores_answers_to_earlier_steps(emu, bot, user):
    await bot.send_message(USER_ID, "Старое сообщение")
    await user.send_text("новый шаг")
    waiter = asyncio.create_task(user.wait_for(lambda m: "сообщение" in m.text, timeout=2))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await bot.send_message(USER_ID, "Новое сообщение")
    found: BotMessage = await waiter
    assert found.text == "Новое сообщение"


async def test_bot_restart_loses_no_updates(emu, user):
    handled: list[str] = []

    def make_dispatcher() -> Dispatcher:
        router = Router()

        @router.message()
        async def echo(message: Message) -> None:
            handled.append(message.text)
            await message.answer(f"ok:{message.text}")

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        return dispatcher

    first_bot, first_dp = make_bot(emu), make_dispatcher()
    first = asyncio.create_task(
        first_dp.start_polling(first_bot, handle_signals=False, polling_timeout=5)
    )
    await user.send_text("one")
    await user.wait_for(lambda m: m.text == "ok:one")
    await first_dp.stop_polling()
    await asyncio.wait_for(first, 5)
    await first_bot.session.close()

    # arrives while no bot is running; the dead bot's long poll must not swallow it
    await user.send_text("two")
    await asyncio.sleep(0.2)
    second_bot, second_dp = make_bot(emu), make_dispatcher()
    second = asyncio.create_task(
        second_dp.start_polling(second_bot, handle_signals=False, polling_timeout=5)
    )
    try:
        await user.wait_for(lambda m: m.text == "ok:two")
        await emu.settle()
        assert handled == ["one", "two"]
        assert emu.errors == [] and emu.conflicts == []
    finally:
        await second_dp.stop_polling()
        await asyncio.wait_for(second, 5)
        await second_bot.session.close()


async def test_edit_media_reply_and_other_senders(emu, bot, user):
    from aiogram.types import InputMediaDocument

    photo = await bot.send_photo(USER_ID, BufferedInputFile(SAMPLE_JPEG, "a.jpg"), caption="1/2")
    swapped = await bot.edit_message_media(
        chat_id=USER_ID,
        message_id=photo.message_id,
        media=InputMediaPhoto(media=BufferedInputFile(SAMPLE_JPEG, "b.jpg"), caption="2/2"),
        reply_markup=keyboard(("◀️", "prev")),
    )
    assert swapped.caption == "2/2" and swapped.photo[-1].file_id != photo.photo[-1].file_id
    assert user.last.edited == 1 and user.last.button_texts() == ["◀️"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_media(
            chat_id=USER_ID,
            message_id=photo.message_id,
            media=InputMediaPhoto(media=swapped.photo[-1].file_id, caption="2/2"),
            reply_markup=keyboard(("◀️", "prev")),
        )
    as_doc = await bot.edit_message_media(
        chat_id=USER_ID,
        message_id=photo.message_id,
        media=InputMediaDocument(media=BufferedInputFile(b"%PDF-1.4", "c.pdf")),
    )
    assert as_doc.document.file_name == "c.pdf" and as_doc.photo is None

    text = await bot.send_message(USER_ID, "текст")
    with pytest.raises(TelegramBadRequest, match="there is no media in the message to edit"):
        await bot.edit_message_media(
            chat_id=USER_ID, message_id=text.message_id, media=InputMediaPhoto(media="x")
        )

    question = await user.send_text("/help me")
    assert question["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    reply = await bot.send_message(USER_ID, "Ответ", reply_to_message_id=question["message_id"])
    assert reply.reply_to_message.text == "/help me"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER_ID, "Ответ", reply_to_message_id=999)

    voice = await bot.send_voice(USER_ID, BufferedInputFile(b"OggS voice", "v.ogg"))
    assert voice.voice.file_id and user.last.kind == "voice"
    link = await bot.send_message(
        USER_ID, '<a href="https://happykids.example/?a=1&b=2">сайт</a>', parse_mode="HTML"
    )
    assert link.entities[0].url == "https://happykids.example/?a=1&b=2"
    assert len(emu.errors) == 3


async def test_settle_can_also_wait_for_a_busy_handler(emu, bot, user):
    router = Router()

    @router.message()
    async def slow(message: Message) -> None:
        await message.answer("Секунду…")
        await asyncio.sleep(0.5)  # e.g. a slow database call: no Bot API traffic meanwhile
        await message.answer("Готово")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        await user.send_text("привет")
        await emu.settle(quiet=0.1)
        assert [m.text for m in user.bot_messages] == ["Секунду…"]  # quiet, but not done
        await emu.settle(quiet=0.1, idle=lambda: not dp._handle_update_tasks)
        assert [m.text for m in user.bot_messages] == ["Секунду…", "Готово"]
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_settle_waits_for_a_pressed_button_to_be_answered(emu, bot, user):
    sent = await bot.send_message(USER_ID, "Выбор", reply_markup=keyboard(("Да", "yes")))
    query_id = await user.press("Да", message_id=sent.message_id)
    await bot.get_updates(timeout=0)

    async def answer_later() -> None:
        await asyncio.sleep(0.5)
        await bot.answer_callback_query(query_id)

    answering = asyncio.create_task(answer_later())
    started = time.monotonic()
    await emu.settle(quiet=0.1)
    assert time.monotonic() - started >= 0.45 and answering.done()
    # a press nobody answers only delays settle by answer_grace
    await user.press("Да")
    await bot.get_updates(offset=2, timeout=0)
    started = time.monotonic()
    await emu.settle(quiet=0.1, answer_grace=0.3)
    assert time.monotonic() - started < 1
    assert len(emu.unanswered_callback_queries()) == 1


# -- updates a strict bot must survive ------------------------------------------------------------
async def test_a_forward_from_a_hidden_user_without_a_name_is_delivered_raw(emu, bot, user):
    """The real case of aiogram issue #1840: aiogram's own getUpdates cannot read the batch."""
    from aiogram.exceptions import ClientDecodeError

    from happykids.app.raw_updates import GetRawUpdates

    await user.send_forwarded("старое сообщение")
    [raw] = await bot(GetRawUpdates(timeout=0))
    assert raw["message"]["forward_origin"] == {"type": "hidden_user", "date": 1422450181}
    with pytest.raises(ClientDecodeError):
        await bot.get_updates(timeout=0)
    await user.send_forwarded("с именем", {"type": "hidden_user", "date": 1, "sender_user_name": "Аня"})
    [*_, good] = await bot(GetRawUpdates(offset=raw["update_id"] + 1, timeout=0))
    assert good["message"]["forward_origin"]["sender_user_name"] == "Аня"


async def test_channel_posts_and_presses_on_messages_that_never_existed(emu, bot, user):
    channel = emu.chat(-1005001, "channel", "Новости")
    await channel.post("Анонс")
    await user.press_forged(999, "forged:data")
    first, second = await bot.get_updates(timeout=0)
    assert first.channel_post.text == "Анонс" and first.channel_post.sender_chat.id == -1005001
    assert first.channel_post.from_user is None
    assert second.callback_query.message.message_id == 999 and second.callback_query.data == "forged:data"
    await bot.answer_callback_query(second.callback_query.id)
    with pytest.raises(ValueError, match="channel"):
        await emu.chat(-1005002, "group").post("нельзя")
