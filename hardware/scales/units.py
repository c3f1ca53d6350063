"""Mass units and their conversion with Decimal, at the readability of the device.

A conversion never makes a weight look more precise than the scale that measured it:
61.27 kg read to 0.01 kg becomes 61270 g (not 61270.000 g), 135.08 lb (not 135.0773...).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

GRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1000000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}

_ALIASES = {
    "mg": "mg",
    "g": "g",
    "gr": "g",
    "kg": "kg",
    "t": "t",
    "lb": "lb",
    "lbs": "lb",
    "oz": "oz",
}


class UnitError(ValueError):
    """A unit this station does not convert."""


def normalize_unit(unit: str) -> str:
    """The canonical spelling of a mass unit (``KG`` -> ``kg``); other units unchanged."""
    key = unit.strip()
    return _ALIASES.get(key.lower(), key)


def is_mass_unit(unit: str) -> bool:
    return normalize_unit(unit) in GRAMS_PER_UNIT


def readability_of(value: Decimal) -> Decimal:
    """The step the value was written with: ``Decimal('61.27')`` -> ``0.01``."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {value}")
    return Decimal(1).scaleb(exponent)


def _decimal_places_for(step: Decimal) -> int:
    """Exponent of the largest power of ten not above ``step`` (never above 0)."""
    if step <= 0:
        raise ValueError("readability must be positive")
    exponent = step.adjusted()  # floor(log10(step))
    return min(exponent, 0)


def convert(
    value: Decimal, from_unit: str, to_unit: str, readability: Decimal | None = None
) -> tuple[Decimal, Decimal]:
    """``value`` in ``to_unit`` and the readability in ``to_unit``.

    ``readability`` is the device's step in ``from_unit`` (default: the step ``value`` is
    written with). The result is rounded half-even to the decimal places that step allows.
    """
    source, target = normalize_unit(from_unit), normalize_unit(to_unit)
    if source not in GRAMS_PER_UNIT:
        raise UnitError(f"cannot convert from {from_unit!r}")
    if target not in GRAMS_PER_UNIT:
        raise UnitError(f"cannot convert to {to_unit!r}")
    step = readability if readability is not None else readability_of(value)
    if source == target:
        return value, step
    factor = GRAMS_PER_UNIT[source] / GRAMS_PER_UNIT[target]
    new_step = step * factor
    places = _decimal_places_for(new_step)
    quantum = Decimal(1).scaleb(places)
    converted = (value * factor).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return converted, plain(new_step)


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and without exponent notation (``1E+1`` -> ``10``)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1))
    return normal
