"""An administrator's home at the station: its health, checked off the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Signal

from ..health_view import HealthPage
from ..viewmodels.health import HealthVM
from .base import Controller, Router, Session


def station_health() -> list[Any]:
    """The doctor's checks on what this touchscreen runs on (not the ports: it holds them)."""
    from station.linepc.doctor import Check, health
    from station.linepc.startup import this_station

    config, url = this_station()
    return [Check("configuration", "ok", config.path or "no file"), *health(config, url, devices=False)]


class HealthController(Controller):
    view: HealthPage
    checked = Signal(object)  # the checks, or the error's text (from the checking thread)

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = HealthVM()
        self.view = HealthPage(self.vm)
        self.view.reload.connect(self.load)
        self.view.logout.connect(lambda: self.router.logout())
        self.checked.connect(self._checked)
        self._running = False

    def open(self) -> None:
        self.router.show_screen(self)
        self.load()

    def load(self) -> None:
        if self._running:
            return
        self._running = True
        self.vm.checking()
        self.view.refresh()
        threading.Thread(target=self._check, name="station-health", daemon=True).start()

    def _check(self) -> None:
        try:
            result: object = station_health()
        except Exception as exc:  # shown on the screen, one line
            result = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        try:
            self.checked.emit(result)
        except RuntimeError:  # the window closed meanwhile: nobody to tell
            pass

    def _checked(self, result: object) -> None:
        self._running = False
        if isinstance(result, list):
            self.vm.show(result)
        else:
            self.vm.failed(str(result))
        self.view.refresh()

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()
