"""Which software wrote a record or an export: the installed package's own version.

One source for ``mes-station --version``, the station's About line and every export's
metadata: the distribution metadata (``importlib.metadata``), which the Debian package, a
wheel and a developer's editable install all carry. A checkout run without installing it
has none, and says so rather than guess.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

DISTRIBUTION = "mes-station"


@cache
def software_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def software_name() -> str:
    """``mes-station 1.2.3``: how exports and the About line name the program."""
    return f"{DISTRIBUTION} {software_version()}"
