"""Discord's size limits, and the one helper that makes text fit them."""

from __future__ import annotations

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
BUTTON_LABEL = 80
BUTTONS_PER_ROW = 5
ROWS = 5
SELECT_OPTIONS = 25
SELECT_OPTION_TEXT = 100
CUSTOM_ID = 100
PLACEHOLDER = 100
TEXT_INPUT = 4000
# An interaction's token accepts followups for 15 minutes; past this, a reply goes another way.
FOLLOWUP_WINDOW_SECONDS = 14 * 60

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when it was cut.

    Cuts at the last line break, or else the last space, in the final fifth when there is one,
    so lines and words stay whole.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    for boundary in ("\n", " "):
        position = cut.rfind(boundary)
        if position >= len(cut) * 4 // 5:
            cut = cut[:position]
            break
    return cut.rstrip() + ELLIPSIS
