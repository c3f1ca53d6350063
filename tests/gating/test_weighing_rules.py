"""What no scale can weigh, and which scale is weighing (gating.weighing)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gating import ReasonCode
from gating.facts import Actor
from gating.weighing import ScaleLimits, check_device, check_manual_entry, check_reading

FLOOR = ScaleLimits("Scale SCL-150-01", "kg", Decimal(150), Decimal("0.01"), Decimal("8.2"))
BENCH = ScaleLimits("Scale SCL-006-01", "kg", Decimal(6), Decimal("0.0001"), Decimal("0.082"))
R = ReasonCode


def codes(gross: str, tare: str, unit: str = "kg", scale: ScaleLimits | None = FLOOR) -> list[ReasonCode]:
    return [r.code for r in check_reading(Decimal(gross), Decimal(tare), unit, scale)]


def test_the_reference_weighings_pass() -> None:
    assert codes("61.27", "1.25") == []
    assert codes("49.10", "1.25") == []
    assert codes("3.9310", "0.3120", scale=BENCH) == []
    assert codes("2729.5", "312.0", "g", BENCH) == []  # grams on a kg scale: 0.1 g is its reading


@pytest.mark.parametrize(
    ("gross", "tare", "expected"),
    [
        ("152.50", "1.25", [R.WEIGHT_ABOVE_CAPACITY]),  # the gross is what the platform carries
        ("150.00", "1.25", []),  # capacity itself is within
        ("40.00", "-20.00", [R.WEIGHT_INVALID]),  # a negative tare
        ("-1.00", "0", [R.WEIGHT_INVALID]),
        ("1.25", "1.25", [R.WEIGHT_INVALID]),  # no net at all
        ("1.00", "1.25", [R.WEIGHT_INVALID]),
        ("61.273456789", "1.25", [R.WEIGHT_INVALID]),  # finer than 10 g
        ("61.27", "1.255", [R.WEIGHT_INVALID]),
        ("9.45", "1.25", []),  # net 8.20: the minimum weight is within
        ("9.44", "1.25", [R.WEIGHT_BELOW_MINIMUM]),
        ("1.255", "1.25", [R.WEIGHT_INVALID, R.WEIGHT_BELOW_MINIMUM]),  # 5 g net on the floor scale
    ],
)
def test_readings_no_scale_can_make(gross: str, tare: str, expected: list[ReasonCode]) -> None:
    assert codes(gross, tare) == expected


def test_without_a_bound_scale_only_impossible_weights_are_refused() -> None:
    assert codes("61.273456789", "1.25", scale=None) == []
    assert codes("1", "-20", scale=None) == [R.WEIGHT_INVALID]


def test_every_refusal_is_hard() -> None:
    for refusal in check_reading(Decimal("152.50"), Decimal("-1"), "kg", FLOOR):
        assert not refusal.overridable


def test_the_device_must_be_the_scale_that_was_scanned() -> None:
    assert check_device("B150-4471920", "B150-4471920", "Scale SCL-150-01") == ()
    assert check_device(None, "anything", "Scale SCL-150-01") == ()  # master data names no serial
    wrong = check_device("B150-4471920", "B150-4471957", "Scale SCL-150-01")
    silent = check_device("B150-4471920", None, "Scale SCL-150-01")
    assert [r.code for r in (*wrong, *silent)] == [R.EQUIPMENT_WRONG_DEVICE] * 2
    assert "B150-4471957" in wrong[0].sentence and "does not report" in silent[0].sentence


SUPERVISOR = Actor("sv.haddad", "Omar Haddad", frozenset({"supervisor"}))
OPERATOR = Actor("op.alvarez", "Maria Alvarez", frozenset({"operator"}))
OTHER_OPERATOR = Actor("op.chen", "Wei Chen", frozenset({"operator"}))


def manual(reason: str, witness: Actor | None, note: str = "", given: bool = True) -> list[ReasonCode]:
    return [r.code for r in check_manual_entry(reason, note, "op.alvarez", witness, witness_given=given)]


def test_a_weight_entered_by_hand_needs_a_reason_and_a_supervisor_as_witness() -> None:
    for reason in ("scale_disconnected", "scale_faulty", "scale_out_of_calibration"):
        assert manual(reason, SUPERVISOR) == []
    assert manual("other", SUPERVISOR, note="display cracked, reading taken on SCL-150-02") == []
    assert manual("other", SUPERVISOR, note="  ") == [R.MANUAL_WEIGHING_UNWITNESSED]
    assert manual("", SUPERVISOR) == [R.MANUAL_WEIGHING_UNWITNESSED]
    assert manual("the scale is slow", SUPERVISOR) == [R.MANUAL_WEIGHING_UNWITNESSED]
    assert manual("scale_faulty", None, given=False) == [R.MANUAL_WEIGHING_UNWITNESSED]
    assert manual("", None, given=False) == [R.MANUAL_WEIGHING_UNWITNESSED] * 2
    # The operator witnesses nothing she entered; a second operator is not the default witness.
    assert manual("scale_faulty", OPERATOR) == [R.INDEPENDENT_SIGNER_REQUIRED]
    assert manual("scale_faulty", OTHER_OPERATOR) == [R.ROLE_REQUIRED]
    # A witness named who could not sign: the caller refuses the signature in its own words.
    assert manual("scale_faulty", None, given=True) == []
    [own] = check_manual_entry("scale_faulty", "", "op.alvarez", OPERATOR, witness_given=True)
    assert own.sentence == "Maria Alvarez entered the weight: the witness must be another person"
    assert not own.overridable


def test_the_engine_offers_the_reasons_the_rule_takes() -> None:
    from gating.weighing import MANUAL_REASONS
    from station.engine.api import MANUAL_REASONS as OFFERED

    assert OFFERED == MANUAL_REASONS
