"""Keyboard-wedge scanners: the code typed as a burst of keys and Enter, told from a person typing."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from .viewmodels.scan import WedgeDetector
from .widgets import BoundField


class WedgeKeys:
    """Keyboard-wedge scanners type the code and Enter in a burst: such a burst is a scan.

    The fields and the window hand their key presses here first (no application-wide event
    filter: a Python override of a bool-returning Qt virtual is not safe with PySide6 on
    Python 3.11). A burst is removed from the field it was typed into and reported.
    """

    def __init__(self, on_scan: Callable[[str], None]) -> None:
        self.detector = WedgeDetector()
        self.on_scan = on_scan
        self._snapshot: tuple[QLineEdit, str] | None = None

    def key(self, widget: QWidget, event: QKeyEvent) -> bool:
        """True when the key was part of a scan and must not be handled further."""
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.detector.enter(now)
            if code is None:
                return False
            if self._snapshot is not None:
                field, text = self._snapshot
                if isinstance(field, BoundField):
                    field.buffer.set(text)
                    field.refresh()
                else:
                    field.setText(text)
            self._snapshot = None
            self.on_scan(code)
            return True
        text = event.text()
        if text and text.isprintable() and self.detector.key(text, now):
            self._snapshot = (widget, widget.text()) if isinstance(widget, QLineEdit) else None
        return False
