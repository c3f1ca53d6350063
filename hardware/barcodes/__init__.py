"""Barcodes: what a scan means (``decoder.decode_scan``)."""

from hardware.barcodes.decoder import (
    GS,
    Gs1Item,
    PlainId,
    Scan,
    Unreadable,
    decode_scan,
    to_json,
    unescape_separators,
)

__all__ = ["GS", "Gs1Item", "PlainId", "Scan", "Unreadable", "decode_scan", "to_json", "unescape_separators"]
