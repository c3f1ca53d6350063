"""What a scan means to the station: a plain id (badge, equipment) or GS1 fields (lot labels).

The decoding itself is the hardware package's (``hardware.barcodes.decoder.decode_scan``);
this module only reads its answer. Until that decoder is importable a minimal reading
(AIM symbology identifier stripped) is used so that badges still work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScanReading:
    raw: str  # what the scanner sent, AIM identifier included
    plain: str  # a plain id (badge, equipment id) or the GS1 lot when there is one
    fields: dict[str, str] = field(default_factory=dict)  # GS1 application identifiers -> values
    is_gs1: bool = False


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


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
    raw = raw.rstrip("\r\n")
    decode_scan: Callable[[str], Any] | None
    try:
        from hardware.barcodes.decoder import decode_scan
    except ImportError:
        decode_scan = None
    if decode_scan is not None:
        try:
            result = decode_scan(raw)
        except Exception:
            result = None
        if result is not None:
            fields_obj = _get(result, "fields", "ais", "gs1") or {}
            fields: dict[str, str] = {}
            if isinstance(fields_obj, dict):
                fields = {str(k): str(v) for k, v in fields_obj.items()}
            lot = _get(result, "lot", "batch") or fields.get("10")
            plain = _get(result, "plain", "id", "value", "text", "data")
            kind = str(_get(result, "kind", "type") or "")
            is_gs1 = bool(fields) or kind.lower() == "gs1"
            text = str(lot) if lot else (str(plain) if plain else _strip_aim(raw))
            return ScanReading(raw=raw, plain=text, fields=fields, is_gs1=is_gs1)
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
