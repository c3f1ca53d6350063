"""Dates in GS1 element strings (AI 11, 13, 15, 17: YYMMDD).

Two GS1 General Specifications rules (section 7.12) live here:
* day ``00`` means the last day of the month (used for best-before and expiry
  dates that are only given to the month);
* the century is chosen in a window around today's year: a YY 51..99 years
  ahead of this year's YY is in the previous century, one 50..99 years behind
  is in the next century, anything else is in this century.
"""

from __future__ import annotations

import calendar
from datetime import date


def gs1_date(yymmdd: str, today: date) -> date:
    """The date a GS1 YYMMDD field means, seen from ``today``. Raises ``ValueError`` for
    anything that is not six digits forming a valid date."""
    if len(yymmdd) != 6 or not yymmdd.isascii() or not yymmdd.isdigit():
        raise ValueError(f"a GS1 date is six digits YYMMDD, not {yymmdd!r}")
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} is not valid in GS1 date {yymmdd}")
    century = today.year - today.year % 100
    difference = yy - today.year % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    year = century + yy
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    if day > last_day:
        raise ValueError(f"day {day:02d} is not valid in GS1 date {yymmdd}")
    return date(year, month, day)
