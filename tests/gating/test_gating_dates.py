"""Date and time boundaries: site-local expiry days across time zones and DST, instants, GS1 dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gating import (
    Actor,
    Document,
    Equipment,
    Lot,
    Material,
    Now,
    ReasonCode,
    TrainingRecord,
    check_equipment,
    check_lot,
    check_training,
    gs1_date,
)
from recipes import EquipmentStep, Quantity, WeighStep

ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/Chicago"), ZoneInfo("Pacific/Auckland")]
# Days on which the clocks change in 2026, and the days either side of them.
DST_DAYS = [
    date(2026, 3, 29), date(2026, 10, 25),  # Europe/Berlin
    date(2026, 3, 8), date(2026, 11, 1),  # America/Chicago
    date(2026, 4, 5), date(2026, 9, 27),  # Pacific/Auckland
]  # fmt: skip
DAYS = st.one_of(
    st.sampled_from([d + timedelta(days=k) for d in DST_DAYS for k in (-1, 0, 1)]),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)),
)
SETTINGS = settings(max_examples=150, deadline=None, database=None)

WEIGH = WeighStep(
    "OP20.S20", "RM-0101", Quantity(Decimal(60), "kg"), Decimal("0.5"), Decimal("0.5"), "floor_scale"
)
SCALE_STEP = EquipmentStep(
    "OP20.S10", "floor_scale", "FLOOR-SCALE-150KG", ("in_service", "calibrated", "clean")
)
PARACETAMOL = Material("RM-0101", "Paracetamol", "04012345000108")
WEI = Actor("op.chen", "Wei Chen", frozenset({"operator"}))
SOP = {"SOP-DISP-003": Document("SOP-DISP-003", 7, "Dispensing of raw materials")}


def local_instant(day: date, at: time, zone: ZoneInfo) -> Now:
    return Now(datetime.combine(day, at, tzinfo=zone).astimezone(UTC), zone)


def last_second(day: date, zone: ZoneInfo) -> Now:
    return local_instant(day, time(23, 59, 59), zone)


def next_midnight(day: date, zone: ZoneInfo) -> Now:
    return local_instant(day + timedelta(days=1), time(0, 0), zone)


def lot_codes(expiry: date | None, retest: date | None, now: Now) -> list[ReasonCode]:
    lot = Lot("RM-0101", "P24-0817", "released", expiry, retest)
    return [r.code for r in check_lot(WEIGH, lot, lot.lot, PARACETAMOL, now)]


@SETTINGS
@given(DAYS, st.sampled_from(ZONES))
def test_lot_may_be_used_through_its_expiry_day_in_site_time(expiry: date, zone: ZoneInfo) -> None:
    assert lot_codes(expiry, None, local_instant(expiry, time(0, 0), zone)) == []
    assert lot_codes(expiry, None, last_second(expiry, zone)) == []
    assert lot_codes(expiry, None, next_midnight(expiry, zone)) == [ReasonCode.LOT_EXPIRED]


@SETTINGS
@given(DAYS, st.sampled_from(ZONES))
def test_retest_date_has_the_same_boundary(retest: date, zone: ZoneInfo) -> None:
    assert lot_codes(None, retest, last_second(retest, zone)) == []
    assert lot_codes(None, retest, next_midnight(retest, zone)) == [ReasonCode.LOT_RETEST_DUE]


@SETTINGS
@given(
    DAYS,
    st.datetimes(min_value=datetime(2023, 6, 1), max_value=datetime(2033, 6, 1), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
)
def test_expiry_depends_only_on_the_site_local_date(expiry: date, instant: datetime, zone: ZoneInfo) -> None:
    expired = instant.astimezone(zone).date() > expiry
    assert (lot_codes(expiry, None, Now(instant, zone)) == [ReasonCode.LOT_EXPIRED]) is expired


@SETTINGS
@given(DAYS, st.sampled_from(ZONES))
def test_calibration_is_valid_through_its_last_day(until: date, zone: ZoneInfo) -> None:
    scale = Equipment(
        "SCL-150-02",
        "FLOOR-SCALE-150KG",
        "Floor scale 150 kg bay 2",
        "in_service",
        until,
        datetime(2040, 1, 1, tzinfo=UTC),
    )
    assert check_equipment(SCALE_STEP, scale, scale.id, last_second(until, zone)) == ()
    [refusal] = check_equipment(SCALE_STEP, scale, scale.id, next_midnight(until, zone))
    assert refusal.code == ReasonCode.EQUIPMENT_CALIBRATION_DUE


@SETTINGS
@given(DAYS, st.sampled_from(ZONES))
def test_training_is_valid_through_its_expiry_day(expires: date, zone: ZoneInfo) -> None:
    records = [TrainingRecord("op.chen", "SOP-DISP-003", 7, date(2020, 1, 1), expires)]
    assert check_training(WEI, ["SOP-DISP-003"], SOP, records, last_second(expires, zone)) == ()
    [refusal] = check_training(WEI, ["SOP-DISP-003"], SOP, records, next_midnight(expires, zone))
    assert refusal.code == ReasonCode.TRAINING_EXPIRED


@SETTINGS
@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2032, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
)
def test_clean_until_is_an_instant_valid_strictly_before_it(until: datetime, zone: ZoneInfo) -> None:
    granulator = Equipment(
        "GRN-02", "HIGH-SHEAR-GRANULATOR", "High-shear granulator 600 L", "in_service", clean_until=until
    )
    step = EquipmentStep("OP30.S10", "granulator", "HIGH-SHEAR-GRANULATOR", ("clean",))
    assert check_equipment(step, granulator, "GRN-02", Now(until - timedelta(microseconds=1), zone)) == ()
    [refusal] = check_equipment(step, granulator, "GRN-02", Now(until, zone))
    assert refusal.code == ReasonCode.EQUIPMENT_NOT_CLEAN


def test_m23_0415_expiring_30_apr_2026_in_berlin() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 30 Apr 23:30 in Berlin is 21:30 UTC; 1 May 00:30 in Berlin is still 30 Apr 22:30 UTC.
    assert lot_codes(date(2026, 4, 30), None, Now(datetime(2026, 4, 30, 21, 30, tzinfo=UTC), berlin)) == []
    assert lot_codes(date(2026, 4, 30), None, Now(datetime(2026, 4, 30, 22, 30, tzinfo=UTC), berlin)) == [
        ReasonCode.LOT_EXPIRED
    ]


def test_naive_datetimes_are_refused_as_facts() -> None:
    with pytest.raises(ValueError):
        Now(datetime(2026, 11, 26, 9, 0), ZONES[0])
    with pytest.raises(ValueError):
        Equipment(
            "GRN-02", "HIGH-SHEAR-GRANULATOR", "x", "in_service", clean_until=datetime(2026, 11, 1, 6, 0)
        )


def test_now_is_normalised_to_utc() -> None:
    now = Now(datetime(2026, 11, 26, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")), ZoneInfo("Pacific/Auckland"))
    assert now.utc == datetime(2026, 11, 26, 9, 30, tzinfo=UTC) and now.utc.tzinfo is UTC
    assert now.local_date == date(2026, 11, 26)  # 22:30 in Auckland


# ---------------------------------------------------------------- GS1 dates

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("field", "today", "expected"),
    [
        ("300831", TODAY, date(2030, 8, 31)),
        ("300500", TODAY, date(2030, 5, 31)),
        ("240200", TODAY, date(2024, 2, 29)),  # leap year
        ("250200", TODAY, date(2025, 2, 28)),
        ("261100", TODAY, date(2026, 11, 30)),
        ("761231", TODAY, date(2076, 12, 31)),  # 76 - 26 = 50: this century
        ("770101", TODAY, date(1977, 1, 1)),  # 77 - 26 = 51: previous century
        ("290101", date(2080, 1, 1), date(2129, 1, 1)),  # 29 - 80 = -51: next century
        ("300101", date(2080, 1, 1), date(2130, 1, 1)),  # -50: next century
        ("310101", date(2080, 1, 1), date(2031, 1, 1)),  # -49: this century
        ("000100", date(1999, 6, 1), date(2000, 1, 31)),
    ],
)
def test_gs1_date(field: str, today: date, expected: date) -> None:
    assert gs1_date(field, today) == expected


@pytest.mark.parametrize(
    "field", ["241301", "240231", "250229", "2402", "24021a", "２４０２０１", "240001", ""]
)
def test_gs1_date_rejects_what_is_not_a_date(field: str) -> None:
    with pytest.raises(ValueError):
        gs1_date(field, TODAY)


@SETTINGS
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)), st.data())
def test_gs1_dates_round_trip_within_the_window(today: date, data: st.DataObject) -> None:
    low = max(date(today.year - 49, 1, 1), date(1, 1, 1))
    high = date(today.year + 50, 12, 31)
    day = data.draw(st.dates(min_value=low, max_value=high))
    assert gs1_date(day.strftime("%y%m%d"), today) == day
    last = gs1_date(day.strftime("%y%m") + "00", today)
    assert (last.year, last.month) == (day.year, day.month) and (last + timedelta(days=1)).day == 1
