"""The runner's forms: the supervisor's override or acknowledgement, a deviation, hold and resume.
Each goes back to the runner when its action is done (``done``) or cancelled (``cancelled``)."""

from __future__ import annotations

from PySide6.QtCore import Signal

from station.engine.api import Action, Outcome

from ..forms import FormPage
from ..viewmodels.forms import (
    DECISIONS,
    DeviationVM,
    HoldVM,
    OverrideVM,
    RefusalPanelVM,
    category_label,
    decision_label,
)
from ..viewmodels.reasons import explain
from ..viewmodels.scan import ScanReading
from .base import FormController, Router, Session


class OverrideController(FormController):
    """A supervisor overrides a refusal, acknowledges a recorded deviation, or decides how a
    batch stopped at a check goes on (continue, repeat the check, hold), by e-signature."""

    with_batch = True
    done = Signal(object)  # the StationState after the override
    cancelled = Signal()

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = OverrideVM(step="")
        self.acknowledges = False
        # One row of fields: under the batch header, the refusal's sentence and the keyboard
        # leave no room for a second one at 1024x768. The reason gets half the width.
        page = FormPage("override", fields_per_row=3)
        self.view = page
        page.grid.setColumnStretch(0, 1)
        page.grid.setColumnStretch(1, 1)
        page.grid.setColumnStretch(2, 2)
        page.add_field(lambda: self.tr("Supervisor: user id or badge"), lambda: self.vm.user, "override_user")
        page.add_field(lambda: self.tr("Password"), lambda: self.vm.password, "override_password")
        page.add_field(lambda: self.tr("Reason (mandatory)"), lambda: self.vm.reason, "override_reason")
        self.decision_buttons = page.add_choices(
            [(d, decision_label(d)) for d in DECISIONS], self._decide, per_row=len(DECISIONS)
        )
        for b in self.decision_buttons:
            b.setVisible(False)  # only for a decision on a stopped batch
        page.problem_getter = lambda: self.vm.problem
        page.message_getter = lambda: self.vm.message
        page.enabled_getter = lambda: self.vm.can_submit
        page.edited = lambda: setattr(self.vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self._title()
        self.view.cancel_button.setText(self.tr("CANCEL"))

    def _title(self) -> None:
        page = self.view
        for b, d in zip(self.decision_buttons, DECISIONS, strict=True):
            b.setText(decision_label(d))
            b.setVisible(self.vm.deciding)
            b.setChecked(self.vm.decision == d)
        if self.vm.deciding:
            page.title.setText(
                self.tr("Decision: the batch is stopped at %1 (e-signature)").replace("%1", self.vm.step)
            )
            page.submit_button.setText(self.tr("SIGN THE DECISION"))
        elif self.acknowledges:
            page.title.setText(self.tr("Supervisor acknowledgement (e-signature)"))
            page.submit_button.setText(self.tr("SIGN AND ACKNOWLEDGE"))
        else:
            page.title.setText(self.tr("Supervisor override (e-signature)"))
            page.submit_button.setText(self.tr("SIGN AND OVERRIDE"))

    def clear(self) -> None:
        self.vm = OverrideVM(step="")

    def open(self, panel: RefusalPanelVM) -> None:
        assert panel.step is not None
        self.vm = OverrideVM(
            step=panel.step, codes=tuple(r.code for r in panel.refusals), deciding=panel.decides
        )
        self.acknowledges = panel.can_acknowledge
        self._title()
        self.view.info.setText(panel.detail or panel.message)
        # Deciding, the title names the stopped step, and the row of choices takes the place of
        # the sentences the panel showed (the keyboard keeps its room at 1024x768).
        self.view.info.setVisible(not panel.decides)
        self.router.show_screen(self)

    def scan(self, raw: str, reading: ScanReading) -> None:
        self.vm.scan_badge(reading.plain)
        self.view.refresh()

    def _decide(self, decision: str) -> None:
        self.vm.decision = decision
        self.vm.message = ""
        self.view.refresh()

    def submit(self) -> None:
        if self.vm.can_submit:
            self.session.send(self.vm.action(), self._after)

    def _after(self, action: Action, outcome: Outcome) -> None:
        self.vm.apply(outcome)
        if outcome.status in ("done", "deviation"):
            self.vm = OverrideVM(step="")
            self.done.emit(outcome.state)
        else:
            self.router.refresh()


class DeviationController(FormController):
    """An operator raises a deviation at the current step: a category and what happened."""

    with_batch = True
    done = Signal(object)  # the StationState after the action
    cancelled = Signal()

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = vm = DeviationVM()
        page = FormPage("deviation")
        self.view = page
        self.category_buttons = page.add_choices(
            [(c, category_label(c)) for c in vm.categories], self._choose, per_row=len(vm.categories)
        )
        page.add_field(lambda: self.tr("What happened"), lambda: vm.text, "deviation_text", span=2)
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        page = self.view
        page.title.setText(self.tr("Raise a deviation"))
        page.info.setVisible(False)
        page.submit_button.setText(self.tr("RAISE THE DEVIATION"))
        page.cancel_button.setText(self.tr("CANCEL"))
        for b, c in zip(self.category_buttons, self.vm.categories, strict=True):
            b.setText(category_label(c))

    def clear(self) -> None:
        self.vm.text.set("")

    def open(self, step: str | None) -> None:
        vm = self.vm
        vm.step = step
        vm.category = ""
        vm.text.set("")
        vm.message = ""
        for b in self.category_buttons:
            b.setAutoExclusive(False)
            b.setChecked(False)
            b.setAutoExclusive(True)
        self.router.show_screen(self)

    def _choose(self, category: str) -> None:
        self.vm.category = category
        self.view.refresh()

    def submit(self) -> None:
        if self.vm.can_submit:
            self.session.send(self.vm.action(), self._after)

    def _after(self, action: Action, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.done.emit(outcome.state)
        else:
            self.vm.message = explain(outcome)
            self.router.refresh()


class HoldController(FormController):
    """Put the batch on hold (a reason is mandatory), or resume it."""

    with_batch = True
    done = Signal(object)  # the StationState after the action
    cancelled = Signal()

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = vm = HoldVM()
        page = FormPage("hold")
        self.view = page
        page.add_field(lambda: self.tr("Reason"), lambda: vm.reason, "hold_reason", span=2)
        page.problem_getter = lambda: vm.problem
        page.enabled_getter = lambda: vm.can_submit
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self.view.cancel_button.setText(self.tr("CANCEL"))

    def clear(self) -> None:
        self.vm.reason.set("")

    def open(self, resume: bool) -> None:
        vm = self.vm
        vm.resume = resume
        vm.reason.set("")
        page = self.view
        page.title.setText(self.tr("Resume the batch") if resume else self.tr("Put the batch on hold"))
        page.info.setText(
            self.tr("A reason for resuming (optional).")
            if resume
            else self.tr("Why is the batch put on hold?")
        )
        page.submit_button.setText(self.tr("RESUME") if resume else self.tr("HOLD THE BATCH"))
        self.router.show_screen(self)

    def submit(self) -> None:
        if self.vm.can_submit:
            self.session.send(self.vm.action(), self._after)

    def _after(self, action: Action, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.done.emit(outcome.state)
        else:
            self.view.info.setText(explain(outcome))
            self.router.refresh()
