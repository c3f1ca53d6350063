"""Guard against a Qt binding that loses references to None/True/False.

PySide6 6.12.0 under CPython 3.11 dropped one reference to the returned singleton on every
call: a station aborts ("deallocating None") hours into a shift. pyproject pins below it;
this test fails if an upgrade brings such a binding back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_qt_calls_keep_singleton_reference_counts(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(2000):
        widget.setEnabled(True)  # returns None
        widget.isEnabled()  # returns True
        widget.isHidden()  # returns ... True or False
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    assert [b - a for a, b in zip(before, after, strict=True)] == [0, 0, 0]
