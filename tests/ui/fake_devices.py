"""Devices driven by the test itself, with the signals of the station's device hub."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, Signal

from station.ui.viewmodels.devices import ScaleReading


class FakeDevices(QObject):
    reading = Signal(object)
    scale_connection = Signal(bool)
    scanned = Signal(str)
    scanner_connection = Signal(bool)
    scale_configured = True
    scanner_configured = True

    def __init__(self) -> None:
        super().__init__()
        self.gross = Decimal(0)
        self.tare_value = Decimal(0)
        self.commands: list[str] = []

    def start(self) -> None:
        self.scale_connection.emit(True)
        self.scanner_connection.emit(True)

    def stop(self) -> None:
        pass

    def put(self, gross: str, *, stable: bool = True) -> None:
        self.gross = Decimal(gross)
        self.emit(stable)

    def emit(self, stable: bool = True) -> None:
        self.reading.emit(
            ScaleReading(
                gross=self.gross,
                tare=self.tare_value,
                net=self.gross - self.tare_value,
                unit="kg",
                stable=stable,
                serial="SIM-1",
            )
        )

    def tare(self) -> None:
        self.commands.append("tare")
        self.tare_value = self.gross
        self.emit()

    def zero(self) -> None:
        self.commands.append("zero")
        self.gross = Decimal(0)
        self.tare_value = Decimal(0)
        self.emit()

    def scan(self, code: str) -> None:
        self.scanned.emit(code)
