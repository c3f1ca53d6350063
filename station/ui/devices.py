"""The scale and the scanner, bridged to the GUI thread.

The drivers of ``hardware`` read on their own threads and call back from there; this hub
turns every callback into a queued Qt signal, and runs TARE and ZERO (which wait for the
device's answer) on a command thread, so no serial I/O ever runs on the GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from .viewmodels.devices import ScaleReading

log = logging.getLogger(__name__)

RETRY_S = 1.0


class DeviceHub(QObject):
    reading = Signal(object)  # ScaleReading
    scale_connection = Signal(bool)
    scanned = Signal(str)  # the scan as the scanner sent it (AIM identifier included)
    scanner_connection = Signal(bool)
    command_failed = Signal(str)
    command_done = Signal(str)  # "tare" | "zero", once the scale has answered

    def __init__(
        self,
        *,
        scale_link: str | None = None,
        scale_protocol: str = "mt-sics",
        scanner_link: str | None = None,
        scale_options: dict[str, Any] | None = None,
        scanner_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.scale_link = scale_link
        self.scale_protocol = scale_protocol
        self.scanner_link = scanner_link
        self.scale_options = dict(scale_options or {})
        self.scanner_options = dict(scanner_options or {})
        self.scale: Any = None
        self.scanner: Any = None
        self._stream: Any = None
        self._unlisten: list[Any] = []
        self._tare = Decimal(0)
        self._tare_unit = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._commands = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="scale-command"
        )
        self._lock = threading.Lock()

    @property
    def scale_configured(self) -> bool:
        return bool(self.scale_link)

    @property
    def scanner_configured(self) -> bool:
        return bool(self.scanner_link)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Open the devices on background threads (an unplugged device is retried until it is there)."""
        if self.scale_link:
            self._spawn("scale-open", self._open_scale)
        if self.scanner_link:
            self._spawn("scanner-open", self._open_scanner)

    def _spawn(self, name: str, target: Any) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _open_scale(self) -> None:
        from hardware.scales import ScaleError, open_scale

        while not self._stop.is_set():
            try:
                scale = open_scale(self.scale_protocol, self.scale_link, **self.scale_options)
            except (ScaleError, OSError, ValueError) as exc:
                log.info("scale at %s not available yet: %s", self.scale_link, exc)
                self.scale_connection.emit(False)
                self._stop.wait(RETRY_S)
                continue
            with self._lock:
                if self._stop.is_set():
                    scale.close()
                    return
                self.scale = scale
                self._unlisten.append(scale.add_status_listener(self._scale_status))
                try:
                    self._stream = scale.stream(self._scale_event)
                except ScaleError as exc:
                    log.warning("scale stream did not start: %s", exc)
            self.scale_connection.emit(True)
            return

    def _open_scanner(self) -> None:
        from hardware.scanners import ScannerError, open_scanner

        while not self._stop.is_set():
            try:
                scanner = open_scanner(self.scanner_link, callback=self._scan, **self.scanner_options)
            except (ScannerError, OSError, ValueError) as exc:
                log.info("scanner at %s not available yet: %s", self.scanner_link, exc)
                self.scanner_connection.emit(False)
                self._stop.wait(RETRY_S)
                continue
            with self._lock:
                if self._stop.is_set():
                    scanner.close()
                    return
                self.scanner = scanner
                self._unlisten.append(scanner.add_status_listener(self._scanner_status))
            self.scanner_connection.emit(True)
            return

    def stop(self) -> None:
        """Close the devices and wait for every thread this hub started."""
        self._stop.set()
        with self._lock:
            for remove in self._unlisten:
                remove()
            self._unlisten.clear()
            if self._stream is not None:
                self._stream.close()
                self._stream = None
            for device in (self.scale, self.scanner):
                if device is not None:
                    try:
                        device.close()
                    except Exception as exc:  # closing a lost link must not stop the shutdown
                        log.info("closing %r: %s", device, exc)
            self.scale = None
            self.scanner = None
        self._commands.shutdown(wait=True, cancel_futures=True)
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    # ------------------------------------------------------------------ from the reader threads

    def _scale_status(self, status: Any) -> None:
        self.scale_connection.emit(str(status) == "connected")

    def _scanner_status(self, status: Any) -> None:
        self.scanner_connection.emit(str(status) == "connected")

    def _scale_event(self, event: Any) -> None:
        from hardware.scales import ScaleCondition

        if isinstance(event, ScaleCondition):
            state = str(event.state)
            if state in ("disconnected", "closed"):
                self.scale_connection.emit(False)
            elif state == "connected":
                self.scale_connection.emit(True)
            return
        self.reading.emit(self.to_reading(event))

    def to_reading(self, r: Any) -> ScaleReading:
        """A driver's WeightReading as gross / tare / net (the tare is remembered from TARE)."""
        unit = r.unit
        if r.net is not None and r.gross is not None:
            net, gross = r.net, r.gross
            tare = r.tare if r.tare is not None else gross - net
        elif r.kind == "gross":
            gross, tare, net = r.value, Decimal(0), r.value
        else:
            net = r.value
            tare = self._tare if self._tare_unit in ("", unit) else Decimal(0)
            if r.tare is not None:
                tare = r.tare
            gross = net + tare
        return ScaleReading(
            gross=gross, tare=tare, net=net, unit=unit, stable=r.stable, serial=r.serial_number
        )

    def _scan(self, scan: Any) -> None:
        raw = getattr(scan, "raw", None)
        if raw:
            self.scanned.emit(str(raw))

    # ------------------------------------------------------------------ commands (off the GUI thread)

    def tare(self) -> None:
        self._command("tare")

    def zero(self) -> None:
        self._command("zero")

    def _command(self, name: str) -> None:
        def run() -> None:
            scale = self.scale
            if scale is None:
                self.command_failed.emit(f"{name}: no scale")
                return
            try:
                if name == "tare":
                    before = scale.read(timeout=2.0)
                    result = scale.tare()
                    self._tare = result.value if result is not None else before.value + self._tare
                    self._tare_unit = result.unit if result is not None else before.unit
                else:
                    scale.zero()
                    self._tare = Decimal(0)
            except Exception as exc:
                log.warning("scale %s failed: %s", name, exc)
                self.command_failed.emit(f"{name}: {exc}")
                return
            self.command_done.emit(name)

        if not self._stop.is_set():
            self._commands.submit(run)
