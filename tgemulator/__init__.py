"""A loopback Telegram Bot API server, strict like Telegram, for testing any aiogram (or other HTTP) bot offline.

Why it exists: a bot's real failures are the requests Telegram refuses (bad HTML, a 65-byte callback_data,
"message is not modified", writing to a user who blocked the bot) and the button presses it forgets to answer.
Mocks accept all of that; this server refuses it with Telegram's own error texts, while the real bot runs its real
polling loop against it. It knows nothing of any particular bot.

How to use it::

    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from tgemulator import BotAPIEmulator

    async with BotAPIEmulator(token="42:TEST", bot_username="my_test_bot") as emu:  # listens on 127.0.0.1
        bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        ...  # start your dispatcher's polling with this bot
        anna = emu.user(1001, first_name="Анна")  # a FakeUser: the person in a private chat
        await anna.send_command("start")
        greeting = await anna.wait_for(lambda m: "Привет" in m.text)  # a BotMessage
        await anna.press("Дальше")  # an inline button of the bot's last keyboard
        await emu.settle()  # every update fetched and the bot quiet
        emu.assert_no_errors()

- ``FakeUser`` sends texts, commands, photos, documents, albums, contacts; presses inline buttons, taps reply
  buttons, edits its messages, blocks the bot. ``emu.chat(id, "supergroup")`` gives a ``ChatView`` of a group.
- ``ChatView.wait_for(predicate)`` waits race-free for the bot's answer to the last action; ``last``,
  ``messages``, ``dump()`` show the chat as its people see it.
- Every request Telegram would refuse is answered as Telegram does AND recorded in ``emu.errors``; a callback
  query never answered shows in ``emu.unanswered_callback_queries()``. ``emu.assert_no_errors()`` fails a test
  on either -- a test fixture should call it (or check both lists) after every test, whatever the test asserted.
  Simulated conditions (``user.block()``, ``rate_limit_per_second``, ``emu.conflict``) are expected, so their
  403/429/409 answers go to ``emu.forbidden``, ``emu.rate_limited`` and ``emu.conflicts`` instead.
- After ``setWebhook`` the updates are POSTed to the bot instead, as Telegram does (``webhook.py``: secret header,
  retries, per-chat order, ``max_connections``); ``emu.set_webhook_targets([...])`` plays the HTTPS reverse proxy
  or the load balancer in front of one or several bot processes.
- Payments: ``sendInvoice`` is checked like Telegram does; ``await user.pay()`` presses «Pay» on the last
  invoice: the bot gets a ``pre_checkout_query`` it must answer within 10 s, then ``successful_payment``.
- ``strict=True`` (default) also refuses what Telegram merely tolerates but is always a bug (a bare "&" in
  HTML: an unescaped value). The text rules themselves are the ``tgtext`` package.

Logs go to the ``tgemulator`` logger.
"""

from .chat_view import ChatView
from .client import FakeUser
from .errors import EmulatorError
from .payments import PaymentResult
from .server import BotAPIEmulator
from .state import BotMessage, Button

__all__ = ["BotAPIEmulator", "BotMessage", "Button", "ChatView", "EmulatorError", "FakeUser", "PaymentResult"]
