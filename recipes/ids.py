"""What an identifier may be: recipe and product codes, operation and step ids, batch ids.

An identifier names a thing in the record, on a label and in a file name: it is 1 to 64
characters of ASCII letters and digits, and ``.``, ``_``, ``-`` inside, starting with a letter
or digit. So no identifier holds a path separator or ``..`` (a file named after it stays in
its folder), a newline or control character (it cannot forge a line of a report), a
right-to-left mark or zero-width character (it reads as what it is), or a letter from another
script that looks like a Latin one (``В-2611`` with a Cyrillic В is not ``B-2611``).
"""

from __future__ import annotations

import re
import unicodedata

MAX_ID_LENGTH = 64
_CONTROL = {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x00": "a NUL byte"}
ID_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def id_problem(text: str, what: str = "an id") -> str | None:
    """Why ``text`` is not a valid identifier (one line, the text shown safely), or None."""
    if not text:
        return f"{what} must not be empty"
    if len(text) > MAX_ID_LENGTH:
        return f"{what} has {len(text):,} characters: at most {MAX_ID_LENGTH}"
    if ID_PATTERN.fullmatch(text) and ".." not in text:
        return None
    odd = next((c for c in text if not (c.isascii() and (c.isalnum() or c in "._-"))), None)
    if odd is not None:
        name = unicodedata.name(odd, "").lower() or _CONTROL.get(odd, "a control character")
        return f"{what} {shown(text)} holds {name} (U+{ord(odd):04X}): only A-Z, a-z, 0-9, '.', '_' and '-'"
    return f"{what} {shown(text)} must start and end with a letter or digit and hold no '..'"


def shown(text: str, limit: int = 40) -> str:
    """``text`` for a message: control and invisible characters escaped, cut to ``limit``."""
    safe = text.encode("unicode_escape").decode("ascii")
    return "'" + (safe if len(safe) <= limit else safe[:limit] + "...") + "'"
