"""Stable-weight detection that does not trust a single line.

A weight is accepted for a weighing only when the device says it is stable, on
``confirmations`` consecutive readings of the same value and unit, with nothing else in
between: a dynamic reading, an overload, an underload, an unreadable line, a
disconnection — anything that is not such a stable weight — starts the count again.
So a line corrupted into "stable" on its own, or a stale reply, never becomes a
recorded weight.
"""

from __future__ import annotations

from hardware.scales.reading import ScaleCondition, ScaleEvent, ScaleState, WeightReading


class StableWeightDetector:
    def __init__(self, confirmations: int = 2, max_gap: float | None = 2.0) -> None:
        if confirmations < 1:
            raise ValueError("confirmations must be at least 1")
        self.confirmations = confirmations
        self.max_gap = max_gap
        self._run: list[WeightReading] = []
        self.last_state: ScaleState | None = None
        self.last_event: ScaleEvent | None = None

    def reset(self) -> None:
        self._run.clear()

    @property
    def count(self) -> int:
        """How many agreeing stable readings are in hand."""
        return len(self._run)

    def feed(self, event: ScaleEvent) -> WeightReading | None:
        """The accepted reading (the last of the agreeing ones), or None for now."""
        self.last_event = event
        if isinstance(event, ScaleCondition):
            self.last_state = event.state
            self._run.clear()
            return None
        self.last_state = event.state
        if not event.stable:
            self._run.clear()
            return None
        if self._run:
            previous = self._run[-1]
            too_late = self.max_gap is not None and event.monotonic - previous.monotonic > self.max_gap
            if too_late or not event.same_weight(previous) or event.serial_number != previous.serial_number:
                self._run.clear()
        self._run.append(event)
        if len(self._run) >= self.confirmations:
            accepted = self._run[-1]
            self._run.clear()
            return accepted
        return None
