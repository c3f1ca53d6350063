"""Reusable touch widgets: buttons, labels, bound text fields, keyboard, numpad, gauge, header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .style import repolish
from .viewmodels.keyboard import TextBuffer
from .viewmodels.runner import HeaderVM


def button(text: str, kind: str = "", *, name: str = "", focus: bool = False) -> QPushButton:
    b = QPushButton(text)
    if kind:
        b.setProperty("kind", kind)
    if name:
        b.setObjectName(name)
    if not focus:
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return b


def label(text: str = "", role: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    w = QLabel(text)
    if role:
        w.setProperty("role", role)
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    w.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return w


def set_level(widget: QWidget, level: str) -> None:
    if widget.property("level") != level:
        widget.setProperty("level", level)
        repolish(widget)


def set_kind(widget: QWidget, kind: str) -> None:
    if widget.property("kind") != kind:
        widget.setProperty("kind", kind)
        repolish(widget)


def card(name: str = "card") -> QFrame:
    f = QFrame()
    f.setObjectName(name)
    return f


class BoundField(QLineEdit):
    """A text field whose content lives in a view-model's TextBuffer."""

    activated = Signal(object)  # emitted with itself when it gets the focus or is tapped

    def __init__(
        self, buffer_getter: Callable[[], TextBuffer], placeholder: str = "", name: str = ""
    ) -> None:
        super().__init__()
        self._get = buffer_getter
        self.setPlaceholderText(placeholder)
        if name:
            self.setObjectName(name)
        self.textEdited.connect(self._edited)
        self.refresh()

    @property
    def buffer(self) -> TextBuffer:
        return self._get()

    def _edited(self, text: str) -> None:
        self.buffer.set(text)

    def refresh(self) -> None:
        buf = self.buffer
        self.setEchoMode(QLineEdit.EchoMode.Password if buf.secret else QLineEdit.EchoMode.Normal)
        if self.text() != buf.text:
            self.setText(buf.text)

    def press(self, key: str) -> None:
        self.buffer.press(key)
        self.refresh()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.activated.emit(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self.activated.emit(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not forward_key(self, event):
            super().keyPressEvent(event)


class FieldGroup(QObject):
    """Tracks which bound field of a page the on-screen keyboard types into."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields: list[BoundField] = []
        self.active: BoundField | None = None

    def add(self, field: BoundField) -> BoundField:
        self.fields.append(field)
        field.activated.connect(self.activate)
        if self.active is None:
            self.active = field
        return field

    def activate(self, field: BoundField) -> None:
        self.active = field
        if not field.hasFocus():
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def press(self, key: str) -> None:
        if self.active is not None:
            self.active.press(key)
            self.changed.emit()

    def refresh(self) -> None:
        for f in self.fields:
            f.refresh()


class TouchKeyboard(QWidget):
    """An on-screen keyboard; keys never take the focus from the field being typed into."""

    key = Signal(str)
    enter = Signal()

    LETTERS = {
        "en": ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm._"),
        "de": ("1234567890", "qwertzuiop", "asdfghjkl-", "yxcvbnm._"),
    }
    SYMBOLS = ("!@#$%&*()=", "+/\\?:;'\"<>", "[]{}~^|,`€", "äöüß§°._")

    def __init__(self, layout: str = "en", *, with_enter: bool = False) -> None:
        super().__init__()
        self._layout = layout
        self._shift = False
        self._symbols = False
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self._keys: list[QPushButton] = []
        for r in range(4):
            for c in range(10):
                b = button("", "key")
                b.setAutoRepeat(False)
                b.clicked.connect(lambda _=False, b=b: self._char(b))
                self._grid.addWidget(b, r, c)
                self._keys.append(b)
        self.shift_button = button("⇧", "key")
        self.shift_button.setCheckable(True)
        self.shift_button.toggled.connect(self._toggle_shift)
        self.sym_button = button("#+=", "key")
        self.sym_button.setCheckable(True)
        self.sym_button.toggled.connect(self._toggle_symbols)
        self.space_button = button("␣", "key")
        self.space_button.clicked.connect(lambda: self.key.emit(" "))
        self.back_button = button("⌫", "key", name="key_backspace")
        self.back_button.clicked.connect(lambda: self.key.emit("BACKSPACE"))
        self._grid.addWidget(self.shift_button, 3, 8)
        self._grid.addWidget(self.back_button, 3, 9)
        self._grid.addWidget(self.sym_button, 4, 0, 1, 2)
        self._grid.addWidget(self.space_button, 4, 2, 1, 6 if with_enter else 8)
        self.enter_button: QPushButton | None = None
        if with_enter:
            self.enter_button = button("↵", "key")
            self.enter_button.clicked.connect(self.enter.emit)
            self._grid.addWidget(self.enter_button, 4, 8, 1, 2)
        self._relabel()

    def set_layout(self, layout: str) -> None:
        self._layout = layout if layout in self.LETTERS else "en"
        self._relabel()

    def _rows(self) -> tuple[str, ...]:
        return self.SYMBOLS if self._symbols else self.LETTERS[self._layout]

    def _relabel(self) -> None:
        rows = self._rows()
        for r in range(4):
            chars = rows[r]
            for c in range(10):
                b = self._keys[r * 10 + c]
                if r == 3 and c >= 8:
                    b.hide()
                    continue
                ch = chars[c] if c < len(chars) else ""
                if self._shift and not self._symbols:
                    ch = ch.upper()
                b.setText(ch.replace("&", "&&"))
                b.setProperty("char", ch)
                b.setObjectName(f"key_{ch}" if ch.isalnum() else "")
                b.setVisible(bool(ch))

    def _char(self, b: QPushButton) -> None:
        ch = b.property("char")
        if ch:
            self.key.emit(ch)
            if self._shift:
                self.shift_button.setChecked(False)

    def _toggle_shift(self, on: bool) -> None:
        self._shift = on
        self._relabel()

    def _toggle_symbols(self, on: bool) -> None:
        self._symbols = on
        self._relabel()

    def type_text(self, text: str) -> None:
        """Emit the keys for a text (used by the demo and the tests as if tapped)."""
        for ch in text:
            self.key.emit(ch)


class Numpad(QWidget):
    key = Signal(str)

    def __init__(self, *, with_sign: bool = True) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        rows = [["7", "8", "9"], ["4", "5", "6"], ["1", "2", "3"], ["SIGN" if with_sign else "", "0", "."]]
        for r, row in enumerate(rows):
            for c, k in enumerate(row):
                if not k:
                    continue
                b = button(
                    {"SIGN": "±"}.get(k, k), "key", name=f"num_{ {'.': 'dot', 'SIGN': 'sign'}.get(k, k) }"
                )
                b.clicked.connect(lambda _=False, k=k: self.key.emit(k))
                grid.addWidget(b, r, c)
        back = button("⌫", "key", name="num_back")
        back.clicked.connect(lambda: self.key.emit("BACKSPACE"))
        clear = button("C", "key", name="num_clear")
        clear.clicked.connect(lambda: self.key.emit("CLEAR"))
        grid.addWidget(back, 0, 3, 2, 1)
        grid.addWidget(clear, 2, 3, 2, 1)
        for r in range(4):
            grid.setRowStretch(r, 1)


class Gauge(QWidget):
    """A horizontal weight gauge: the tolerance band, the target mark and the net reading."""

    COLORS = {"ok": "#0A6E28", "warn": "#C99700", "bad": "#B00020", "info": "#0B4F9C"}

    def __init__(self) -> None:
        super().__init__()
        self.values = {"low": -1.0, "target": -1.0, "high": -1.0, "net": -1.0}
        self.level = "info"
        self.setMinimumHeight(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def set_values(self, values: dict[str, float], level: str) -> None:
        if values != self.values or level != self.level:
            self.values = dict(values)
            self.level = level
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor("#F4F5F7"))
        v = self.values
        fine = "fine_net" in v
        coarse_h = h * (0.38 if fine else 0.8)
        self._bar(p, QRectF(8, h * 0.04, w - 16, coarse_h), v["low"], v["target"], v["high"], v["net"])
        if fine:
            self._bar(
                p,
                QRectF(8, h * 0.5, w - 16, h * 0.46),
                v["fine_low"],
                v["fine_target"],
                v["fine_high"],
                v["fine_net"],
            )
        p.end()

    def _bar(self, p: QPainter, bar: QRectF, low: float, target: float, high: float, net: float) -> None:
        p.setPen(QPen(QColor("#5A5F66"), 2))
        p.setBrush(QColor("#FFFFFF"))
        p.drawRoundedRect(bar, 6, 6)
        if low >= 0 and high >= 0:
            band = QRectF(
                bar.left() + bar.width() * low, bar.top(), max(bar.width() * (high - low), 4), bar.height()
            )
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#BFE5C8"))
            p.drawRect(band)
        if net >= 0:
            fill = QRectF(bar.left(), bar.top() + bar.height() * 0.3, bar.width() * net, bar.height() * 0.4)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(self.COLORS.get(self.level, "#0B4F9C")))
            p.drawRect(fill)
        if target >= 0:
            x = bar.left() + bar.width() * target
            p.setPen(QPen(QColor("#000000"), 4))
            p.drawLine(int(x), int(bar.top() - 2), int(x), int(bar.bottom() + 2))


class Header(QFrame):
    """Batch, product, recipe, operation and step, user, clock, devices and open deviations."""

    def __init__(self, vm: HeaderVM) -> None:
        super().__init__()
        self.vm = vm
        self.setObjectName("header")
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 6, 12, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.batch_label = label("", "headline", wrap=False, name="header_batch")
        self.clock_label = label("", "title", wrap=False, name="header_clock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.step_label = label("", "title", wrap=False, name="header_step")
        self.step_label.setMinimumWidth(1)
        self.user_label = label("", "", wrap=False, name="header_user")
        self.user_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.scale_label = label("", "", wrap=False, name="header_scale")
        self.scanner_label = label("", "", wrap=False, name="header_scanner")
        self.dev_label = label("", "", wrap=False, name="header_deviations")
        # The sync with the central hub: in sync, what is unsent and how old, or an alarm.
        self.sync_label = label("", "", wrap=False, name="header_sync")
        self.sync_label.setVisible(False)
        for w in (self.batch_label, self.step_label):
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.batch_label, 0, 0, 1, 3)
        grid.addWidget(self.clock_label, 0, 3)
        grid.addWidget(self.step_label, 1, 0, 1, 3)
        grid.addWidget(self.user_label, 1, 3)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.scale_label)
        row.addWidget(self.scanner_label)
        row.addWidget(self.dev_label)
        row.addStretch(1)
        grid.addLayout(row, 2, 0, 1, 4)
        # a band of its own, the width of the screen: read from across the room, never cut short
        grid.addWidget(self.sync_label, 3, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.tick()

    def tick(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.clock_label.setText(self.vm.clock_text(now))
        self.refresh_sync(now)

    def refresh_sync(self, now: dt.datetime | None = None) -> None:
        """The sync's line and colour; the age in it grows every second (``tick``)."""
        sync = self.vm.sync
        self.sync_label.setVisible(sync.shown)
        if not sync.shown:
            return
        now = now or dt.datetime.now(dt.UTC)
        text = sync.text(now)
        if self.sync_label.text() != text:
            self.sync_label.setText(text)
        set_level(self.sync_label, sync.level(now))

    def refresh_devices(self) -> None:
        d = self.vm.devices
        text = d.scale_text
        if self.scale_label.text() != text:
            self.scale_label.setText(text)
        set_level(self.scale_label, d.scale_level)
        self.scanner_label.setText(d.scanner_text)
        set_level(self.scanner_label, d.scanner_level)

    def refresh(self, with_batch: bool = True) -> None:
        """``with_batch``: False on the screens outside a batch (login, home)."""
        vm = self.vm
        batch = vm.batch is not None and with_batch
        self.batch_label.setText(vm.batch_line if batch else self.tr("No batch open"))
        self.step_label.setText(vm.step_line() if batch else "")
        self.step_label.setVisible(batch)
        self.user_label.setText(vm.user_line)
        self.user_label.setVisible(bool(vm.user_line))  # nobody logged in: no empty row
        self.refresh_devices()
        self.refresh_sync()
        self.dev_label.setText(vm.deviations_text)
        self.dev_label.setVisible(batch)
        set_level(self.dev_label, "warn" if vm.open_deviations else "ok")


def forward_key(widget: QWidget, event: QKeyEvent) -> bool:
    """Offer a key press to the window's keyboard-wedge scanner reader; True when it took it."""
    hook = getattr(widget.window(), "wedge_key", None)
    return bool(hook is not None and hook(widget, event))


def vbox(*items: QWidget | None, spacing: int = 10, margins: int = 0) -> QVBoxLayout:
    lay = QVBoxLayout()
    lay.setSpacing(spacing)
    lay.setContentsMargins(margins, margins, margins, margins)
    for it in items:
        if it is None:
            lay.addStretch(1)
        else:
            lay.addWidget(it)
    return lay


def hbox(*items: QWidget | None, spacing: int = 10) -> QHBoxLayout:
    lay = QHBoxLayout()
    lay.setSpacing(spacing)
    lay.setContentsMargins(0, 0, 0, 0)
    for it in items:
        if it is None:
            lay.addStretch(1)
        else:
            lay.addWidget(it)
    return lay


def bold(font: QFont) -> QFont:
    font.setBold(True)
    return font
