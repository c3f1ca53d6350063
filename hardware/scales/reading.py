"""What a scale says: a weight reading, or a condition (overload, busy, disconnected, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from hardware.scales.units import convert, normalize_unit, readability_of

WeightKind = Literal["gross", "net", "tare"]


class ScaleState(StrEnum):
    """Every state a scale can be reported in, whatever its protocol."""

    STABLE = "stable"  # a weight the device says is stable
    DYNAMIC = "dynamic"  # a weight still moving
    OVERLOAD = "overload"  # above the weighing range (MT-SICS "S +", SBI "H")
    UNDERLOAD = "underload"  # below the weighing range (MT-SICS "S -", SBI "L")
    ABOVE_RANGE = "above_range"  # tare or zero refused: upper limit of its range exceeded ("T +", "Z +")
    BELOW_RANGE = "below_range"  # tare or zero refused: lower limit of its range exceeded ("T -", "Z -")
    BUSY = "busy"  # understood but not executable now: taring, or no stable weight in time ("S I")
    COMMAND_NOT_UNDERSTOOD = "command_not_understood"  # "ES": the device did not recognise the command
    TRANSMISSION_ERROR = "transmission_error"  # "ET": the device got a garbled command (parity, length)
    LOGICAL_ERROR = "logical_error"  # "EL" / "L": the command or its parameter is not allowed now
    ADJUSTING = "adjusting"  # the device is calibrating/adjusting (SBI "C")
    DEVICE_ERROR = "device_error"  # the device reports an error code (SBI "Err nnn")
    UNREADABLE = "unreadable"  # a line that is no valid answer: garbage, too long, incomplete
    TIMEOUT = "timeout"  # no answer in time
    DEVICE_CHANGED = "device_changed"  # after a reconnection, another serial number answered
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


@dataclass(frozen=True)
class WeightReading:
    """One weight from the device, as it sent it.

    ``value`` is the weight displayed (the net weight once tared). ``kind`` and
    ``gross``/``tare``/``net`` are filled only where the device says which it is.
    ``readability`` is the device's step (configured, or the step ``value`` is written with).
    ``monotonic`` is when the line's last byte was read (``time.monotonic``), ``utc`` the
    same moment on the wall clock.
    """

    value: Decimal
    unit: str
    stable: bool
    raw: str
    serial_number: str | None
    monotonic: float
    utc: datetime
    kind: WeightKind | None = None
    gross: Decimal | None = None
    tare: Decimal | None = None
    net: Decimal | None = None
    readability: Decimal = field(default=Decimal(0))

    def __post_init__(self) -> None:
        if not self.readability:
            object.__setattr__(self, "readability", readability_of(self.value))

    @property
    def state(self) -> ScaleState:
        return ScaleState.STABLE if self.stable else ScaleState.DYNAMIC

    def same_weight(self, other: WeightReading) -> bool:
        return self.value == other.value and normalize_unit(self.unit) == normalize_unit(other.unit)

    def to(self, unit: str) -> WeightReading:
        """The same reading in another mass unit, at the device's readability."""
        value, step = convert(self.value, self.unit, unit, self.readability)

        def conv(number: Decimal | None) -> Decimal | None:
            return None if number is None else convert(number, self.unit, unit, self.readability)[0]

        return replace(
            self,
            value=value,
            unit=normalize_unit(unit),
            gross=conv(self.gross),
            tare=conv(self.tare),
            net=conv(self.net),
            readability=step,
        )

    def to_json(self) -> dict[str, Any]:
        def text(number: Decimal | None) -> str | None:
            return None if number is None else str(number)

        return {
            "value": str(self.value),
            "unit": self.unit,
            "state": self.state.value,
            "kind": self.kind,
            "gross": text(self.gross),
            "tare": text(self.tare),
            "net": text(self.net),
            "readability": str(self.readability),
            "serial_number": self.serial_number,
            "raw": self.raw,
            "utc": self.utc.isoformat(),
        }


@dataclass(frozen=True)
class ScaleCondition:
    """Anything the scale reports that is not a weight: never a weight to record."""

    state: ScaleState
    detail: str
    raw: str
    monotonic: float
    utc: datetime
    serial_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "detail": self.detail,
            "raw": self.raw,
            "serial_number": self.serial_number,
            "utc": self.utc.isoformat(),
        }


ScaleEvent = WeightReading | ScaleCondition


@dataclass(frozen=True)
class UnreadableLine:
    """A received line that is no valid answer of the protocol."""

    raw: str
    reason: str


class ScaleError(Exception):
    """A scale request that did not give what was asked: ``state`` says why."""

    def __init__(self, state: ScaleState, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.state = state
        self.raw = raw

    @classmethod
    def from_condition(cls, condition: ScaleCondition, doing: str = "") -> ScaleError:
        prefix = f"{doing}: " if doing else ""
        return cls(condition.state, f"{prefix}{condition.detail}", condition.raw)
