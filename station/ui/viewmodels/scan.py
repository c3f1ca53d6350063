"""What a scan means to the station: a plain id (badge, equipment) or GS1 fields (lot labels).

The decoding itself is the hardware package's (``hardware.barcodes.decoder.decode_scan``,
typed results: ``Gs1Item``, ``PlainId``, ``Unreadable``); this module reads its answer. An
unreadable scan is shown as sent, AIM symbology identifier stripped: the engine refuses it
with the decoder's reason when it is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScanReading:
    raw: str  # what the scanner sent, AIM identifier included
    plain: str  # a plain id (badge, equipment id) or the GS1 lot when there is one
    fields: dict[str, str] = field(default_factory=dict)  # GS1 application identifiers -> values
    is_gs1: bool = False


def _strip_aim(raw: str) -> str:
    if len(raw) >= 3 and raw[0] == "]":
        return raw[3:]
    return raw


def preload() -> None:
    """Import the decoder and its GS1 tables now (at start), not at the first scan."""
    try:
        from hardware.barcodes.decoder import decode_scan

        decode_scan("]C101040123450001081730083110P24-0817")
    except Exception:  # the minimal reading still works
        pass


def decode(raw: str) -> ScanReading:
    from hardware.barcodes.decoder import Gs1Item, PlainId, decode_scan

    raw = raw.rstrip("\r\n")
    result = decode_scan(raw)
    if isinstance(result, Gs1Item):
        fields = {str(ai): str(value) for ai, value in result.fields.items()}
        return ScanReading(raw=raw, plain=result.lot or _strip_aim(raw), fields=fields, is_gs1=True)
    if isinstance(result, PlainId):
        return ScanReading(raw=raw, plain=result.value)
    return ScanReading(raw=raw, plain=_strip_aim(raw))


class WedgeDetector:
    """Tells a keyboard-wedge scanner from a person typing: a scanner sends the whole code in a
    burst of keystrokes a few milliseconds apart, ended by Enter."""

    def __init__(self, max_gap_s: float = 0.035, min_length: int = 4) -> None:
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self.buffer = ""
        self.last = -1e9

    def key(self, char: str, now: float) -> bool:
        """Record a printable key; True when it starts a new burst."""
        new = now - self.last > self.max_gap_s
        if new:
            self.buffer = ""
        self.buffer += char
        self.last = now
        return new

    def enter(self, now: float) -> str | None:
        """Enter pressed: the scanned code when the keys before it were a burst, else None."""
        code = self.buffer
        burst = len(code) >= self.min_length and now - self.last <= self.max_gap_s
        self.buffer = ""
        self.last = -1e9
        return code if burst else None
