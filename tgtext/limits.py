"""Telegram's length limits for each kind of text, in UTF-16 code units of the text as shown.

Telegram counts what the person sees (after HTML or Markdown is parsed) in UTF-16 units, so an emoji
outside the Basic Multilingual Plane takes two. One table, used by the emulator to refuse what Telegram
refuses and by a texts editor to explain it before anything is sent.
"""

MESSAGE_TEXT = 4096  # sendMessage / editMessageText
CAPTION = 1024  # the caption of a photo, document, video...
BUTTON_TEXT = 64  # an inline or reply keyboard button's label (longer ones are cut on phones)
CALLBACK_ANSWER = 200  # answerCallbackQuery text, the popup or toast on a pressed button
COMMAND_DESCRIPTION = 256  # one command's description in the bot's menu (setMyCommands)
