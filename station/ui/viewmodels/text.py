"""Translation hook and number formatting for the view-models.

The view-models call ``translate(context, text)``; the Qt layer installs
``QCoreApplication.translate`` as the hook so that Qt's own tooling (lupdate,
lrelease) carries the strings. Without a hook the source (English) text is used.

No plurals here: pyside6-lupdate marks ``translate(context, text, None, n)`` as a
plural message only when ``n`` is a number literal, and ``update`` would then turn
the plural translations into single ones. The view-models word counts with ``%1``
("Open deviations: %1"); ``tr(text, "", n)`` in the Qt layer is recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

_hook: Callable[..., str] | None = None


def install(hook: Callable[..., str] | None) -> None:
    """Install the function that translates (context, text, disambiguation, n)."""
    global _hook
    _hook = hook


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    if _hook is not None:
        return _hook(context, text, disambiguation, n)
    return text.replace("%n", str(n)) if n >= 0 else text


def to_decimal(value: object) -> Decimal | None:
    """A Decimal from an engine value (Decimal, int, float, str), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def fmt(value: object, decimals: int | None = None) -> str:
    """A number as an operator reads it: fixed decimals when given, else as precise as it is."""
    d = to_decimal(value)
    if d is None:
        return "—"
    if decimals is not None:
        return f"{d:.{decimals}f}"
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    return text


MASS_UNITS: dict[str, Decimal] = {
    "mg": Decimal("0.000001"),
    "g": Decimal("0.001"),
    "kg": Decimal(1),
    "t": Decimal(1000),
    "lb": Decimal("0.45359237"),
}


def convert(value: Decimal, unit_from: str, unit_to: str) -> Decimal:
    """Convert a mass between units; the same value when the units are equal or unknown."""
    if unit_from == unit_to or unit_from not in MASS_UNITS or unit_to not in MASS_UNITS:
        return value
    return value * MASS_UNITS[unit_from] / MASS_UNITS[unit_to]


def decimals_of(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0
