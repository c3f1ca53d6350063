"""Helpers the exports share: plain JSON values of the read model, times, numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ebr.chain import utc_iso

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if not f.name.startswith("_") and f.metadata.get("exported", True)
        )
        _FIELD_NAMES[cls] = names
    return names


def to_plain(value: Any) -> Any:
    """A JSON value of a read-model object: dataclasses become objects in field order (a field
    marked ``exported: False`` left out), Decimals strings (exactly as recorded), datetimes
    ISO 8601 UTC with "Z", dates ISO."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a batch record: use Decimal")
    raise TypeError(f"not exportable: {type(value).__name__}")


@lru_cache(maxsize=16)
def site_zone(name: str) -> dt.tzinfo:
    """The site's time zone; UTC when the name is unknown to this system's zone database."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def utc_text(moment: dt.datetime | None, *, seconds: bool = True) -> str:
    if moment is None:
        return "—"
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return moment.astimezone(dt.UTC).strftime(fmt) + " UTC"


def local_text(moment: dt.datetime | None, zone_name: str, *, seconds: bool = True) -> str:
    """Local time with its zone abbreviation and offset: ``2026-11-03 07:12:05 CET (UTC+01:00)``."""
    if moment is None:
        return "—"
    local = moment.astimezone(site_zone(zone_name))
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    offset = local.strftime("%z")
    return f"{local.strftime(fmt)} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


def date_text(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return utc_text(value, seconds=False)
    return value.isoformat()


def num(value: Decimal | None, unit: str = "") -> str:
    """A recorded number exactly as recorded (no rounding, no exponent), with its unit."""
    if value is None:
        return "—"
    text = format(value, "f")
    return f"{text} {unit}".rstrip() if unit else text
