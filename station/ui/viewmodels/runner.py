"""The step runner: header, the current step's view-model, refusal panels and reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from station.engine.api import (
    Action,
    Answer,
    BatchView,
    Complete,
    Confirm,
    Enter,
    Outcome,
    Override,
    Scan,
    Sign,
    StationState,
    StepView,
    Weigh,
)

from .devices import DeviceStatus
from .forms import RefusalPanelVM
from .steps import EquipmentVM, SignatureVM, StepVM, WeighVM, make_step_vm
from .sync import SyncVM
from .text import translate

STEP_ACTIONS = (Confirm, Answer, Enter, Scan, Weigh, Sign, Override)


@dataclass
class HeaderVM:
    state: StationState | None = None
    devices: DeviceStatus = field(default_factory=DeviceStatus)
    showing: str | None = None  # a finished step still on screen (its review), else the current one
    site_tz: dt.tzinfo | None = None  # the engine's, once it has started
    sync: SyncVM = field(default_factory=SyncVM)  # the sync with the central hub

    def clock_text(self, now: dt.datetime) -> str:
        """The site's time, as the record, the refusals and the review show it (the machine's
        own zone may differ); blank until the engine has said which site's."""
        return f"{now.astimezone(self.site_tz):%H:%M:%S}" if self.site_tz is not None else ""

    @property
    def batch(self) -> BatchView | None:
        return self.state.batch if self.state else None

    @property
    def batch_line(self) -> str:
        b = self.batch
        if b is None:
            return ""
        return f"{b.batch_id}  ·  {b.product_name}  ·  {b.recipe_code} v{b.recipe_version}"

    def step_of(self, step_id: str | None) -> StepView | None:
        b = self.batch
        if b is None or step_id is None:
            return None
        return next((s for s in b.steps if s.id == step_id), None)

    def step_line(self, step_id: str | None = None) -> str:
        b = self.batch
        if b is None:
            return ""
        step = self.step_of(step_id or self.showing or b.current_step)
        if step is None:
            if b.status == "completed":
                return translate("Runner", "Batch completed")
            return translate("Runner", "All steps done")
        return (
            translate("Runner", "%1 %2 - step %3 of %4")
            .replace("%1", step.operation_id)
            .replace("%2", step.operation_title)
            .replace("%3", str(step.index_in_operation))
            .replace("%4", str(step.steps_in_operation))
        )

    @property
    def user_line(self) -> str:
        u = self.state.user if self.state else None
        return f"{u.name} ({u.id})" if u else ""

    @property
    def open_deviations(self) -> int:
        b = self.batch
        return sum(1 for d in b.open_deviations if not d.closed) if b else 0

    @property
    def deviations_text(self) -> str:
        n = self.open_deviations
        if n == 0:
            return translate("Runner", "No open deviation")
        return translate("Runner", "Open deviations: %1").replace("%1", str(n))

    @property
    def progress(self) -> tuple[int, int]:
        b = self.batch
        if b is None:
            return 0, 0
        return sum(1 for s in b.steps if s.status == "done"), len(b.steps)


@dataclass
class RunnerVM:
    header: HeaderVM = field(default_factory=HeaderVM)
    step_vm: StepVM | None = None
    review: StepVM | None = None  # a finished equipment or signature step shown until CONTINUE
    panel: RefusalPanelVM | None = None
    busy: bool = False

    @property
    def state(self) -> StationState | None:
        return self.header.state

    @property
    def batch(self) -> BatchView | None:
        return self.header.batch

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.state.allowed if self.state else ()

    @property
    def shown(self) -> StepVM | None:
        return self.review or self.step_vm

    @property
    def mode(self) -> str:
        """step | review | on_hold | ready_to_complete | completed | none"""
        b = self.batch
        if b is None:
            return "none"
        if b.status == "completed":
            return "completed"
        if b.status == "on_hold":
            return "on_hold"
        if self.review is not None:
            return "review"
        if b.current_step is None:
            return "ready_to_complete"
        return "step"

    def set_state(self, state: StationState) -> None:
        self.header.state = state
        b = state.batch
        if b is None or b.current_step is None:
            self.step_vm = None
            return
        step = self.header.step_of(b.current_step)
        if step is None:
            self.step_vm = None
            return
        if self.step_vm is not None and self.step_vm.step.id == step.id and self.step_vm.kind == step.kind:
            self.step_vm.update(step)
        else:
            self.step_vm = make_step_vm(step)
            self.sync_devices()

    def sync_devices(self) -> None:
        if isinstance(self.step_vm, WeighVM):
            d = self.header.devices
            self.step_vm.set_reading(d.reading, d.scale_connected, d.scale_fault)

    def apply(self, action: Action, outcome: Outcome) -> None:
        """The outcome of an action sent from the runner."""
        step_id = getattr(action, "step", None)
        current = self.step_vm
        if current is not None and step_id == current.step.id:
            current.apply(outcome)
        if outcome.state is not None:
            before = current
            self.set_state(outcome.state)
            if (
                outcome.status == "done"
                and isinstance(before, (EquipmentVM, SignatureVM))
                and isinstance(action, (Scan, Sign))
                and (self.step_vm is None or self.step_vm.step.id != before.step.id)
            ):
                done = self.header.step_of(before.step.id)
                if done is not None:
                    before.update(done)
                    if isinstance(before, EquipmentVM):
                        before.passed = True
                    self.review = before
                    self.header.showing = before.step.id
        if outcome.status == "done":
            self.panel = None
        else:
            self.panel = RefusalPanelVM.from_outcome(outcome, step_id, self.allowed)

    def continue_after_review(self) -> None:
        self.review = None
        self.header.showing = None

    def dismiss_panel(self) -> None:
        self.panel = None

    def complete_action(self) -> Complete:
        return Complete()

    def can(self, name: str) -> bool:
        """Whether the engine allows the action now (an empty list from the engine allows all)."""
        return not self.allowed or name in self.allowed

    def reset(self) -> None:
        self.header.state = None
        self.header.showing = None
        self.step_vm = None
        self.review = None
        self.panel = None
        self.busy = False
