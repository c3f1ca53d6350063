"""A station that cannot start says why on its own screen (under the kiosk there is no other)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from station.ui.startup_error import show_startup_error


def test_the_configuration_problems_are_shown_until_acknowledged(qapp) -> None:
    seen: list[str] = []

    def read_and_acknowledge() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(20, read_and_acknowledge)
            return
        seen.append(boxes[0].text() + "\n" + boxes[0].informativeText())
        boxes[0].accept()

    QTimer.singleShot(0, read_and_acknowledge)
    show_startup_error(["/etc/mes-station/station.toml:4: station.language: 'fr' is not one of en, de"])
    assert len(seen) == 1
    assert "The configuration file is not valid." in seen[0]
    assert "/etc/mes-station/station.toml:4: station.language: 'fr' is not one of en, de" in seen[0]
    assert "mes-station config check" in seen[0]
