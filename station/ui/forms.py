"""Touch forms: text fields typed on the on-screen keyboard, a message line and big buttons.

Used for login, password change, starting a batch, supervisor override, deviation, hold
and resume, the QA verdict. Each form reads a view-model (``problem``, ``can_submit``); the
screen's controller (``station.ui.controllers``) turns SUBMIT into the view-model's action.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .style import repolish
from .viewmodels.keyboard import TextBuffer
from .widgets import BoundField, FieldGroup, TouchKeyboard, button, hbox, label


class FormPage(QWidget):
    submitted = Signal()
    cancelled = Signal()

    def __init__(self, name: str, *, with_cancel: bool = True, fields_per_row: int = 2) -> None:
        super().__init__()
        self.setObjectName(name)
        self.fields = FieldGroup(self)
        self._field_labels: list[tuple[QLabel, Callable[[], str]]] = []
        self._per_row = fields_per_row
        self.problem_getter: Callable[[], str] = lambda: ""
        self.message_getter: Callable[[], str] = lambda: ""
        self.enabled_getter: Callable[[], bool] = lambda: True
        self.edited: Callable[[], None] = lambda: None

        lay = QVBoxLayout(self)
        # Tight enough that a form under the batch header (title, the refusal's sentence, a row
        # of fields, a two-line message, the buttons and the keyboard) fits a 1024x768 screen.
        lay.setContentsMargins(16, 8, 16, 8)
        lay.setSpacing(6)
        self.title = label("", "title", name=f"{name}_title")
        self.info = label("", "", name=f"{name}_info")
        self.title_row = hbox(self.title, spacing=8)
        self.title_row.setStretch(0, 1)
        lay.addLayout(self.title_row)
        lay.addWidget(self.info)
        self.extra = QVBoxLayout()
        self.extra.setSpacing(8)
        lay.addLayout(self.extra)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        lay.addLayout(self.grid)
        self.message = label("", "message", name=f"{name}_message")
        self.submit_button = button("", "ok", name=f"{name}_submit")
        self.submit_button.clicked.connect(self.submitted.emit)
        self.cancel_button = button("", "plain", name=f"{name}_cancel")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.cancel_button.setVisible(with_cancel)
        lay.addWidget(self.message)
        self.buttons = hbox(None, spacing=12)
        self.buttons.setStretch(0, 1)
        self.buttons.addWidget(self.cancel_button, 1)
        self.buttons.addWidget(self.submit_button, 2)
        lay.addLayout(self.buttons)
        lay.addStretch(1)
        self.keyboard = TouchKeyboard()
        self.keyboard.key.connect(self.fields.press)
        self.fields.changed.connect(self._changed)
        lay.addWidget(self.keyboard)
        self._count = 0

    def add_field(
        self, caption: Callable[[], str], buffer: Callable[[], TextBuffer], name: str, *, span: int = 1
    ) -> BoundField:
        row, col = divmod(self._count, self._per_row)
        cap = label(caption(), "small", wrap=False)
        f = BoundField(buffer, name=name)
        f.textEdited.connect(lambda _t: self._changed())
        f.returnPressed.connect(self._enter)
        self.grid.addWidget(cap, row * 2, col, 1, span)
        self.grid.addWidget(f, row * 2 + 1, col, 1, span)
        self._field_labels.append((cap, caption))
        self.fields.add(f)
        self._count += span
        return f

    def _enter(self) -> None:
        if self.submit_button.isEnabled():
            self.submitted.emit()

    def retranslate_fields(self) -> None:
        for cap, fn in self._field_labels:
            cap.setText(fn())

    def _changed(self) -> None:
        self.edited()
        self.refresh()

    def refresh(self) -> None:
        self.fields.refresh()
        msg = self.message_getter()
        text, role = (msg, "message") if msg else (self.problem_getter(), "small")
        self.message.setText(text)
        if self.message.property("role") != role:
            self.message.setProperty("role", role)
            repolish(self.message)
        self.submit_button.setEnabled(self.enabled_getter())

    def focus_first(self) -> None:
        if self.fields.fields:
            self.fields.activate(self.fields.fields[0])

    def add_choices(
        self, names: list[tuple[str, str]], on_choice: Callable[[str], None], per_row: int = 3
    ) -> list[QPushButton]:
        grid = QGridLayout()
        grid.setSpacing(8)
        buttons = []
        for i, (key, text) in enumerate(names):
            b = button(text, "plain", name=f"choice_{key}")
            b.setCheckable(True)
            b.setAutoExclusive(True)
            b.clicked.connect(lambda _=False, key=key: on_choice(key))
            grid.addWidget(b, i // per_row, i % per_row)
            buttons.append(b)
        self.extra.addLayout(grid)
        return buttons


def row_of(*widgets: QWidget) -> QHBoxLayout:
    lay = hbox(*widgets)
    lay.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return lay
