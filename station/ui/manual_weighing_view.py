"""Manual weight entry at the weigh step (shown only while the scale cannot weigh): the value on
a numeric pad with keys big enough for gloves, the reason from a list, then the witness's
e-signature on the on-screen keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from station.engine.api import MANUAL_REASONS

from .viewmodels.keyboard import TextBuffer
from .viewmodels.manual_weighing import ManualWeighingVM, reason_text
from .widgets import BoundField, FieldGroup, Numpad, TouchKeyboard, button, card, hbox, label, set_level


class ManualWeighView(QWidget):
    act = Signal(object)  # the engine's Weigh action, source manual
    cancel = Signal()
    paged = Signal()  # the value page or the witness page is shown now

    def __init__(self) -> None:
        super().__init__()
        self.vm: ManualWeighingVM | None = None
        self.what = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._value_page())
        self.pages.addWidget(self._witness_page())
        lay.addWidget(self.pages, 1)
        self.retranslate()

    # ------------------------------------------------------------------ the value and the reason

    def _value_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(6)
        box = card()
        bl = QVBoxLayout(box)
        self.value = label("", "huge", wrap=False, name="manual_value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bl.addWidget(self.value)
        self.why = label("", "", name="manual_why")
        reasons = QVBoxLayout()
        reasons.setSpacing(6)
        self.reasons = QButtonGroup(self)
        self.reasons.setExclusive(True)
        self.reason_buttons = {}
        for reason in MANUAL_REASONS:
            b = button("", "plain", name=f"manual_reason_{reason}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, r=reason: self._choose(r))
            self.reasons.addButton(b)
            self.reason_buttons[reason] = b
            reasons.addWidget(b)
        self.value_cancel = button("", "plain", name="manual_cancel")
        self.value_cancel.clicked.connect(self.cancel.emit)
        self.next = button("", "ok", name="manual_next")
        self.next.clicked.connect(self._next)
        left.addWidget(box)
        left.addWidget(self.why)
        left.addLayout(reasons)
        left.addStretch(1)
        buttons = hbox(self.value_cancel, spacing=12)
        buttons.addWidget(self.next, 2)
        left.addLayout(buttons)
        self.pad = Numpad(with_sign=False)
        self.pad.setObjectName("manual_pad")
        self.pad.key.connect(self._key)
        row.addLayout(left, 3)
        row.addWidget(self.pad, 2)
        return page

    # ------------------------------------------------------------------ the witness

    def _witness_page(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(6)
        self.witness_title = label("", "", name="manual_witness_title")
        self.summary = label("", "big", name="manual_summary")
        self.fields = FieldGroup(self)
        self.note = BoundField(lambda: self._buffer("note"), name="manual_note")
        self.witness = BoundField(lambda: self._buffer("witness"), name="manual_witness")
        self.password = BoundField(lambda: self._buffer("password"), name="manual_password")
        for f in (self.note, self.witness, self.password):
            self.fields.add(f)
            f.textEdited.connect(lambda _t: self._edited())
        self.password.returnPressed.connect(self._sign)
        self.sign = button("", "ok", name="manual_sign")
        self.sign.clicked.connect(self._sign)
        self.back = button("", "plain", name="manual_back")
        self.back.clicked.connect(self._back)
        self.keyboard = TouchKeyboard()
        self.keyboard.key.connect(self._type)
        col.addWidget(self.witness_title)
        col.addWidget(self.summary)
        col.addWidget(self.note)
        fields = hbox(self.back, self.witness, self.password, spacing=12)
        fields.addWidget(self.sign, 2)
        col.addLayout(fields)
        col.addWidget(self.keyboard, 1)
        col.addStretch(0)
        return page

    def _buffer(self, name: str) -> TextBuffer:
        if self.vm is None:
            return _EMPTY_SECRET if name == "password" else _EMPTY
        buffer: TextBuffer = getattr(self.vm, name)
        return buffer

    # ------------------------------------------------------------------ showing

    def bind(self, vm: ManualWeighingVM, what: str = "") -> None:
        """Show ``vm``; ``what``: the material and lot weighed, as the witness reads them."""
        fresh = vm is not self.vm
        self.vm = vm
        self.what = what
        self.refresh()
        if fresh and vm.page == "witness":
            self.fields.activate(self.witness)

    def retranslate(self) -> None:
        self.why.setText(self.tr("Entered by hand: why not from the scale?"))
        self.value_cancel.setText(self.tr("CANCEL"))
        self.next.setText(self.tr("NEXT: WITNESS  ▶"))
        self.witness_title.setText(
            self.tr("A second person (a supervisor) signs as witness of this weight entered by hand:")
        )
        self.note.setPlaceholderText(self.tr("The reason, in words"))
        self.witness.setPlaceholderText(self.tr("Witness: user id or badge"))
        self.password.setPlaceholderText(self.tr("Password"))
        self.sign.setText(self.tr("SIGN AND RECORD"))
        self.back.setText("◀")
        for reason, b in self.reason_buttons.items():
            b.setText(reason_text(reason))
        if self.vm is not None:
            self.refresh()

    def refresh(self) -> None:
        vm = self.vm
        if vm is None:
            return
        self.value.setText(f"{vm.value.text or '—'}  {vm.unit}")
        set_level(self.value, "warn" if vm.weight is not None else "off")
        for reason, b in self.reason_buttons.items():
            b.setChecked(reason == vm.reason)
        self.next.setEnabled(vm.can_continue)
        witnessing = vm.page == "witness"
        self.pages.setCurrentIndex(1 if witnessing else 0)
        self.summary.setText(vm.summary(self.what))
        self.note.setVisible(vm.needs_note)
        self.fields.refresh()
        self.sign.setEnabled(vm.can_sign)

    def _key(self, key: str) -> None:
        if self.vm is not None:
            self.vm.value.press(key)
            self.refresh()

    def _choose(self, reason: str) -> None:
        if self.vm is not None:
            self.vm.choose(reason)
            self.refresh()

    def _next(self) -> None:
        if self.vm is not None:
            self.vm.next()
            self.refresh()
            self.paged.emit()
            self.fields.activate(self.note if self.vm.needs_note else self.witness)

    def _back(self) -> None:
        if self.vm is not None:
            self.vm.back()
            self.refresh()
            self.paged.emit()

    def _type(self, key: str) -> None:
        self.fields.press(key)
        self._edited()

    def _edited(self) -> None:
        if self.vm is not None:
            self.sign.setEnabled(self.vm.can_sign)

    def _sign(self) -> None:
        if self.vm is not None and self.vm.can_sign:
            self.act.emit(self.vm.action())


_EMPTY = TextBuffer()
_EMPTY_SECRET = TextBuffer(secret=True)
