"""Limits on what one knowledge file may hold, so a hostile or mistaken file is refused quickly.

The bundled files are far inside them (the largest entry is about 20 kB with lists of a few dozen
items); a file past any limit is refused with a plain message naming it, before it is parsed
further, and the running bot keeps answering from its last good version.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1_000_000  # one knowledge file; the largest bundled one is ~20 kB
MAX_LIST_ITEMS = 500  # items in one list (aliases, facts, FAQs, synonyms…)
MAX_TEXT_CHARS = 20_000  # characters in one text
MAX_VALUES = 100_000  # values (texts, lists, fields) in one file
