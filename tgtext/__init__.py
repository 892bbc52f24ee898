"""Telegram's text rules in one place, shared by the Bot API emulator and a bot's texts editor.

- ``tgtext.html`` / ``tgtext.markdown``: a port of how Telegram parses HTML and MarkdownV2 (which tags,
  entities and nesting it accepts, its error messages), giving the plain text and entities Telegram stores;
- ``tgtext.entities``: UTF-16 offsets and lengths, the units Telegram counts in;
- ``tgtext.limits``: how long each kind of text may be;
- ``tgtext.explain``: what is wrong with a text, in plain Russian, for a person who edits the bot's texts.

A text accepted here is accepted by Telegram. No kept library does this: aiogram only builds formatted
text, it never validates what a person typed. Nothing here knows the emulator or any particular bot.
"""
