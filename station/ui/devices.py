"""The scales and the scanner, bridged to the GUI thread.

The drivers of ``hardware`` read on their own threads and call back from there; this hub
turns every callback into a queued Qt signal, and runs TARE and ZERO (which wait for the
device's answer) on a command thread, so no serial I/O ever runs on the GUI thread.

A station has one scale on its port (``scale_link``), or one scale per equipment id
(``scales``: a dispensing booth with a floor scale and a bench scale, each on its own port).
Then the weigh step's bound equipment chooses the scale (``select``): only its readings and
its connection reach the screen, and TARE and ZERO go to it. Each reading carries the serial
number the scale reported when it was opened (MT-SICS ``I4``, SBI), which the engine checks
against the bound equipment.
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from .viewmodels.devices import ScaleReading

log = logging.getLogger(__name__)

RETRY_S = 1.0

#: Conditions that say the scale cannot weigh now: it reports an error, answers garbage or
#: nothing, or another scale answered after a reconnection. (Overload and the like are the
#: load's, not the scale's.)
FAULTS = frozenset({"device_error", "unreadable", "timeout", "device_changed", "transmission_error"})


class DeviceHub(QObject):
    reading = Signal(object)  # ScaleReading
    scale_connection = Signal(bool)
    scanned = Signal(str)  # the scan as the scanner sent it (AIM identifier included)
    scanner_connection = Signal(bool)
    command_failed = Signal(str)
    command_done = Signal(str)  # "tare" | "zero", once the scale has answered
    scale_fault = Signal(str)  # the shown scale reports a fault (a ScaleState in FAULTS)

    def __init__(
        self,
        *,
        scale_link: str | None = None,
        scale_protocol: str = "mt-sics",
        scanner_link: str | None = None,
        scale_options: dict[str, Any] | None = None,
        scanner_options: dict[str, Any] | None = None,
        scales: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.scale_link = scale_link
        self.scale_protocol = scale_protocol
        self.scanner_link = scanner_link
        self.scale_options = dict(scale_options or {})
        self.scanner_options = dict(scanner_options or {})
        # Equipment id (None: the station's one scale, whatever is bound) -> its port.
        self.links: dict[str | None, str] = {key: link for key, link in (scales or {}).items()}
        if scale_link:
            self.links[None] = scale_link
        self.active: str | None = next(iter(self.links), None)
        self.scales: dict[str | None, Any] = {}
        self.connected: dict[str | None, bool] = {}
        self.scanner: Any = None
        self._streams: list[Any] = []
        self._unlisten: list[Any] = []
        # The tare each scale holds since its TARE (value, unit): a scale that sends the net
        # alone keeps its tare when the screen shows another scale and comes back.
        self._tares: dict[str | None, tuple[Decimal, str]] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._commands = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="scale-command"
        )
        self._lock = threading.Lock()

    @property
    def scale_configured(self) -> bool:
        return bool(self.links)

    @property
    def scale(self) -> Any:
        """The driver of the scale the screen shows (None while it is not open)."""
        return self.scales.get(self.active)

    def select(self, equipment: str | None) -> None:
        """Show the scale of ``equipment`` (the one bound at the weigh step). A station with
        one scale for any equipment keeps it; an id without a scale of its own shows none."""
        if None in self.links or equipment == self.active:
            return
        # Read by the reader threads without a lock: a reading the previous scale sent at this
        # very moment may still reach the screen, and carries that scale's serial number, which
        # the engine refuses for this step.
        self.active = equipment
        self.reading.emit(None)
        self.scale_connection.emit(self.connected.get(equipment, False))

    @property
    def scanner_configured(self) -> bool:
        return bool(self.scanner_link)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Open the devices on background threads (an unplugged device is retried until it is there)."""
        for equipment in self.links:
            self._spawn(
                f"scale-open-{equipment or 'station'}", functools.partial(self._open_scale, equipment)
            )
        if self.scanner_link:
            self._spawn("scanner-open", self._open_scanner)

    def _spawn(self, name: str, target: Any) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _open_scale(self, equipment: str | None) -> None:
        from hardware.scales import ScaleError, open_scale

        link = self.links[equipment]
        while not self._stop.is_set():
            try:
                scale = open_scale(self.scale_protocol, link, **self.scale_options)
            except (ScaleError, OSError, ValueError) as exc:
                log.info("scale at %s not available yet: %s", link, exc)
                self._connection(equipment, False)
                self._stop.wait(RETRY_S)
                continue
            with self._lock:
                if self._stop.is_set():
                    scale.close()
                    return
                self.scales[equipment] = scale
                self._unlisten.append(
                    scale.add_status_listener(functools.partial(self._scale_status, equipment))
                )
                try:
                    self._streams.append(scale.stream(functools.partial(self._scale_event, equipment)))
                except ScaleError as exc:
                    log.warning("scale stream did not start: %s", exc)
            self._connection(equipment, True)
            return

    def _connection(self, equipment: str | None, connected: bool) -> None:
        self.connected[equipment] = connected
        if equipment == self.active:
            self.scale_connection.emit(connected)

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
            for stream in self._streams:
                stream.close()
            self._streams.clear()
            for device in (*self.scales.values(), self.scanner):
                if device is not None:
                    try:
                        device.close()
                    except Exception as exc:  # closing a lost link must not stop the shutdown
                        log.info("closing %r: %s", device, exc)
            self.scales.clear()
            self.scanner = None
        self._commands.shutdown(wait=True, cancel_futures=True)
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    # ------------------------------------------------------------------ from the reader threads

    def _scale_status(self, equipment: str | None, status: Any) -> None:
        self._connection(equipment, str(status) == "connected")

    def _scanner_status(self, status: Any) -> None:
        self.scanner_connection.emit(str(status) == "connected")

    def _scale_event(self, equipment: str | None, event: Any) -> None:
        from hardware.scales import ScaleCondition

        if isinstance(event, ScaleCondition):
            state = str(event.state)
            if state in ("disconnected", "closed"):
                self._connection(equipment, False)
            elif state == "connected":
                self._connection(equipment, True)
            elif state in FAULTS and equipment == self.active:
                self.scale_fault.emit(state)
            return
        if equipment == self.active:
            self.reading.emit(self.to_reading(event, equipment))

    def to_reading(self, r: Any, equipment: str | None = None) -> ScaleReading:
        """A driver's WeightReading as gross / tare / net (the tare is remembered from TARE)."""
        unit = r.unit
        if r.net is not None and r.gross is not None:
            net, gross = r.net, r.gross
            tare = r.tare if r.tare is not None else gross - net
        elif r.kind == "gross":
            gross, tare, net = r.value, Decimal(0), r.value
        else:
            net = r.value
            held, held_unit = self._tares.get(equipment, (Decimal(0), ""))
            tare = held if held_unit in ("", unit) else Decimal(0)
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
        equipment = self.active  # the scale shown when the button was pressed

        def run() -> None:
            scale = self.scales.get(equipment)
            if scale is None:
                self.command_failed.emit(f"{name}: no scale")
                return
            try:
                if name == "tare":
                    before = scale.read(timeout=2.0)
                    result = scale.tare()
                    held = self._tares.get(equipment, (Decimal(0), ""))[0]
                    self._tares[equipment] = (
                        (result.value, result.unit)
                        if result is not None
                        else (before.value + held, before.unit)
                    )
                else:
                    scale.zero()
                    self._tares.pop(equipment, None)
            except Exception as exc:
                log.warning("scale %s failed: %s", name, exc)
                self.command_failed.emit(f"{name}: {exc}")
                return
            self.command_done.emit(name)

        if not self._stop.is_set():
            self._commands.submit(run)
