"""The weigh step's view-model: the scale's live reading against the target and limits, the lot
identified, tare and gross, and the weighing it sends for acceptance."""

from __future__ import annotations

from decimal import Decimal

from station.engine.api import (
    Outcome,
    Scan,
    StepView,
    Weigh,
    WeighDetail,
)

from .devices import ScaleReading
from .manual_weighing import ManualWeighingVM
from .step_base import StepVM
from .text import convert, translate


class WeighVM(StepVM):
    kind = "weigh"

    def __init__(self, step: StepView) -> None:
        super().__init__(step)
        self.reading: ScaleReading | None = None
        self.connected = False
        self.fault = ""  # what the scale reports wrong (a ScaleState), "" while it weighs
        self.scanned: str = ""
        self.manual: ManualWeighingVM | None = None  # a weight being entered by hand

    @property
    def detail(self) -> WeighDetail:
        return self._detail(WeighDetail)

    @property
    def material(self) -> str:
        return self.detail.material

    @property
    def material_name(self) -> str:
        return self.detail.material_name or ""

    @property
    def unit(self) -> str:
        return self.detail.unit

    @property
    def target(self) -> Decimal | None:
        return self.detail.target

    @property
    def low(self) -> Decimal | None:
        return self.detail.low

    @property
    def high(self) -> Decimal | None:
        return self.detail.high

    @property
    def lot(self) -> str:
        """The lot identified at the step ("" until one is)."""
        lot = self.detail.lot
        return lot.lot if lot is not None else ""

    @property
    def phase(self) -> str:
        """scan_lot until a lot is accepted, then weigh."""
        return "weigh" if self.lot else "scan_lot"

    def set_reading(self, reading: ScaleReading | None, connected: bool, fault: str = "") -> None:
        self.reading = reading
        self.connected = connected
        self.fault = fault

    @property
    def manual_offered(self) -> bool:
        """Manual entry is offered while the scale cannot weigh, never while it can."""
        return self.state in ("disconnected", "faulty")

    def start_manual(self) -> None:
        if self.manual_offered and self.manual is None:
            reason = "scale_disconnected" if self.state == "disconnected" else "scale_faulty"
            # Up to 4 decimals: the engine refuses what the bound scale cannot read.
            self.manual = ManualWeighingVM(self.step.id, self.unit, 4, reason)

    def cancel_manual(self) -> None:
        self.manual = None

    @property
    def net(self) -> Decimal | None:
        """The net weight in the step's unit."""
        if self.reading is None:
            return None
        return convert(self.reading.net, self.reading.unit, self.unit)

    @property
    def state(self) -> str:
        """no_lot | disconnected | faulty | no_reading | unstable | below | above | ok"""
        if not self.lot:
            return "no_lot"
        if not self.connected:
            return "disconnected"
        if self.fault:
            return "faulty"
        if self.reading is None:
            return "no_reading"
        net = self.net
        assert net is not None
        if self.low is not None and net < self.low:
            return "below"
        if self.high is not None and net > self.high:
            return "above"
        if not self.reading.stable:
            return "unstable"
        return "ok"

    @property
    def accept_enabled(self) -> bool:
        return self.state == "ok"

    @property
    def reason_code(self) -> str:
        return {
            "below": "weight_out_of_tolerance",
            "above": "weight_out_of_tolerance",
            "unstable": "weight_unstable",
        }.get(self.state, "")

    def _places(self) -> int:
        """As many decimals as the limits need (at most 4)."""
        places = 0
        for ref in (self.target, self.low, self.high):
            if ref is not None:
                exp = ref.normalize().as_tuple().exponent
                if isinstance(exp, int):
                    places = max(places, -exp)
        return min(places, 4)

    def _q(self, value: Decimal | None) -> str:
        """A weight in the step's unit with as many decimals as the limits need (at most 4)."""
        if value is None:
            return "—"
        return f"{value:.{self._places()}f}"

    @property
    def state_text(self) -> str:
        s = self.state
        net, unit = self.net, self.unit
        if s == "no_lot":
            return translate("Weigh", "Scan the label of the lot to dispense.")
        if s == "disconnected":
            return translate(
                "Weigh",
                "SCALE DISCONNECTED. Check the cable; weighing resumes when the scale is back, "
                "or enter the weight by hand with a witness.",
            )
        if s == "faulty":
            return translate(
                "Weigh", "SCALE FAULT (%1). Call maintenance, or enter the weight by hand with a witness."
            ).replace("%1", self.fault)
        if s == "no_reading":
            return translate("Weigh", "Waiting for the scale…")
        if s == "below" and net is not None and self.low is not None:
            return (
                translate("Weigh", "OUT OF TOLERANCE: %1 %3 is below the lower limit %2 %3. Add material.")
                .replace("%1", self._q(net))
                .replace("%2", self._q(self.low))
                .replace("%3", unit)
            )
        if s == "above" and net is not None and self.high is not None:
            return (
                translate("Weigh", "OUT OF TOLERANCE: %1 %3 is above the upper limit %2 %3. Remove material.")
                .replace("%1", self._q(net))
                .replace("%2", self._q(self.high))
                .replace("%3", unit)
            )
        if s == "unstable":
            return translate("Weigh", "Reading not stable. Wait until the scale settles.")
        return translate("Weigh", "Stable and inside the tolerance. ACCEPT records the weighing.")

    @property
    def level(self) -> str:
        return {"ok": "ok", "unstable": "warn", "no_reading": "warn", "no_lot": "info"}.get(self.state, "bad")

    def gauge(self) -> dict[str, float]:
        """Where the gauge draws things, as fractions 0..1.

        ``low``/``target``/``high``/``net`` on the coarse bar (zero to 115 % of the upper limit);
        ``fine_*`` on the fine bar, which spans the tolerance band plus as much again on each side,
        so that a band of a few tenths of a percent is still wide enough to aim at.
        """
        high = self.high or self.target or Decimal(1)
        full = float(high) * 1.15 or 1.0

        def frac(v: Decimal | None, lo: float = 0.0, span: float = full) -> float:
            return -1.0 if v is None else max(0.0, min(1.0, (float(v) - lo) / span))

        out = {
            "low": frac(self.low),
            "target": frac(self.target),
            "high": frac(self.high),
            "net": frac(self.net),
        }
        if self.low is not None and self.high is not None and self.high > self.low:
            band = float(self.high - self.low)
            lo = float(self.low) - band
            out.update(
                fine_low=frac(self.low, lo, 3 * band),
                fine_target=frac(self.target, lo, 3 * band),
                fine_high=frac(self.high, lo, 3 * band),
                fine_net=frac(self.net, lo, 3 * band),
            )
        return out

    @property
    def target_text(self) -> str:
        return (
            translate("Weigh", "Target %1 %4   (%2 – %3 %4)")
            .replace("%1", self._q(self.target))
            .replace("%2", self._q(self.low))
            .replace("%3", self._q(self.high))
            .replace("%4", self.unit)
        )

    def apply(self, outcome: Outcome) -> None:
        if self.manual is not None:
            if outcome.status in ("done", "deviation"):
                self.manual = None
            else:  # refused: the witness signs again, the value and reason stay
                self.manual.refused()

    def scan(self, raw: str, plain: str) -> Scan:
        self.scanned = plain
        return Scan(step=self.step.id, code=raw)

    def action(self) -> Weigh:
        r = self.reading
        assert r is not None
        return Weigh(
            step=self.step.id,
            gross=r.gross,
            tare=r.tare,
            unit=r.unit,
            stable=r.stable,
            device_serial=r.serial,
            source="scale",
        )
