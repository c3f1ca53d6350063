"""The small forms of the runner: supervisor override, deviation, hold and resume."""

from __future__ import annotations

from dataclasses import dataclass, field

from station.engine.api import Decide, Hold, Outcome, Override, RaiseDeviation, RefusalView, Resume

from .keyboard import TextBuffer
from .reasons import explain, message, sentence, what_next
from .text import translate

MIN_REASON_LENGTH = 5

DEVIATION_CATEGORIES: tuple[str, ...] = (
    "material",
    "equipment",
    "process",
    "documentation",
    "safety",
    "other",
)


def category_label(category: str) -> str:
    return {
        "material": translate("Forms", "Material"),
        "equipment": translate("Forms", "Equipment"),
        "process": translate("Forms", "Process"),
        "documentation": translate("Forms", "Documentation"),
        "safety": translate("Forms", "Safety"),
        "other": translate("Forms", "Other"),
    }.get(category, category)


#: How a supervisor may decide on a check that stopped the batch (``on_failure: block``).
DECISIONS: tuple[str, ...] = ("continue", "repeat", "hold")


def decision_label(decision: str) -> str:
    return {
        "continue": translate("Forms", "CONTINUE THE BATCH"),
        "repeat": translate("Forms", "REPEAT THE CHECK"),
        "hold": translate("Forms", "HOLD THE BATCH"),
    }.get(decision, decision)


@dataclass(frozen=True)
class PanelLine:
    """One refusal as the panel shows it."""

    what_next: str  # what to do about it, in the station's language
    sentence: str  # the engine's sentence naming the thing (the detail)
    code: str  # the reason code ("" for a message without one)


@dataclass
class RefusalPanelVM:
    """A refusal (or a recorded deviation) shown as a panel over the step."""

    status: str  # refused | deviation | error
    message: str
    refusals: tuple[RefusalView, ...]
    step: str | None
    can_acknowledge: bool = False  # open deviation(s) at ``step`` that a supervisor must acknowledge
    # The batch is stopped at ``step`` (a blocking check): a supervisor decides how it goes on.
    decides: bool = False

    @classmethod
    def from_outcome(
        cls, outcome: Outcome, step: str | None, allowed: tuple[str, ...] = ()
    ) -> RefusalPanelVM:
        acknowledge = outcome.status == "deviation" and step is not None and "override" in allowed
        batch = outcome.state.batch if outcome.state is not None else None
        if batch is not None and batch.stopped_at and "override" in allowed:
            return cls(
                status=outcome.status,
                message=message(outcome),
                refusals=outcome.refusals,
                step=batch.stopped_at,
                decides=True,
            )
        if step is None and "deviation_open" in outcome.reasons and outcome.state is not None:
            # COMPLETE refused for an open deviation: offer its acknowledgement right here.
            batch = outcome.state.batch
            open_at = [d.step for d in (batch.open_deviations if batch else ()) if d.step and not d.closed]
            if open_at and "override" in allowed:
                step, acknowledge = open_at[0], True
        return cls(
            status=outcome.status,
            message=message(outcome),
            refusals=outcome.refusals,
            step=step,
            can_acknowledge=acknowledge,
        )

    @property
    def overridable(self) -> bool:
        return self.step is not None and (
            (self.status == "refused" and bool(self.refusals) and all(r.overridable for r in self.refusals))
            or self.can_acknowledge
            or self.decides
        )

    @property
    def title(self) -> str:
        if self.status == "deviation":
            return translate("Refusal", "RECORDED WITH A DEVIATION")
        if self.status == "error":
            return translate("Refusal", "ERROR")
        return translate("Refusal", "REFUSED")

    @property
    def override_label(self) -> str:
        if self.decides:
            return translate("Refusal", "SUPERVISOR DECISION")
        if self.can_acknowledge:
            return translate("Refusal", "SUPERVISOR ACKNOWLEDGE")
        return translate("Refusal", "OVERRIDE")

    @property
    def lines(self) -> list[PanelLine]:
        """What to do, the engine's sentence and the reason code of each refusal; the message
        alone when there is none."""
        if not self.refusals:
            return [PanelLine("", self.message, "")]
        return [PanelLine(what_next(r.code, r.what_next), sentence(r), r.code) for r in self.refusals]

    @property
    def detail(self) -> str:
        """The engine's sentences, one a line (for the override form)."""
        return "\n".join(dict.fromkeys(line.sentence for line in self.lines if line.sentence))


@dataclass
class OverrideVM:
    step: str
    codes: tuple[str, ...] = ()
    deciding: bool = False  # a decision on a check that stopped the batch (continue/repeat/hold)
    decision: str = ""
    user: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=40))
    password: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    reason: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=500))
    badge: str | None = None
    message: str = ""
    focus: str = "user"

    def scan_badge(self, plain: str) -> None:
        self.badge = plain
        self.user.set(plain)
        self.focus = "password"

    @property
    def problem(self) -> str:
        if not self.user.text.strip():
            return translate("Forms", "Supervisor: enter the user id or scan the badge.")
        if not self.password.text:
            return translate("Forms", "Enter the supervisor's password.")
        if self.deciding and not self.decision:
            return translate("Forms", "Choose how the batch goes on.")
        if len(self.reason.text.strip()) < MIN_REASON_LENGTH:
            return translate("Forms", "A reason is mandatory (at least %1 characters).").replace(
                "%1", str(MIN_REASON_LENGTH)
            )
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def action(self) -> Override | Decide:
        if self.deciding:
            return Decide(
                step=self.step,
                user=self.user.text.strip(),
                password=self.password.text,
                decision=self.decision,  # type: ignore[arg-type]
                reason=self.reason.text.strip(),
            )
        return Override(
            step=self.step,
            user=self.user.text.strip(),
            password=self.password.text,
            reason=self.reason.text.strip(),
        )

    def apply(self, outcome: Outcome) -> None:
        self.password.set("")
        if outcome.status not in ("done", "deviation"):
            self.message = explain(outcome)


@dataclass
class DeviationVM:
    step: str | None = None
    category: str = ""
    text: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=1000))
    message: str = ""

    @property
    def categories(self) -> tuple[str, ...]:
        return DEVIATION_CATEGORIES

    @property
    def problem(self) -> str:
        if not self.category:
            return translate("Forms", "Choose a category.")
        if len(self.text.text.strip()) < MIN_REASON_LENGTH:
            return translate("Forms", "Describe the deviation (at least %1 characters).").replace(
                "%1", str(MIN_REASON_LENGTH)
            )
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def action(self) -> RaiseDeviation:
        return RaiseDeviation(category=self.category, text=self.text.text.strip(), step=self.step)


@dataclass
class HoldVM:
    resume: bool = False  # False: put the batch on hold; True: resume it
    reason: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=500))

    @property
    def problem(self) -> str:
        if not self.resume and len(self.reason.text.strip()) < MIN_REASON_LENGTH:
            return translate("Forms", "A reason is mandatory (at least %1 characters).").replace(
                "%1", str(MIN_REASON_LENGTH)
            )
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def action(self) -> Hold | Resume:
        if self.resume:
            return Resume(reason=self.reason.text.strip())
        return Hold(reason=self.reason.text.strip())
