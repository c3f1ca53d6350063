"""The step runner: the current step's view, its actions and scans, the scale's readings, the
refusal panel; and the way to the supervisor override, the deviation and the hold forms."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from station.engine.api import Action, Complete, Outcome, PrintLabel, StationState, Weigh

from ..devices import DeviceHub
from ..runner_view import RunnerPage
from ..step_views import SignatureView
from ..viewmodels.devices import ScaleReading
from ..viewmodels.forms import RefusalPanelVM
from ..viewmodels.runner import RunnerVM
from ..viewmodels.scan import ScanReading
from ..viewmodels.steps import EquipmentVM, SignatureVM, WeighVM
from .base import Controller, Router, Session


class RunnerController(Controller):
    view: RunnerPage
    with_batch = True
    override_requested = Signal(object)  # the RefusalPanelVM to override or acknowledge
    deviation_requested = Signal(object)  # the current step, or None
    hold_requested = Signal(bool)  # True: resume
    devices_changed = Signal()

    def __init__(self, session: Session, router: Router, devices: DeviceHub | None = None) -> None:
        super().__init__(session, router)
        self.vm: RunnerVM = session.runner_vm
        self.devices = devices
        self.view = RunnerPage(self.vm)
        v = self.view
        v.act.connect(lambda a: self.session.send(a, self.after_step))
        v.scale_command.connect(self._scale_command)
        v.continue_.connect(self._continue)
        v.dismiss.connect(self._dismiss)
        v.override.connect(self._override)
        v.complete.connect(lambda: self.session.send(Complete(), self.after_step))
        v.deviation.connect(lambda: self.deviation_requested.emit(self.current_step))
        v.hold.connect(lambda: self.hold_requested.emit(False))
        v.resume.connect(lambda: self.hold_requested.emit(True))
        v.home.connect(self.router.go_home)
        v.label.connect(lambda: self.session.send(PrintLabel(), self.after_step))
        v.logout.connect(lambda: self.router.logout())

    @property
    def current_step(self) -> str | None:
        batch = self.vm.batch
        return batch.current_step if batch is not None else None

    def refresh(self) -> None:
        step_vm = self.vm.step_vm
        if self.devices is not None and isinstance(step_vm, WeighVM):
            self.devices.select(step_vm.detail.scale_id)  # the scale bound at the step is read
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()
        signature = self.view.views["signature"]
        assert isinstance(signature, SignatureView)
        signature.keyboard.set_layout(language)

    def inner_views(self) -> list[QWidget]:
        stack = self.view.stack
        return [w for w in (stack.widget(i) for i in range(stack.count())) if w is not None]

    def show_every_view(self) -> None:
        """Show each step view and the panel once (see MainWindow.show_every_screen)."""
        stack = self.view.stack
        inner = stack.currentWidget()
        for j in range(stack.count()):
            stack.setCurrentIndex(j)
        self.view.panel.show()
        self.view.panel.hide()
        if inner is not None:
            stack.setCurrentWidget(inner)

    def begin(self, state: StationState) -> None:
        """A batch was just started or opened: its current step, no leftover panel or review."""
        self.vm.continue_after_review()
        self.vm.panel = None
        self.router.route(state)

    def after_step(self, action: Action, outcome: Outcome) -> None:
        self.vm.apply(action, outcome)
        if isinstance(action, Weigh) and outcome.status == "done":
            # The dispense label, where the station has a label printer.
            self.session.send(PrintLabel(action.step, after_weighing=True), self.after_step)
        if outcome.state is not None and outcome.state.user is None:
            self.router.route(outcome.state)
            return
        self.router.show_screen(self)

    def after_form(self, state: StationState | None) -> None:
        """Back from a form whose action was done: the step as the engine now has it."""
        if state is not None:
            self.vm.set_state(state)
        self.vm.panel = None
        self.router.show_screen(self)

    def scan(self, raw: str, reading: ScanReading) -> None:
        vm = self.vm
        if vm.panel is not None or vm.review is not None:
            return
        step_vm = vm.step_vm
        if isinstance(step_vm, (EquipmentVM, WeighVM)):
            self.session.send(step_vm.scan(raw, reading.plain), self.after_step)
        elif isinstance(step_vm, SignatureVM):
            step_vm.scan_badge(reading.plain)
            self.view.views["signature"].refresh()

    def _continue(self) -> None:
        self.vm.continue_after_review()
        self.router.refresh()

    def _dismiss(self) -> None:
        self.vm.dismiss_panel()
        self.router.refresh()

    def _override(self) -> None:
        panel: RefusalPanelVM | None = self.vm.panel
        if panel is not None and panel.step is not None:
            self.override_requested.emit(panel)

    # ------------------------------------------------------------------ the scale and scanner

    def connect_devices(self, devices: DeviceHub) -> None:
        status = self.vm.header.devices
        status.scale_configured = devices.scale_configured
        status.scanner_configured = devices.scanner_configured
        devices.reading.connect(self.on_reading)
        devices.scale_connection.connect(self.on_scale_connection)
        devices.scanner_connection.connect(self.on_scanner_connection)
        devices.scale_fault.connect(self.on_scale_fault)

    def on_reading(self, reading: ScaleReading | None) -> None:
        status = self.vm.header.devices
        status.reading = reading
        if reading is not None:
            status.scale_connected = True
            status.scale_fault = ""  # it weighs again
        self.vm.sync_devices()
        self.view.refresh_reading()
        self.devices_changed.emit()

    def on_scale_connection(self, connected: bool) -> None:
        status = self.vm.header.devices
        status.scale_connected = connected
        status.scale_fault = ""
        if not connected:
            status.reading = None
        self.vm.sync_devices()
        self.view.refresh_reading()
        self.devices_changed.emit()

    def on_scale_fault(self, fault: str) -> None:
        status = self.vm.header.devices
        status.scale_fault = fault
        status.reading = None
        self.vm.sync_devices()
        self.view.refresh_reading()
        self.devices_changed.emit()

    def on_scanner_connection(self, connected: bool) -> None:
        self.vm.header.devices.scanner_connected = connected
        self.devices_changed.emit()

    def _scale_command(self, command: str) -> None:
        if self.devices is None:
            return
        if command == "tare":
            self.devices.tare()
        elif command == "zero":
            self.devices.zero()
