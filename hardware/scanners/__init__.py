"""Barcode scanners: ``open_scanner`` delivers decoded scans to a callback.

scanner = open_scanner("/dev/ttyACM0", terminator="cr", callback=on_scan)
...
scanner.close()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import serial

from hardware.barcodes.decoder import Gs1Item, PlainId, Scan, Unreadable
from hardware.scanners.serial_scanner import SerialScanner
from hardware.transport import LinkLost, LinkStatus, Transport

__all__ = [
    "Gs1Item",
    "LinkStatus",
    "PlainId",
    "Scan",
    "ScannerError",
    "SerialScanner",
    "Unreadable",
    "open_scanner",
]

_SERIAL_OPTIONS = ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "rtscts", "dsrdtr")
_TRANSPORT_OPTIONS = ("poll_interval", "write_timeout", "backoff_initial", "backoff_max", "name")


class ScannerError(Exception):
    """The scanner's link cannot be opened."""


def open_scanner(
    link: str | serial.SerialBase | Transport,
    *,
    terminator: str | bytes = "cr",
    prefix: str | bytes = b"",
    suffix: str | bytes = b"",
    callback: Callable[[Scan], None] | None = None,
    start: bool = True,
    **options: Any,
) -> SerialScanner:
    """Open the scanner at ``link`` and start its reader: every scan goes to ``callback``.

    ``link`` as for scales (path, ``usb:SERIAL``, pyserial URL, ``tcp://``, Serial, Transport);
    serial options ``baudrate`` (default 9600), ``bytesize``, ``parity``, ``stopbits``, ...;
    transport options ``poll_interval``, ``backoff_initial``, ``backoff_max``. The reader
    survives unplugging: ``status`` goes ``disconnected`` and back to ``connected``.
    """
    serial_options = {key: options.pop(key) for key in _SERIAL_OPTIONS if key in options}
    transport_options = {key: options.pop(key) for key in _TRANSPORT_OPTIONS if key in options}
    if isinstance(link, Transport):
        transport = link
    else:
        settings = SerialScanner.DEFAULT_SETTINGS.with_changes(**serial_options)
        transport = Transport(link, settings, **transport_options)
    try:
        transport.open()
    except LinkLost as exc:
        raise ScannerError(f"cannot open the scanner: {exc}") from exc
    try:
        scanner = SerialScanner(transport, terminator=terminator, prefix=prefix, suffix=suffix, **options)
    except (TypeError, ValueError) as exc:
        transport.close()
        raise ValueError(f"scanner: {exc}") from exc
    if callback is not None:
        scanner.subscribe(callback)
    if start:
        scanner.start()
    return scanner
