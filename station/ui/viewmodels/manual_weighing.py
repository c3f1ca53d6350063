"""A weight entered by hand at the weigh step, offered while the scale is disconnected or
faulty: the value on a numeric pad, the reason from a list, then a second person's
e-signature as witness (a supervisor: the engine checks it, and refuses the operator)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from station.engine.api import MANUAL_REASONS, Weigh, Witness

from .keyboard import TextBuffer
from .text import translate


def reason_text(reason: str) -> str:
    """A reason as the list on the screen shows it (``MANUAL_REASONS``)."""
    texts = {
        "scale_disconnected": translate("ManualWeighing", "Scale disconnected"),
        "scale_faulty": translate("ManualWeighing", "Scale faulty"),
        "scale_out_of_calibration": translate("ManualWeighing", "Scale out of calibration during the batch"),
        "other": translate("ManualWeighing", "Other reason (in words)"),
    }
    return texts.get(reason, reason)


class ManualWeighingVM:
    """The two pages of a manual entry: ``value`` (weight and reason), then ``witness``."""

    def __init__(self, step: str, unit: str, decimals: int, reason: str = "") -> None:
        self.step = step
        self.unit = unit
        self.value = TextBuffer(max_length=12, numeric=True, max_decimals=decimals)
        self.reason = reason
        self.note = TextBuffer(max_length=400)
        self.witness = TextBuffer(max_length=64)
        self.password = TextBuffer(max_length=128, secret=True)
        self.page = "value"

    @property
    def weight(self) -> Decimal | None:
        try:
            value = Decimal(self.value.text)
        except InvalidOperation:
            return None
        return value if value.is_finite() and value > 0 else None

    @property
    def needs_note(self) -> bool:
        return self.reason == "other"

    @property
    def can_continue(self) -> bool:
        """The value page is complete: a weight above zero and a reason chosen."""
        return self.weight is not None and self.reason in MANUAL_REASONS

    @property
    def can_sign(self) -> bool:
        return (
            self.can_continue
            and bool(self.witness.text.strip())
            and bool(self.password.text)
            and (not self.needs_note or bool(self.note.text.strip()))
        )

    def choose(self, reason: str) -> None:
        if reason in MANUAL_REASONS:
            self.reason = reason

    def next(self) -> None:
        if self.can_continue:
            self.page = "witness"

    def back(self) -> None:
        self.page = "value"
        self.password.set("")

    def summary(self, what: str = "") -> str:
        """What the witness signs: the material and lot (``what``), the weight, the reason."""
        weight = self.weight
        parts = [what, f"{weight} {self.unit}" if weight is not None else "—"]
        if self.reason:
            words = self.note.text.strip() if self.needs_note else ""
            parts.append(words or reason_text(self.reason))
        return "  ·  ".join(p for p in parts if p)

    def refused(self) -> None:
        """The engine refused it: the password is typed again, the rest stays."""
        self.password.set("")

    def action(self) -> Weigh:
        weight = self.weight
        assert weight is not None
        return Weigh(
            step=self.step,
            gross=weight,
            tare=Decimal(0),
            unit=self.unit,
            stable=True,
            source="manual",
            reason=self.reason,
            note=self.note.text.strip() if self.needs_note else "",
            witness=Witness(self.witness.text.strip(), self.password.text),
        )
