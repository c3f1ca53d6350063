"""One view per step kind: instruction, check, measure, equipment, weigh and signature."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .manual_weighing_view import ManualWeighView
from .viewmodels.keyboard import TextBuffer
from .viewmodels.steps import CheckVM, EquipmentVM, InstructionVM, MeasureVM, SignatureVM, StepVM, WeighVM
from .viewmodels.text import fmt
from .widgets import (
    BoundField,
    FieldGroup,
    Gauge,
    Numpad,
    TouchKeyboard,
    button,
    card,
    forward_key,
    hbox,
    label,
    set_level,
)


class ScanField(QLineEdit):
    """Where a keyboard-wedge scanner (or a person with a keyboard) enters a code."""

    scanned = Signal(str)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.returnPressed.connect(self._done)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not forward_key(self, event):
            super().keyPressEvent(event)

    def _done(self) -> None:
        text = self.text().strip()
        self.clear()
        if text:
            self.scanned.emit(text)


class StepView(QWidget):
    act = Signal(object)  # an engine action built by the view-model

    def __init__(self) -> None:
        super().__init__()
        self.vm: StepVM | None = None
        self.review = False

    def bind(self, vm: StepVM, review: bool) -> None:
        self.vm = vm
        self.review = review
        self.refresh()

    def refresh(self) -> None:
        pass

    def retranslate(self) -> None:
        pass


class InstructionView(StepView):
    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        self.text = label("", "big", name="instruction_text")
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.confirm = button("", "ok", name="instruction_confirm")
        self.confirm.setProperty("kind", "ok")
        self.confirm.clicked.connect(self._confirm)
        lay.addWidget(self.text, 2)
        lay.addWidget(self.image, 3)
        lay.addWidget(self.confirm)

    def refresh(self) -> None:
        vm = self.vm
        assert isinstance(vm, InstructionVM)
        self.text.setText(vm.text)
        self.confirm.setText("✔  " + vm.confirm_label)
        pix = QPixmap(vm.image) if vm.image and Path(vm.image).exists() else None
        self.image.setVisible(pix is not None and not pix.isNull())
        if pix is not None and not pix.isNull():
            self.image.setPixmap(pix.scaled(640, 360, Qt.AspectRatioMode.KeepAspectRatio))

    def _confirm(self) -> None:
        if isinstance(self.vm, InstructionVM):
            self.act.emit(self.vm.action())


class CheckView(StepView):
    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        self.question = label("", "huge", name="check_question")
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.yes = button("", "ok", name="check_yes")
        self.no = button("", "bad", name="check_no")
        for b in (self.yes, self.no):
            b.setProperty("emphasis", "huge")  # not "size": QWidget has a size property
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        lay.addWidget(self.question, 2)
        lay.addLayout(hbox(self.yes, self.no, spacing=40), 2)
        self.retranslate()

    def retranslate(self) -> None:
        self.yes.setText(self.tr("YES"))
        self.no.setText(self.tr("NO"))

    def refresh(self) -> None:
        assert isinstance(self.vm, CheckVM)
        self.question.setText(self.vm.question)

    def _answer(self, value: bool) -> None:
        if isinstance(self.vm, CheckVM):
            self.act.emit(self.vm.action(value))


class MeasureView(StepView):
    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 12, 24, 12)
        lay.setSpacing(24)
        left = QVBoxLayout()
        self.name = label("", "title", name="measure_name")
        self.limits = label("", "big", name="measure_limits")
        box = card()
        bl = QVBoxLayout(box)
        self.value = label("", "huge", wrap=False, name="measure_value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.value.setMinimumHeight(80)
        bl.addWidget(self.value)
        self.state = label("", "", name="measure_state")
        self.record = button("", "ok", name="measure_record")
        self.record.clicked.connect(self._record)
        left.addWidget(self.name)
        left.addWidget(self.limits)
        left.addWidget(box)
        left.addWidget(self.state)
        left.addStretch(1)
        left.addWidget(self.record)
        self.pad = Numpad()
        self.pad.key.connect(self._key)
        lay.addLayout(left, 3)
        lay.addWidget(self.pad, 2)
        self.retranslate()

    def retranslate(self) -> None:
        self.record.setText(self.tr("RECORD VALUE"))

    def refresh(self) -> None:
        vm = self.vm
        assert isinstance(vm, MeasureVM)
        self.name.setText(vm.name)
        self.limits.setText(vm.limits_text)
        self.value.setText(f"{vm.buffer.text or '—'}  {vm.unit}")
        level = {"in": "ok", "out": "bad", "empty": "off"}[vm.state]
        set_level(self.value, level)
        self.state.setText(vm.state_text)
        self.record.setEnabled(vm.state != "empty")

    def _key(self, key: str) -> None:
        if isinstance(self.vm, MeasureVM):
            self.vm.buffer.press(key)
            self.refresh()

    def _record(self) -> None:
        if isinstance(self.vm, MeasureVM) and self.vm.value is not None:
            self.act.emit(self.vm.action())


class EquipmentView(StepView):
    scanned = Signal(str)
    continue_ = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 12, 24, 12)
        self.prompt = label("", "title", name="equipment_prompt")
        self.scan = ScanField("equipment_scan")
        self.scan.scanned.connect(self.scanned.emit)
        self.bound = label("", "big", name="equipment_bound")
        self.problem = label("", "message", name="equipment_problem")
        grid_card = card()
        self.grid = QGridLayout(grid_card)
        self.grid.setVerticalSpacing(8)
        self.rows: list[tuple[QLabel, QLabel, QLabel]] = []
        for i in range(4):
            name, value, state = (
                label("", "big", wrap=False),
                label("", "big", wrap=False),
                label("", "", wrap=False),
            )
            state.setAlignment(Qt.AlignmentFlag.AlignCenter)
            state.setMinimumWidth(160)
            state.setObjectName(f"equipment_check_{i}")
            self.grid.addWidget(name, i, 0)
            self.grid.addWidget(value, i, 1)
            self.grid.addWidget(state, i, 2)
            self.rows.append((name, value, state))
        self.grid.setColumnStretch(1, 1)
        self.next = button("", "ok", name="equipment_continue")
        self.next.clicked.connect(self.continue_.emit)
        lay.addWidget(self.prompt)
        lay.addWidget(self.scan)
        lay.addWidget(self.bound)
        lay.addWidget(self.problem)
        lay.addWidget(grid_card)
        lay.addStretch(1)
        lay.addWidget(self.next)
        self.retranslate()

    def retranslate(self) -> None:
        self.scan.setPlaceholderText(self.tr("Scan the equipment label (or type its id and press Enter)"))
        self.next.setText(self.tr("CONTINUE  ▶"))

    def refresh(self) -> None:
        vm = self.vm
        assert isinstance(vm, EquipmentVM)
        self.prompt.setText(self.tr("Scan the equipment: %1").replace("%1", vm.equipment_class))
        self.scan.setVisible(not self.review)
        bound = vm.bound_id
        self.bound.setText(f"{bound}  {vm.bound_name}".strip() if bound else "")
        self.problem.setText(vm.other_problem)
        self.problem.setVisible(bool(vm.other_problem))
        checks = vm.checks()
        for i, (name, value, state) in enumerate(self.rows):
            if i < len(checks):
                c = checks[i]
                name.setText(c.label)
                value.setText(c.value)
                state.setText(
                    {True: self.tr("OK"), False: self.tr("NOT OK"), None: self.tr("not checked")}[c.ok]
                )
                set_level(state, {True: "ok", False: "bad", None: "off"}[c.ok])
            for w in (name, value, state):
                w.setVisible(i < len(checks))
        self.next.setVisible(self.review)
        if not self.review:
            self.scan.setFocus()


class WeighView(StepView):
    scanned = Signal(str)
    command = Signal(str)  # "tare" | "zero"

    def __init__(self) -> None:
        super().__init__()
        lay = self.box = QVBoxLayout(self)
        lay.setContentsMargins(24, 10, 24, 10)
        lay.setSpacing(8)
        self.material = label("", "title", name="weigh_material")
        self.target = label("", "big", name="weigh_target")
        self.lot = label("", "big", name="weigh_lot")
        lay.addWidget(self.material)
        lay.addLayout(hbox(self.target, self.lot))
        self.phases = QStackedWidget()
        # phase 1: scan the lot
        scan_page = QWidget()
        sl = QVBoxLayout(scan_page)
        sl.setContentsMargins(0, 0, 0, 0)
        self.scan_prompt = label("", "title", name="weigh_scan_prompt")
        self.scan = ScanField("weigh_scan")
        self.scan.scanned.connect(self.scanned.emit)
        sl.addWidget(self.scan_prompt)
        sl.addWidget(self.scan)
        sl.addStretch(1)
        # phase 2: the live weighing
        weigh_page = QWidget()
        wl = QVBoxLayout(weigh_page)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.setSpacing(6)
        self.gauge = Gauge()
        self.gauge.setObjectName("weigh_gauge")
        self.net = label("", "huge", wrap=False, name="weigh_net")
        self.net.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.gross_tare = label("", "big", wrap=False, name="weigh_gross_tare")
        self.state = label("", "big", name="weigh_state")
        wl.addWidget(self.gauge, 2)
        wl.addLayout(hbox(self.gross_tare, None, self.net))
        wl.addWidget(self.state)
        # phase 3: the weight entered by hand, while the scale cannot weigh
        self.manual_view = ManualWeighView()
        self.manual_view.act.connect(self.act.emit)
        self.manual_view.cancel.connect(self._cancel_manual)
        self.manual_view.paged.connect(self.refresh)
        self.phases.addWidget(scan_page)
        self.phases.addWidget(weigh_page)
        self.phases.addWidget(self.manual_view)
        lay.addWidget(self.phases, 1)
        self.tare = button("", "plain", name="weigh_tare")
        self.zero = button("", "plain", name="weigh_zero")
        self.manual = button("", "warn", name="weigh_manual")
        self.accept = button("", "ok", name="weigh_accept")
        self.tare.clicked.connect(lambda: self.command.emit("tare"))
        self.zero.clicked.connect(lambda: self.command.emit("zero"))
        self.manual.clicked.connect(self._start_manual)
        self.accept.clicked.connect(self._accept)
        self.buttons = QWidget()
        buttons = hbox(self.tare, self.zero, self.manual, spacing=12)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.accept, 2)
        self.buttons.setLayout(buttons)
        lay.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.tare.setText(self.tr("TARE"))
        self.zero.setText(self.tr("ZERO"))
        self.accept.setText(self.tr("ACCEPT"))
        self.manual.setText(self.tr("ENTER BY HAND"))
        self.scan.setPlaceholderText(self.tr("Scan the lot label (GS1)"))
        self.manual_view.retranslate()

    def refresh(self) -> None:
        vm = self.vm
        assert isinstance(vm, WeighVM)
        self.material.setText(f"{vm.material}  {vm.material_name}")
        self.target.setText(vm.target_text)
        self.lot.setText(self.tr("Lot %1").replace("%1", vm.lot) if vm.lot else "")
        self.scan_prompt.setText(
            self.tr("Scan the label of the lot of %1.").replace("%1", vm.material_name or vm.material)
        )
        weighing = vm.phase == "weigh"
        if weighing and vm.manual is not None:
            lot = self.tr("Lot %1").replace("%1", vm.lot)
            self.manual_view.bind(vm.manual, f"{vm.material} {vm.material_name}  ·  {lot}")
        # The witness page needs the room of the keyboard: what is signed is in its summary.
        witnessing = weighing and vm.manual is not None and vm.manual.page == "witness"
        changed = self.material.isVisibleTo(self) == witnessing
        if changed:
            for header in (self.material, self.target, self.lot):
                header.setVisible(not witnessing)
        self.phases.setCurrentIndex(2 if weighing and vm.manual is not None else 1 if weighing else 0)
        if self.buttons.isVisibleTo(self) != (vm.manual is None):
            self.buttons.setVisible(vm.manual is None)
            changed = True
        if changed:  # laid out now, not at the next paint: the pages take the room at once
            self.box.activate()
        # The buttons stay where they are, disabled until the lot is scanned: showing a widget
        # costs the GUI thread milliseconds of layout at every step.
        if not weighing:
            self.scan.setFocus()
        self.refresh_reading()

    def refresh_reading(self) -> None:
        vm = self.vm
        if not isinstance(vm, WeighVM):
            return
        r = vm.reading
        net_word, gross_word, tare_word = self.tr("Net"), self.tr("Gross"), self.tr("Tare")
        if r is not None and vm.connected:
            self.net.setText(f"{net_word} {fmt(r.net)} {r.unit}")
            sep = "   ·   "
            text = f"{gross_word} {fmt(r.gross)} {r.unit}{sep}{tare_word} {fmt(r.tare)} {r.unit}"
            self.gross_tare.setText(text if r.stable else text + sep + "~")
        else:
            self.net.setText(f"{net_word} — {vm.unit}")
            self.gross_tare.setText("")
        level = vm.level
        set_level(self.state, level)
        code = vm.reason_code
        self.state.setText(vm.state_text + (f"  [{code}]" if code else ""))
        self.gauge.set_values(vm.gauge(), level)
        weighing = vm.phase == "weigh"
        self.accept.setEnabled(weighing and vm.accept_enabled)
        for b in (self.tare, self.zero):
            b.setEnabled(weighing and vm.connected)
        # Offered while the scale cannot weigh, never while it can.
        offered = weighing and vm.manual is None and vm.manual_offered
        if self.manual.isVisibleTo(self) != offered:
            self.manual.setVisible(offered)

    def _start_manual(self) -> None:
        if isinstance(self.vm, WeighVM):
            self.vm.start_manual()
            self.refresh()

    def _cancel_manual(self) -> None:
        if isinstance(self.vm, WeighVM):
            self.vm.cancel_manual()
            self.refresh()

    def _accept(self) -> None:
        if isinstance(self.vm, WeighVM) and self.vm.accept_enabled:
            self.act.emit(self.vm.action())


class SignatureView(StepView):
    continue_ = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 10, 24, 10)
        lay.setSpacing(8)
        self.meaning = label("", "title", name="signature_meaning")
        self.role = label("", "", name="signature_role")
        self.signed = label("", "big", name="signature_signed")
        self.fields = FieldGroup(self)
        self.user = BoundField(self._user_buffer, name="signature_user")
        self.password = BoundField(self._password_buffer, name="signature_password")
        self.user.textEdited.connect(lambda _t: self._edited())
        self.password.textEdited.connect(lambda _t: self._edited())
        self.password.returnPressed.connect(self._sign)
        self.fields.add(self.user)
        self.fields.add(self.password)
        self.sign = button("", "ok", name="signature_sign")
        self.sign.clicked.connect(self._sign)
        self.message = label("", "message", name="signature_message")
        self.next = button("", "ok", name="signature_continue")
        self.next.clicked.connect(self.continue_.emit)
        self.keyboard = TouchKeyboard()
        self.keyboard.key.connect(self._key)
        self.form = QWidget()
        fl = QVBoxLayout(self.form)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addLayout(hbox(self.user, self.password, self.sign, spacing=12))
        fl.addWidget(self.message)
        fl.addStretch(1)
        fl.addWidget(self.keyboard)
        self.signed.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.meaning)
        lay.addWidget(self.role)
        lay.addWidget(self.signed, 1)  # shown instead of the form: takes its room, text at the top
        lay.addWidget(self.form, 1)
        lay.addWidget(self.next)
        self.retranslate()

    def _vm(self) -> SignatureVM:
        assert isinstance(self.vm, SignatureVM)
        return self.vm

    def _user_buffer(self) -> TextBuffer:
        return self._vm().user if isinstance(self.vm, SignatureVM) else _EMPTY

    def _password_buffer(self) -> TextBuffer:
        return self._vm().password if isinstance(self.vm, SignatureVM) else _EMPTY_SECRET

    def retranslate(self) -> None:
        self.user.setPlaceholderText(self.tr("Signer: user id or badge"))
        self.password.setPlaceholderText(self.tr("Password"))
        self.sign.setText(self.tr("SIGN"))
        self.next.setText(self.tr("CONTINUE  ▶"))

    def _edited(self) -> None:
        vm = self._vm()
        vm.badge = None if self.user.text() != (vm.badge or "") else vm.badge
        self.sign.setEnabled(vm.can_submit)

    def _key(self, key: str) -> None:
        self.fields.press(key)
        self._edited()

    def refresh(self) -> None:
        vm = self._vm()
        self.meaning.setText(self.tr("Meaning of this signature: %1").replace("%1", vm.meaning))
        self.role.setText(vm.role_text)
        signed = vm.signed
        if signed and self.review:
            name, uid, at = signed
            text = self.tr("Signed by %1 (%2) at %3") if at else self.tr("Signed by %1 (%2)")
            self.signed.setText(text.replace("%1", name).replace("%2", uid).replace("%3", at))
        else:
            self.signed.setText("")
        self.signed.setVisible(bool(signed and self.review))
        self.form.setVisible(not self.review)
        self.next.setVisible(self.review)
        if vm.badge:
            self.user.setText(vm.badge)
        self.fields.refresh()
        if vm.badge:
            self.user.setText(vm.badge)
        self.message.setText(vm.message)
        self.message.setVisible(bool(vm.message))
        self.sign.setEnabled(vm.can_submit)
        if not self.review:
            self.fields.activate(self.password if vm.focus == "password" else self.user)

    def _sign(self) -> None:
        vm = self._vm()
        if vm.can_submit:
            self.act.emit(vm.action())


_EMPTY = TextBuffer()
_EMPTY_SECRET = TextBuffer(secret=True)
