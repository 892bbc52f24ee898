"""Telegram's text formatting rules, shared by the Bot API emulator and the bot's texts editor.

A port of how Telegram parses HTML and MarkdownV2 (which tags, entities and nesting it accepts, how it counts
length in UTF-16 units), so a text accepted here is accepted by Telegram. No kept library does this: aiogram
only builds formatted text, it never validates what a person typed.
"""
