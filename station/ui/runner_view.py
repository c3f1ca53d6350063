"""The step runner: the current step's view, the refusal panel over it, the batch's end states
and the bar of batch actions (deviation, hold, batches, logout)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from .step_views import (
    CheckView,
    EquipmentView,
    InstructionView,
    MeasureView,
    SignatureView,
    StepView,
    WeighView,
)
from .style import repolish
from .viewmodels.forms import RefusalPanelVM
from .viewmodels.runner import RunnerVM
from .widgets import button, card, hbox, label


class PanelView(QWidget):
    """A refusal, or a value recorded with a deviation: what to do next, the engine's sentence as
    the detail, the reason code."""

    override = Signal()
    dismiss = Signal()

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 12, 24, 12)
        self.frame = card("panel_refused")
        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        self.title = label("", "huge", name="panel_title")
        self.body = label("", "big", name="panel_body")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.title)
        lay.addWidget(self.body, 1)
        outer.addWidget(self.frame, 1)
        self.override_button = button("", "warn", name="panel_override")
        self.override_button.clicked.connect(self.override.emit)
        self.ok_button = button("", "", name="panel_ok")
        self.ok_button.clicked.connect(self.dismiss.emit)
        outer.addLayout(hbox(self.override_button, self.ok_button, spacing=16))
        self.vm: RefusalPanelVM | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.ok_button.setText(self.tr("OK, BACK TO THE STEP"))

    def show_panel(self, vm: RefusalPanelVM) -> None:
        self.vm = vm
        name = "panel_deviation" if vm.status == "deviation" else "panel_refused"
        if self.frame.objectName() != name:
            self.frame.setObjectName(name)
            repolish(self.frame)
        self.title.setText(vm.title)
        parts = []
        lines = vm.lines
        # The message is the engine's (English) sentence of the first refusal, or another one.
        sentences = {line.sentence for line in lines} | {r.sentence for r in vm.refusals}
        if vm.status == "deviation" and vm.message and vm.message not in sentences:
            parts.append(f"<p><b>{escape(vm.message)}</b></p>")
        todo_word, code_word = escape(self.tr("What to do")), escape(self.tr("Reason code"))
        for line in lines:
            # What to do, in the station's language, first; the engine's own sentence (which
            # names the lot, the scale, the SOP) is the detail under it.
            if line.what_next:
                parts.append(f"<p><b>{todo_word}: {escape(line.what_next)}</b></p>")
            if line.sentence:
                parts.append(f"<p>{escape(line.sentence)}</p>")
            if line.code:
                parts.append(f"<p>{code_word}: <tt>{escape(line.code)}</tt></p>")
        if vm.overridable:
            if vm.decides:
                hint = self.tr(
                    "A supervisor (not who answered) decides with an e-signature and a reason: "
                    "continue, repeat the check, or hold the batch."
                )
            elif vm.can_acknowledge:
                hint = self.tr(
                    "A supervisor must acknowledge this deviation with an e-signature and a reason."
                )
            else:
                hint = self.tr(
                    "A supervisor may override this with an e-signature and a reason; a deviation is opened."
                )
            parts.append(f"<p>{escape(hint)}</p>")
        self.body.setText("".join(parts))
        self.override_button.setText(vm.override_label)
        self.override_button.setVisible(vm.overridable)


class MessageView(QWidget):
    """The batch's end states and the hold: one sentence and one big button."""

    pressed = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        self.text = label("", "huge", name=f"{name}_text")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = button("", "ok", name=f"{name}_button")
        self.button.clicked.connect(self.pressed.emit)
        lay.addStretch(1)
        lay.addWidget(self.text)
        lay.addStretch(1)
        lay.addWidget(self.button)


class RunnerPage(QWidget):
    act = Signal(object)
    scanned = Signal(str)
    scale_command = Signal(str)
    continue_ = Signal()
    override = Signal()
    dismiss = Signal()
    complete = Signal()
    deviation = Signal()
    hold = Signal()
    resume = Signal()
    label = Signal()
    home = Signal()
    logout = Signal()

    def __init__(self, vm: RunnerVM) -> None:
        super().__init__()
        self.setObjectName("runner")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 8)
        lay.setSpacing(6)
        self.stack = QStackedWidget()
        self.views: dict[str, StepView] = {
            "instruction": InstructionView(),
            "check": CheckView(),
            "measure": MeasureView(),
            "equipment": EquipmentView(),
            "weigh": WeighView(),
            "signature": SignatureView(),
        }
        for v in self.views.values():
            v.act.connect(self.act.emit)
            self.stack.addWidget(v)
        eq = self.views["equipment"]
        assert isinstance(eq, EquipmentView)
        eq.scanned.connect(self.scanned.emit)
        eq.continue_.connect(self.continue_.emit)
        wv = self.views["weigh"]
        assert isinstance(wv, WeighView)
        wv.scanned.connect(self.scanned.emit)
        wv.command.connect(self.scale_command.emit)
        sv = self.views["signature"]
        assert isinstance(sv, SignatureView)
        sv.continue_.connect(self.continue_.emit)
        # The refusal panel lies over the step view (showing it is cheaper than swapping pages).
        self.panel = PanelView()
        self.panel.setParent(self)
        self.panel.setObjectName("panel_overlay")
        self.panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.panel.setAutoFillBackground(True)
        self.panel.hide()
        self.panel.override.connect(self.override.emit)
        self.panel.dismiss.connect(self.dismiss.emit)
        self.done_view = MessageView("completed")
        self.done_view.pressed.connect(self.home.emit)
        self.ready_view = MessageView("ready")
        self.ready_view.pressed.connect(self.complete.emit)
        self.hold_view = MessageView("on_hold")
        self.hold_view.pressed.connect(self.resume.emit)
        self.empty_view = MessageView("nostep")
        self.empty_view.pressed.connect(self.home.emit)
        for end in (self.done_view, self.ready_view, self.hold_view, self.empty_view):
            self.stack.addWidget(end)
        lay.addWidget(self.stack, 1)
        self.dev_button = button("", "warn", name="runner_deviation")
        self.hold_button = button("", "plain", name="runner_hold")
        self.label_button = button("", "plain", name="runner_label")
        self.home_button = button("", "plain", name="runner_home")
        self.logout_button = button("", "plain", name="runner_logout")
        self.dev_button.clicked.connect(self.deviation.emit)
        self.hold_button.clicked.connect(self._hold_or_resume)
        self.label_button.clicked.connect(self.label.emit)
        self.home_button.clicked.connect(self.home.emit)
        self.logout_button.clicked.connect(self.logout.emit)
        bar = hbox(
            self.dev_button,
            self.hold_button,
            self.label_button,
            self.home_button,
            self.logout_button,
            spacing=10,
        )
        bar.setContentsMargins(12, 0, 12, 0)
        lay.addLayout(bar)
        self.retranslate()

    def retranslate(self) -> None:
        for v in self.views.values():
            v.retranslate()
        self.panel.retranslate()
        self.dev_button.setText(self.tr("DEVIATION"))
        self.label_button.setText(self.tr("LABEL"))
        self.home_button.setText(self.tr("BATCHES"))
        self.logout_button.setText(self.tr("LOG OUT"))
        self.done_view.button.setText(self.tr("BACK TO THE BATCHES"))
        self.ready_view.button.setText(self.tr("COMPLETE THE BATCH"))
        self.hold_view.button.setText(self.tr("RESUME THE BATCH"))
        self.empty_view.button.setText(self.tr("BACK TO THE BATCHES"))

    def _hold_or_resume(self) -> None:
        b = self.vm.batch
        if b is not None and b.status == "on_hold":
            self.resume.emit()
        else:
            self.hold.emit()

    def refresh(self) -> None:
        vm = self.vm
        b = vm.batch
        on_hold = b is not None and b.status == "on_hold"
        self.hold_button.setText(self.tr("RESUME") if on_hold else self.tr("HOLD"))
        self.hold_button.setEnabled(b is not None and b.status != "completed")
        self.dev_button.setEnabled(b is not None and b.status != "completed")
        # A label (or a reprint) of the latest accepted weighing.
        self.label_button.setEnabled(
            b is not None and any(s.kind == "weigh" and s.status == "done" for s in b.steps)
        )
        if vm.panel is not None:
            self.panel.show_panel(vm.panel)
            self.panel.setGeometry(self.stack.geometry())
            self.panel.raise_()
            self.panel.show()
            return
        if self.panel.isVisible():
            self.panel.hide()
        mode = vm.mode
        if mode in ("step", "review") and vm.shown is not None:
            shown = vm.shown
            view = self.views.get(shown.kind)
            if view is not None:
                view.bind(shown, review=mode == "review")
                self.stack.setCurrentWidget(view)
                return
        if mode == "completed":
            self.done_view.text.setText(
                self.tr("Batch %1 is completed.").replace("%1", b.batch_id if b else "")
            )
            self.stack.setCurrentWidget(self.done_view)
        elif mode == "ready_to_complete":
            self.ready_view.text.setText(
                self.tr("All steps are done. Complete the batch to close its record.")
            )
            self.ready_view.button.setEnabled(vm.can("complete"))
            self.stack.setCurrentWidget(self.ready_view)
        elif mode == "on_hold":
            self.hold_view.text.setText(
                self.tr("Batch %1 is ON HOLD.").replace("%1", b.batch_id if b else "")
            )
            self.stack.setCurrentWidget(self.hold_view)
        else:
            self.empty_view.text.setText(self.tr("This step cannot be shown on this station."))
            self.stack.setCurrentWidget(self.empty_view)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.panel.setGeometry(self.stack.geometry())

    @property
    def panel_shown(self) -> bool:
        return self.panel.isVisible()

    def refresh_reading(self) -> None:
        wv = self.views["weigh"]
        if self.stack.currentWidget() is wv and isinstance(wv, WeighView) and not self.panel.isVisible():
            wv.refresh_reading()
