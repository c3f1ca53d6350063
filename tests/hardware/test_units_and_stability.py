"""Unit conversion at the device's readability, and stable-weight detection."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hardware.scales import ScaleState, StableWeightDetector, WeightReading
from hardware.scales.reading import ScaleCondition
from hardware.scales.units import UnitError, convert, normalize_unit, readability_of


@pytest.mark.parametrize(
    ("value", "source", "target", "expected", "step"),
    [
        ("61.27", "kg", "g", "61270", "10"),
        ("61270", "g", "kg", "61.270", "0.001"),
        ("61.27", "kg", "lb", "135.08", "0.022046226218488"),
        ("135.08", "lb", "kg", "61.271", "0.0045359237"),
        ("3.6190", "kg", "g", "3619.0", "0.1"),
        ("250", "mg", "g", "0.250", "0.001"),
        ("0.5", "g", "mg", "500", "100"),
        ("-0.25", "kg", "g", "-250", "10"),
    ],
)
def test_convert(value: str, source: str, target: str, expected: str, step: str) -> None:
    converted, readability = convert(Decimal(value), source, target)
    assert str(converted) == expected
    assert abs(readability - Decimal(step)) < Decimal("1E-12")


def test_convert_with_a_readability_of_two_digits() -> None:
    assert convert(Decimal("10.02"), "kg", "g", Decimal("0.02")) == (Decimal("10020"), Decimal("20"))


def test_units() -> None:
    assert normalize_unit("KG") == "kg" and normalize_unit("lbs") == "lb" and normalize_unit("pcs") == "pcs"
    assert readability_of(Decimal("61.27")) == Decimal("0.01")
    with pytest.raises(UnitError):
        convert(Decimal(1), "pcs", "g")


def reading(value: str, stable: bool = True, at: float = 0.0, unit: str = "kg") -> WeightReading:
    return WeightReading(Decimal(value), unit, stable, f"S S {value} {unit}", "SN1", at, datetime.now(UTC))


def condition(state: ScaleState) -> ScaleCondition:
    return ScaleCondition(state, str(state), "", 0.0, datetime.now(UTC))


def test_reading_to_another_unit() -> None:
    grams = reading("61.27").to("g")
    assert (grams.value, grams.unit, grams.readability) == (Decimal("61270"), "g", Decimal("10"))


def test_detector_needs_agreeing_stable_readings() -> None:
    detector = StableWeightDetector(confirmations=2)
    assert detector.feed(reading("1.00", at=0.0)) is None
    accepted = detector.feed(reading("1.00", at=0.1))
    assert accepted is not None and accepted.monotonic == 0.1


@pytest.mark.parametrize(
    "interruption",
    [
        reading("1.01", stable=False, at=0.05),
        condition(ScaleState.OVERLOAD),
        condition(ScaleState.UNDERLOAD),
        condition(ScaleState.UNREADABLE),
        condition(ScaleState.DISCONNECTED),
    ],
)
def test_anything_between_starts_again(interruption: WeightReading | ScaleCondition) -> None:
    detector = StableWeightDetector(confirmations=2)
    detector.feed(reading("1.00", at=0.0))
    assert detector.feed(interruption) is None
    assert detector.feed(reading("1.00", at=0.1)) is None
    assert detector.feed(reading("1.00", at=0.2)) is not None


def test_different_weights_or_units_or_a_long_gap_do_not_agree() -> None:
    detector = StableWeightDetector(confirmations=2, max_gap=1.0)
    detector.feed(reading("1.00", at=0.0))
    assert detector.feed(reading("1.01", at=0.1)) is None
    assert detector.feed(reading("1.01", at=0.2, unit="g")) is None
    assert detector.feed(reading("1.01", at=5.0, unit="g")) is None
    assert detector.feed(reading("1.01", at=5.1, unit="g")) is not None


def test_unstable_never_accepted() -> None:
    detector = StableWeightDetector(confirmations=1)
    assert all(detector.feed(reading("1.00", stable=False, at=i)) is None for i in range(10))
    assert detector.feed(reading("1.00")) is not None
