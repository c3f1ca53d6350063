"""The one place the store reads the time: the system clock, in UTC.

Callers never pass a time to the store; every ``occurred_at``, ``signed_at``,
``performed_at`` ... comes from :func:`utc_now`. Tests may replace this function
(monkeypatch ``ebr.clock.utc_now``) to pin the time.
"""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Now, as an aware UTC datetime with microseconds."""
    return dt.datetime.now(dt.UTC)
