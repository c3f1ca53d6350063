"""One view-model per step kind: what the step view shows and the action it sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gating.facts import Equipment
from station.engine.api import (
    Answer,
    CheckDetail,
    Confirm,
    Enter,
    EquipmentDetail,
    InstructionDetail,
    MeasureDetail,
    Outcome,
    Scan,
    Sign,
    SignatureDetail,
    StepView,
)

from .keyboard import TextBuffer
from .reasons import explain, message, sentence
from .step_base import StepVM, _moment, _until
from .text import fmt, to_decimal, translate
from .weigh import WeighVM

__all__ = [
    "CheckVM",
    "EquipmentVM",
    "InstructionVM",
    "MeasureVM",
    "SignatureVM",
    "StepVM",
    "WeighVM",
    "make_step_vm",
]


class InstructionVM(StepVM):
    kind = "instruction"

    @property
    def detail(self) -> InstructionDetail:
        return self._detail(InstructionDetail)

    @property
    def text(self) -> str:
        return self.detail.text.strip()

    @property
    def confirm_label(self) -> str:
        return self.detail.confirm or translate("Steps", "Done")

    @property
    def image(self) -> str | None:
        return self.detail.image or None

    def action(self) -> Confirm:
        return Confirm(step=self.step.id)


class CheckVM(StepVM):
    kind = "check"

    @property
    def detail(self) -> CheckDetail:
        return self._detail(CheckDetail)

    @property
    def question(self) -> str:
        return self.detail.question

    def action(self, value: bool) -> Answer:
        return Answer(step=self.step.id, value=value)


class MeasureVM(StepVM):
    kind = "measure"

    def __init__(self, step: StepView) -> None:
        super().__init__(step)
        self.decimals: int | None = self.detail.decimals
        self.buffer = TextBuffer(max_length=12, numeric=True, max_decimals=self.decimals)

    @property
    def detail(self) -> MeasureDetail:
        return self._detail(MeasureDetail)

    @property
    def name(self) -> str:
        return self.detail.name

    @property
    def unit(self) -> str:
        return self.detail.unit

    @property
    def low(self) -> Decimal | None:
        return self.detail.low

    @property
    def high(self) -> Decimal | None:
        return self.detail.high

    @property
    def limits_text(self) -> str:
        low, high = self.low, self.high
        if low is not None and high is not None:
            return (
                translate("Steps", "Limits: %1 to %2 %3")
                .replace("%1", fmt(low))
                .replace("%2", fmt(high))
                .replace("%3", self.unit)
            )
        if low is not None:
            return (
                translate("Steps", "Limit: at least %1 %2").replace("%1", fmt(low)).replace("%2", self.unit)
            )
        if high is not None:
            return (
                translate("Steps", "Limit: at most %1 %2").replace("%1", fmt(high)).replace("%2", self.unit)
            )
        return translate("Steps", "No limits")

    @property
    def value(self) -> Decimal | None:
        text = self.buffer.text.rstrip(".")
        if text in ("", "-"):
            return None
        return to_decimal(text)

    @property
    def state(self) -> str:
        """empty | in | out"""
        value = self.value
        if value is None:
            return "empty"
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            return "out"
        return "in"

    @property
    def state_text(self) -> str:
        return {
            "empty": translate("Steps", "Enter the value on the keypad."),
            "in": translate("Steps", "Inside the limits."),
            "out": translate(
                "Steps", "OUTSIDE THE LIMITS: the value is recorded as entered and a deviation is opened."
            ),
        }[self.state]

    def action(self) -> Enter:
        value = self.value
        assert value is not None
        return Enter(step=self.step.id, value=value)

    def apply(self, outcome: Outcome) -> None:
        if outcome.status in ("done", "deviation"):
            self.buffer.set("")


EQUIPMENT_CHECKS: dict[str, tuple[str, str, Callable[[Equipment], str]]] = {
    # requirement -> (label, reason code that fails it, what the bound equipment says of it)
    "in_service": ("In service", "equipment_out_of_service", lambda e: e.status.replace("_", " ")),
    "calibrated": ("Calibrated until", "equipment_calibration_due", lambda e: _until(e.calibrated_until)),
    "clean": ("Clean until", "equipment_not_clean", lambda e: _until(e.clean_until)),
    "daily_check": ("Daily check until", "equipment_daily_check_due", lambda e: _until(e.daily_check_until)),
}


def check_label(key: str) -> str:
    return {
        "in_service": translate("Steps", "In service"),
        "calibrated": translate("Steps", "Calibrated until"),
        "clean": translate("Steps", "Clean until"),
        "daily_check": translate("Steps", "Daily check until"),
    }.get(key, key)


@dataclass
class EquipmentCheck:
    key: str
    label: str
    ok: bool | None  # None: not known yet
    value: str = ""


class EquipmentVM(StepVM):
    kind = "equipment"

    def __init__(self, step: StepView) -> None:
        super().__init__(step)
        self.scanned: str = ""
        self.failed_codes: tuple[str, ...] = ()
        self.passed = step.status == "done"
        self.evaluated = False  # the gate checked the scanned equipment's status (refused or not)
        self.other_problem = ""

    @property
    def detail(self) -> EquipmentDetail:
        return self._detail(EquipmentDetail)

    @property
    def equipment_class(self) -> str:
        return self.detail.equipment_class

    @property
    def requires(self) -> tuple[str, ...]:
        return self.detail.requires

    @property
    def bound(self) -> Equipment | None:
        """The equipment bound at the step, as its gate saw it (None until bound)."""
        return self.detail.bound

    @property
    def bound_id(self) -> str:
        bound = self.bound
        return bound.id if bound is not None else self.scanned

    @property
    def bound_name(self) -> str:
        bound = self.bound
        return bound.name if bound is not None else ""

    def checks(self) -> list[EquipmentCheck]:
        rows = []
        bound = self.bound
        for key in self.requires:
            known = EQUIPMENT_CHECKS.get(key)
            code = known[1] if known else ""
            ok: bool | None
            if code in self.failed_codes:
                ok = False
            elif self.passed or self.evaluated:
                ok = True
            else:
                ok = None
            value = known[2](bound) if known and bound is not None else ""
            rows.append(EquipmentCheck(key=key, label=check_label(key), ok=ok, value=value))
        return rows

    def scan(self, raw: str, plain: str) -> Scan:
        self.scanned = plain
        return Scan(step=self.step.id, code=raw)

    def apply(self, outcome: Outcome) -> None:
        self.failed_codes = outcome.reasons
        self.passed = outcome.status == "done"
        # The gate checks every requirement of known equipment, so a requirement not among the
        # reasons of a refusal was met; unknown (or unreadable) equipment was not checked at all.
        self.evaluated = outcome.status == "refused" and "equipment_unknown" not in outcome.reasons
        self.other_problem = ""
        if outcome.status == "refused" and not any(
            c in outcome.reasons for _l, c, _f in EQUIPMENT_CHECKS.values()
        ):
            self.other_problem = sentence(outcome.refusals[0]) if outcome.refusals else message(outcome)


class SignatureVM(StepVM):
    kind = "signature"

    def __init__(self, step: StepView) -> None:
        super().__init__(step)
        self.user = TextBuffer(max_length=40)
        self.password = TextBuffer(max_length=64, secret=True)
        self.badge: str | None = None
        self.focus = "user"
        self.message = ""

    @property
    def detail(self) -> SignatureDetail:
        return self._detail(SignatureDetail)

    @property
    def meaning(self) -> str:
        return self.detail.meaning

    @property
    def role(self) -> str:
        return self.detail.role

    @property
    def role_text(self) -> str:
        role = self.role
        names = {
            "operator": translate("Roles", "operator"),
            "supervisor": translate("Roles", "supervisor"),
            "qa": translate("Roles", "quality assurance"),
            "admin": translate("Roles", "administrator"),
        }
        text = translate("Steps", "Signed by a %1").replace("%1", names.get(role, role)) if role else ""
        independent_of = self.detail.independent_of
        if independent_of:
            text += translate("Steps", " who did not perform %1").replace("%1", ", ".join(independent_of))
        return text

    @property
    def signed(self) -> tuple[str, str, str] | None:
        """(printed name, user id, time) once signed; the time is "" when the engine gives none."""
        detail = self.detail
        if not detail.signed_by:
            return None
        at = _moment(detail.signed_at) if detail.signed_at is not None else ""
        return detail.signed_by, detail.signed_by_id or detail.signed_by, at

    def scan_badge(self, plain: str) -> None:
        self.badge = plain
        self.user.set("")
        self.focus = "password"

    @property
    def can_submit(self) -> bool:
        return bool((self.badge or self.user.text.strip()) and self.password.text)

    def action(self) -> Sign:
        # A scanned badge goes in the user field as it is: the record store resolves a user id or a badge.
        return Sign(step=self.step.id, user=self.badge or self.user.text.strip(), password=self.password.text)

    def clear(self) -> None:
        self.user.set("")
        self.password.set("")
        self.badge = None
        self.focus = "user"
        self.message = ""

    def apply(self, outcome: Outcome) -> None:
        self.password.set("")
        if outcome.status == "done":
            self.clear()
        else:
            self.message = explain(outcome)


STEP_VMS: dict[str, type[StepVM]] = {
    "instruction": InstructionVM,
    "check": CheckVM,
    "measure": MeasureVM,
    "equipment": EquipmentVM,
    "weigh": WeighVM,
    "signature": SignatureVM,
}


def make_step_vm(step: StepView) -> StepVM:
    return STEP_VMS.get(step.kind, StepVM)(step)
