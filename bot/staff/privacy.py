"""Keeping other people's identities out of the records.

A teacher's question may name colleagues: Discord mentions of members, roles and channels
(``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``), links to messages, ``@handles``, email addresses
and phone numbers. :func:`scrub_identity` replaces each with a neutral placeholder before the
question is kept, so the records never hold an id, an address or a number that points at a person.
"""

from __future__ import annotations

import re

MESSAGE_LINK = re.compile(r"https?://(?:[\w-]+\.)?discord(?:app)?\.com/channels/[\w@]+(?:/\d+){1,2}\S*", re.IGNORECASE)
USER_MENTION = re.compile(r"<@!?\d+>")
ROLE_MENTION = re.compile(r"<@&\d+>")
CHANNEL_MENTION = re.compile(r"<#\d+>")
COMMAND_MENTION = re.compile(r"</([\w -]{1,96}):\d+>")
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits and separators that could be dialled, or a long bare number (a pasted id).
NUMBER_LIKE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()./-]*\d(?![\w])")
HANDLE = re.compile(r"(?<![\w@])@(?!(?:everyone|here|someone|role)\b)[\w.]{2,32}")

PHONE_DIGITS = range(9, 16)  # a UK number has 10-11 digits, an international one at most 15
LONG_NUMBER = 15  # a bare run this long is an id, not a quantity

PERSON, ROLE, CHANNEL, LINK, EMAIL_ADDRESS, NUMBER = "@someone", "@role", "#channel", "[link]", "[email]", "[number]"


def _number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(char.isdigit() for char in text)
    dialled = text.startswith(("+", "0", "(0", "(+")) and digits in PHONE_DIGITS
    if dialled or (text.isdigit() and digits >= LONG_NUMBER):
        return NUMBER
    return text


def scrub_identity(text: str) -> str:
    """``text`` with mentions, message links, handles, email addresses and phone numbers replaced."""
    text = MESSAGE_LINK.sub(LINK, text)
    text = USER_MENTION.sub(PERSON, text)
    text = ROLE_MENTION.sub(ROLE, text)
    text = CHANNEL_MENTION.sub(CHANNEL, text)
    text = COMMAND_MENTION.sub(r"/\1", text)
    text = EMAIL.sub(EMAIL_ADDRESS, text)
    text = NUMBER_LIKE.sub(_number, text)
    return HANDLE.sub(PERSON, text)
