"""Device readings as the UI sees them (filled by the Qt device bridges)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .text import translate


@dataclass(frozen=True)
class ScaleReading:
    gross: Decimal
    tare: Decimal
    net: Decimal
    unit: str
    stable: bool
    serial: str | None = None


@dataclass
class DeviceStatus:
    scale_configured: bool = False
    scale_connected: bool = False
    reading: ScaleReading | None = None
    scale_fault: str = ""  # what the scale reports wrong, "" while it weighs
    scanner_configured: bool = False
    scanner_connected: bool = False

    @property
    def scale_text(self) -> str:
        if not self.scale_configured:
            return translate("Devices", "Scale: none")
        if not self.scale_connected:
            return translate("Devices", "Scale: DISCONNECTED")
        if self.scale_fault:
            return translate("Devices", "Scale: FAULT")
        if self.reading is None:
            return translate("Devices", "Scale: connected")
        if self.reading.stable:
            return translate("Devices", "Scale: stable")
        return translate("Devices", "Scale: moving")

    @property
    def scale_level(self) -> str:
        """ok | warn | bad | off — the colour of the indicator."""
        if not self.scale_configured:
            return "off"
        if not self.scale_connected or self.scale_fault:
            return "bad"
        if self.reading is not None and not self.reading.stable:
            return "warn"
        return "ok"

    @property
    def scanner_text(self) -> str:
        if not self.scanner_configured:
            return translate("Devices", "Scanner: keyboard")
        if self.scanner_connected:
            return translate("Devices", "Scanner: ready")
        return translate("Devices", "Scanner: DISCONNECTED")

    @property
    def scanner_level(self) -> str:
        if not self.scanner_configured:
            return "off"
        return "ok" if self.scanner_connected else "bad"
