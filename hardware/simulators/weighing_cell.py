"""The physics of a simulated scale: load, settling with noise, zero, tare, range.

``put`` sets what lies on the pan (the gross load). The display then moves from the
previous value to the new one, noisy and dynamic, and is stable once ``settle_time`` has
passed. Gross is the load minus the zero point; net is gross minus the tare; both are
rounded to the readability. Past the capacity the cell is in overload; below zero by more
than ``underload_limit`` (pan removed after zeroing with a load) in underload.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from hardware.scales.units import GRAMS_PER_UNIT, is_mass_unit, normalize_unit

CellState = Literal["stable", "dynamic", "overload", "underload"]


@dataclass(frozen=True)
class CellSample:
    state: CellState
    gross: Decimal
    net: Decimal
    tare: Decimal


class WeighingCell:
    def __init__(
        self,
        capacity: Decimal,
        readability: Decimal,
        unit: str,
        *,
        settle_time: float = 0.8,
        noise_digits: float = 4.0,
        underload_limit: Decimal | None = None,
        zero_range: Decimal | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity <= 0 or readability <= 0:
            raise ValueError("capacity and readability must be positive")
        if not is_mass_unit(unit):
            raise ValueError(f"not a mass unit: {unit!r}")
        self.capacity = capacity
        self.readability = readability
        self.unit = normalize_unit(unit)
        self.settle_time = settle_time
        self.noise_digits = noise_digits
        self.underload_limit = underload_limit if underload_limit is not None else 20 * readability
        self.zero_range = zero_range if zero_range is not None else capacity * Decimal("0.02")
        self._clock = clock
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self._load = Decimal(0)
        self._previous = Decimal(0)
        self._changed_at = clock() - settle_time
        self._power_on_zero = Decimal(0)
        self._zero_point = Decimal(0)
        self._tare = Decimal(0)

    # ------------------------------------------------------------------ what is on the pan

    def put(self, weight: Decimal, unit: str | None = None) -> None:
        """The pan now holds ``weight`` in all (gross load), in ``unit`` (default: the cell's)."""
        load = Decimal(weight)
        if unit is not None and normalize_unit(unit) != self.unit:
            if not is_mass_unit(unit):
                raise ValueError(f"not a mass unit: {unit!r}")
            load = load * GRAMS_PER_UNIT[normalize_unit(unit)] / GRAMS_PER_UNIT[self.unit]
        with self._lock:
            now = self._clock()
            self._previous = self._shown_load(now)
            self._load = load
            self._changed_at = now

    def remove(self) -> None:
        self.put(Decimal(0))

    @property
    def load(self) -> Decimal:
        return self._load

    @property
    def tare_value(self) -> Decimal:
        return self._tare

    def settled(self, now: float | None = None) -> bool:
        now = self._clock() if now is None else now
        return now - self._changed_at >= self.settle_time

    def _shown_load(self, now: float) -> Decimal:
        elapsed = now - self._changed_at
        if elapsed >= self.settle_time:
            return self._load
        progress = max(0.0, elapsed / self.settle_time)
        approach = 1.0 - math.exp(-5.0 * progress)
        noise = self._random.gauss(0.0, self.noise_digits) * float(self.readability) * (1.0 - progress)
        shown = float(self._previous) + float(self._load - self._previous) * approach + noise
        return Decimal(repr(shown))

    def _round(self, value: Decimal) -> Decimal:
        steps = (value / self.readability).to_integral_value(rounding=ROUND_HALF_EVEN)
        return (steps * self.readability).quantize(self.readability)

    def sample(self, now: float | None = None) -> CellSample:
        with self._lock:
            now = self._clock() if now is None else now
            shown = self._shown_load(now)
            gross = shown - self._zero_point
            state: CellState = "stable" if self.settled(now) else "dynamic"
            if gross > self.capacity:
                state = "overload"
            elif gross < -self.underload_limit:
                state = "underload"
            return CellSample(state, self._round(gross), self._round(gross - self._tare), self._tare)

    # ------------------------------------------------------------------ keys and commands

    def tare(self) -> CellSample:
        """Take the gross weight as tare (the caller checks stability and range first)."""
        with self._lock:
            sample = self.sample()
            self._tare = sample.gross
            return self.sample()

    def tare_allowed(self, sample: CellSample) -> Literal["ok", "above", "below"]:
        if sample.gross > self.capacity:
            return "above"
        if sample.gross <= 0:
            return "below" if sample.gross < 0 else "ok"
        return "ok"

    def preset_tare(self, value: Decimal) -> bool:
        if value < 0 or value > self.capacity:
            return False
        with self._lock:
            self._tare = self._round(value)
        return True

    def clear_tare(self) -> None:
        with self._lock:
            self._tare = Decimal(0)

    def zero_allowed(self) -> Literal["ok", "above", "below"]:
        with self._lock:
            offset = self._shown_load(self._clock()) - self._power_on_zero
        if offset > self.zero_range:
            return "above"
        if offset < -self.zero_range:
            return "below"
        return "ok"

    def zero(self) -> None:
        """Make the present load the zero point (clears the tare)."""
        with self._lock:
            self._zero_point = self._shown_load(self._clock())
            self._tare = Decimal(0)
