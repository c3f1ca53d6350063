"""The one screen a station shows when it cannot start: what is wrong, and where."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox


def show_startup_error(problems: list[str]) -> None:
    """Block until someone acknowledges it; systemd then restarts the station, which shows it
    again until the file is corrected."""
    app = QApplication.instance() or QApplication(sys.argv[:1])  # held while the box shows
    box = QMessageBox(
        QMessageBox.Icon.Critical, "mes-station cannot start", "The configuration file is not valid."
    )
    box.setInformativeText(
        "\n".join(problems[:20]) + "\n\nCorrect it, then check it with: mes-station config check"
    )
    box.exec()
    app.processEvents()
