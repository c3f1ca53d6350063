"""The facts a gate decides on: plain frozen values the engine fills from the store.

Time: every instant is an aware datetime in UTC. Date-only fields (expiry,
retest, calibration, training expiry) are dates *at the site*: a thing that
expires on 30 Apr may be used throughout 30 Apr in the site's time zone and is
refused from 00:00 local time on 1 May, whatever the server's or UTC's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime (UTC), not naive {value.isoformat()}")


@dataclass(frozen=True)
class Actor:
    user_id: str
    name: str
    roles: frozenset[str]
    active: bool = True
    locked: bool = False


@dataclass(frozen=True)
class Document:
    """A controlled document (SOP) and its current revision."""

    code: str
    revision: int
    title: str


@dataclass(frozen=True)
class TrainingRecord:
    user_id: str
    document: str  # SOP code
    revision: int
    trained_on: date
    expires: date | None = None  # valid through this site-local day; None = does not expire


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    gtin: str | None = None


@dataclass(frozen=True)
class Lot:
    material: str  # material code
    lot: str
    status: str  # released | quarantined | rejected; anything else is treated as not released
    expiry: date | None = None  # usable through this site-local day
    retest: date | None = None  # usable without retest through this site-local day


@dataclass(frozen=True)
class Equipment:
    id: str
    equipment_class: str
    name: str
    status: str  # in_service | out_of_service | ...; only in_service counts as in service
    calibrated_until: date | None = None  # valid through this site-local day
    clean_until: datetime | None = None  # clean while now < clean_until (aware, UTC)
    daily_check_until: datetime | None = None  # checked while now < daily_check_until (aware, UTC)
    scale_capacity: Decimal | None = None
    scale_readability: Decimal | None = None
    scale_unit: str | None = None
    scale_min_weight: Decimal | None = None  # USP <41> minimum net weight, in scale_unit
    serial_number: str | None = None  # as the device reports it (MT-SICS I4, SBI)

    def __post_init__(self) -> None:
        _require_aware("clean_until", self.clean_until)
        _require_aware("daily_check_until", self.daily_check_until)

    @property
    def is_scale(self) -> bool:
        return self.scale_capacity is not None or "SCALE" in self.equipment_class.upper()


@dataclass(frozen=True)
class Now:
    """The instant of the decision and the site's time zone, which turns it into the local date."""

    utc: datetime
    site_tz: tzinfo

    def __post_init__(self) -> None:
        _require_aware("utc", self.utc)
        object.__setattr__(self, "utc", self.utc.astimezone(UTC))

    @property
    def local(self) -> datetime:
        return self.utc.astimezone(self.site_tz)

    @property
    def local_date(self) -> date:
        return self.local.date()
