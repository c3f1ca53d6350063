"""Mass units and exact conversion between them.

Every factor is exact: the metric prefixes are powers of ten and the pound is
defined as exactly 0.45359237 kg (international yard and pound agreement, 1959).
Conversions run in their own Decimal context so that a caller's context (a low
precision set for display, say) never changes a weighing result.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

#: Milligrams per unit. Integers (or an exact decimal for lb) keep every
#: metric conversion exact; a conversion *to* lb is a true division and is
#: rounded to CONTEXT's 50 significant digits.
MG_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal(1),
    "g": Decimal(1000),
    "kg": Decimal(1000000),
    "lb": Decimal("453592.37"),
}

MASS_UNITS: tuple[str, ...] = tuple(MG_PER_UNIT)

#: Far more digits than any balance resolves; traps make a bad input loud.
CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


class UnitError(ValueError):
    """A unit that is not a mass unit where a mass is needed."""


def is_mass_unit(unit: object) -> bool:
    return isinstance(unit, str) and unit in MG_PER_UNIT


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``; unchanged if the units are equal."""
    for unit in (from_unit, to_unit):
        if not is_mass_unit(unit):
            raise UnitError(f"{unit!r} is not a mass unit (use {', '.join(MASS_UNITS)})")
    if from_unit == to_unit:
        return value
    return CONTEXT.divide(CONTEXT.multiply(value, MG_PER_UNIT[from_unit]), MG_PER_UNIT[to_unit])
