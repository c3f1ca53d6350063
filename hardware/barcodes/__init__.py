"""Barcodes: what a scan means (``hardware.barcodes.decoder.decode_scan``).

The decoder (and biip behind it) is imported on first use, so that the GS helpers in
``separators`` stay light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GS", "Gs1Item", "PlainId", "Scan", "Unreadable", "decode_scan", "to_json", "unescape_separators"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hardware.barcodes import decoder

        return getattr(decoder, name)
    raise AttributeError(f"module 'hardware.barcodes' has no attribute {name!r}")
