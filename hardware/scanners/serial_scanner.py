"""Barcode scanners on a serial line or USB-CDC (virtual COM port).

The scanner sends each scan as one line: optional prefix, the data (AIM symbology
identifier first when the scanner is set to send it), optional suffix, and a terminator
(CR, LF or CR LF, as configured on the scanner). The GS separator (0x1d) of GS1 codes is
data, not a terminator. Every line is decoded by ``hardware.barcodes.decoder`` — the same
decoder the UI uses for keyboard-wedge input — into a ``Gs1Item``, ``PlainId`` or
``Unreadable``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from hardware.barcodes.decoder import Scan, Unreadable, decode_scan
from hardware.framing import CR, FramingIssue, Line, parse_terminator
from hardware.line_device import EventIterator, LineDevice, ReplyTimeout
from hardware.transport import SerialSettings, Transport

DEFAULT_SETTINGS = SerialSettings(baudrate=9600, bytesize=8, parity="N", stopbits=1)
MAX_SCAN_BYTES = 8192


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


class SerialScanner(LineDevice[Scan, Scan]):
    """A scanner on an open transport.

    ``terminator``: ``cr``, ``lf``, ``crlf`` or the bytes. ``prefix`` / ``suffix``: bytes the
    scanner is set to add around the data, stripped when present.
    """

    DEFAULT_SETTINGS = DEFAULT_SETTINGS

    def __init__(
        self,
        transport: Transport,
        *,
        terminator: str | bytes = CR,
        prefix: str | bytes = b"",
        suffix: str | bytes = b"",
        max_length: int = MAX_SCAN_BYTES,
        stale_after: float | None = 1.0,
    ) -> None:
        super().__init__(
            transport,
            terminator=parse_terminator(terminator),
            max_line_length=max_length,
            stale_after=stale_after,
        )
        self.prefix = _as_bytes(prefix)
        self.suffix = _as_bytes(suffix)

    def strip(self, data: bytes) -> bytes:
        """The scan data without the configured prefix and suffix."""
        if self.prefix and data.startswith(self.prefix):
            data = data[len(self.prefix) :]
        if self.suffix and data.endswith(self.suffix):
            data = data[: -len(self.suffix)]
        return data

    def parse_line(self, line: Line) -> Scan:
        return decode_scan(self.strip(line.data))

    def unsolicited(self, parsed: Scan, line: Line) -> Scan | None:
        return parsed

    def framing_event(self, issue: FramingIssue) -> Scan | None:
        return Unreadable(issue.data.decode("latin-1"), f"unreadable barcode: {issue.reason}")

    def read(self, timeout: float = 5.0) -> Scan | None:
        """The next scan from now on, or None if none came within ``timeout``.

        With the reader thread running, a scan that arrived before the call went to the
        listeners: subscribe (``open_scanner(callback=...)``) to miss none.
        """
        try:
            scan, _ = self._exchange(None, lambda parsed: True, timeout)
        except ReplyTimeout:
            return None
        return scan

    def scans(self, timeout: float | None = None) -> EventIterator[Scan]:
        """Every scan from now on (starts the reader thread); ends after ``timeout`` without one.

        Close it (or use it in a ``with`` block) when done.
        """
        self.start()

        def stop() -> NoReturn:
            raise StopIteration

        return EventIterator(self.subscribe, timeout, stop)

    def __repr__(self) -> str:
        return f"<SerialScanner {self.transport.name} {self.status}>"


def scanner_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options ``SerialScanner`` takes, removed from ``options``."""
    keys = ("terminator", "prefix", "suffix", "max_length", "stale_after")
    return {key: options.pop(key) for key in keys if key in options}
