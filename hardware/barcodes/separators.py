"""The GS separator of GS1 codes, and the stand-ins people type for it."""

from __future__ import annotations

import re

GS = "\x1d"

_GS_ESCAPES = re.compile(r"<GS>|\\x1d|\\u001d|\\035", re.IGNORECASE)


def unescape_separators(text: str) -> str:
    """Typed stand-ins for the GS separator (``<GS>``, ``\\x1d``, ``\\u001d``) as the byte."""
    return _GS_ESCAPES.sub(GS, text)
