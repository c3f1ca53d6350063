"""The transport every driver takes: one serial link over pyserial.

A link is a port path (``/dev/ttyUSB0``, a pty), a pyserial URL (``socket://host:port``,
``loop://``, ``spy://PORT`` to trace traffic, ``hwgrep://...``), ``tcp://host:port`` (same as
``socket://``), ``usb:SERIAL`` / ``usb:VID:PID[:SERIAL]`` (see ``discovery``), or an already
created ``serial.Serial``.

The transport reads with a timeout, logs traffic at debug level on the ``hardware.transport``
logger, and turns every way a device goes away (USB adapter unplugged, pty closed, TCP
connection dropped) into ``LinkLost``. ``reopen`` and ``wait_reconnect`` bring it back with
exponential backoff; the line devices call them from their reader thread so the caller of a
driver never has to.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Self

import serial

from hardware.discovery import is_usb_link, resolve_link

log = logging.getLogger(__name__)

_PARITIES = {
    "N": serial.PARITY_NONE,
    "E": serial.PARITY_EVEN,
    "O": serial.PARITY_ODD,
    "M": serial.PARITY_MARK,
    "S": serial.PARITY_SPACE,
    "NONE": serial.PARITY_NONE,
    "EVEN": serial.PARITY_EVEN,
    "ODD": serial.PARITY_ODD,
    "MARK": serial.PARITY_MARK,
    "SPACE": serial.PARITY_SPACE,
}


class LinkStatus(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


class LinkLost(Exception):
    """The device is not reachable: unplugged, switched off, connection closed, or not found."""


class LinkClosed(LinkLost):
    """The link was closed on purpose; nothing will bring it back."""


@dataclass(frozen=True)
class SerialSettings:
    """Line settings of a serial port. Ignored by links that have none (TCP, pty)."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    xonxoff: bool = False
    rtscts: bool = False
    dsrdtr: bool = False

    def __post_init__(self) -> None:
        if self.baudrate <= 0:
            raise ValueError(f"baud rate must be positive, not {self.baudrate}")
        if self.bytesize not in (5, 6, 7, 8):
            raise ValueError(f"data bits must be 5, 6, 7 or 8, not {self.bytesize}")
        if str(self.parity).upper() not in _PARITIES:
            raise ValueError(f"parity must be one of N, E, O, M, S, not {self.parity!r}")
        if self.stopbits not in (1, 1.5, 2):
            raise ValueError(f"stop bits must be 1, 1.5 or 2, not {self.stopbits}")

    def with_changes(self, **changes: Any) -> SerialSettings:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def apply(self, port: serial.SerialBase) -> None:
        port.baudrate = self.baudrate
        port.bytesize = self.bytesize
        port.parity = _PARITIES[str(self.parity).upper()]
        port.stopbits = self.stopbits
        port.xonxoff = self.xonxoff
        port.rtscts = self.rtscts
        port.dsrdtr = self.dsrdtr

    def __str__(self) -> str:
        parity = _PARITIES[str(self.parity).upper()]
        stop = int(self.stopbits) if self.stopbits in (1, 2) else self.stopbits
        return f"{self.baudrate} {self.bytesize}{parity}{stop}"


def pyserial_url(link: str) -> str:
    """The pyserial URL or path for a link string (``tcp://`` is pyserial's ``socket://``)."""
    if link.startswith("tcp://"):
        return "socket://" + link[len("tcp://") :]
    return link


class Transport:
    """One serial link, opened, with read timeouts and reconnection.

    ``read`` returns whatever arrived (at least one byte) or ``b""`` on timeout;
    ``read`` and ``write`` raise ``LinkLost`` when the device went away, after which
    ``reopen`` / ``wait_reconnect`` bring it back. One thread reads at a time; writes may
    come from any thread.
    """

    def __init__(
        self,
        link: str | serial.SerialBase,
        settings: SerialSettings | None = None,
        *,
        poll_interval: float = 0.05,
        write_timeout: float = 2.0,
        backoff_initial: float = 0.05,
        backoff_max: float = 2.0,
        name: str | None = None,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if backoff_initial <= 0 or backoff_max < backoff_initial:
            raise ValueError("backoff must be positive and backoff_max >= backoff_initial")
        self.settings = settings or SerialSettings()
        self.poll_interval = poll_interval
        self.write_timeout = write_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._given: serial.SerialBase | None = None
        if isinstance(link, str):
            if not link:
                raise ValueError("empty link")
            self.link = link
        else:
            self._given = link
            self.link = str(link.port or "")
        self.name = name or self.link
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._status = LinkStatus.DISCONNECTED
        self._broken = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open_link(
        cls, link: str | serial.SerialBase, settings: SerialSettings | None = None, **options: Any
    ) -> Transport:
        """A transport on ``link``, opened (``LinkLost`` if it cannot be)."""
        transport = cls(link, settings, **options)
        transport.open()
        return transport

    @property
    def status(self) -> LinkStatus:
        return self._status

    @property
    def is_open(self) -> bool:
        return self._status is LinkStatus.CONNECTED

    @property
    def port(self) -> serial.SerialBase | None:
        """The pyserial port object while the link is open."""
        return self._port

    def open(self) -> None:
        with self._lock:
            if self._status is LinkStatus.CLOSED:
                raise LinkClosed(f"{self.name}: closed")
            if self._port is not None and not self._broken:
                return
            self._close_port()
            self._port = self._open_port()
            self._broken = False
            self._status = LinkStatus.CONNECTED
        log.info("%s: connected (%s)", self.name, self.settings)

    def _open_port(self) -> serial.SerialBase:
        try:
            if self._given is not None:
                port = self._given
                if port.timeout is None or port.timeout > self.poll_interval:
                    port.timeout = self.poll_interval
                if port.write_timeout is None:
                    port.write_timeout = self.write_timeout
                if not port.is_open:
                    port.open()
                return port
            url = pyserial_url(resolve_link(self.link) if is_usb_link(self.link) else self.link)
            port = serial.serial_for_url(url, do_not_open=True)
            self.settings.apply(port)
            port.timeout = self.poll_interval
            port.write_timeout = self.write_timeout
            port.open()
            return port
        except (serial.SerialException, OSError, ValueError, LookupError) as exc:
            raise LinkLost(f"{self.name}: cannot open: {exc}") from exc

    def reopen(self) -> None:
        """Close whatever is left of the port and open it again (``LinkLost`` if it cannot be)."""
        with self._lock:
            if self._status is LinkStatus.CLOSED:
                raise LinkClosed(f"{self.name}: closed")
            self._close_port()
        self.open()

    def wait_reconnect(self, stop: threading.Event) -> bool:
        """Retry opening with exponential backoff until it works (True) or ``stop`` is set (False)."""
        delay = self.backoff_initial
        while not stop.is_set() and self._status is not LinkStatus.CLOSED:
            try:
                self.reopen()
                return True
            except LinkClosed:
                return False
            except LinkLost as exc:
                log.debug("%s: still away (%s); retrying in %.2f s", self.name, exc, delay)
            if stop.wait(delay):
                return False
            delay = min(delay * 2, self.backoff_max)
        return False

    def close(self) -> None:
        with self._lock:
            if self._status is LinkStatus.CLOSED:
                return
            self._status = LinkStatus.CLOSED
            port = self._port
            if port is not None and hasattr(port, "cancel_read"):
                try:
                    port.cancel_read()
                except Exception:  # the port may be half gone already
                    pass
            self._close_port()
        log.info("%s: closed", self.name)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        try:
            port.close()
        except Exception as exc:  # closing a port whose device vanished may fail; it is gone anyway
            log.debug("%s: error while closing: %s", self.name, exc)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ I/O

    def _lost(self, exc: BaseException) -> LinkLost:
        with self._lock:
            if self._status is LinkStatus.CLOSED:
                return LinkClosed(f"{self.name}: closed")
            was = self._status
            self._broken = True
            self._status = LinkStatus.DISCONNECTED
        if was is LinkStatus.CONNECTED:
            log.warning("%s: device went away: %s", self.name, exc)
        return LinkLost(f"{self.name}: {exc}")

    def _live_port(self) -> serial.SerialBase:
        port = self._port
        if self._status is LinkStatus.CLOSED:
            raise LinkClosed(f"{self.name}: closed")
        if port is None or self._broken:
            raise LinkLost(f"{self.name}: not connected")
        return port

    def read(self, timeout: float | None = None) -> bytes:
        """Bytes that arrived, at least one, waiting up to ``timeout`` (default: one poll interval).

        Returns ``b""`` when nothing came in time.
        """
        port = self._live_port()
        deadline = time.monotonic() + (self.poll_interval if timeout is None else timeout)
        try:
            while True:
                data: bytes = port.read(1)
                if data:
                    waiting = port.in_waiting
                    while waiting and len(data) < 65536:
                        data += port.read(waiting)
                        waiting = port.in_waiting
                    if log.isEnabledFor(logging.DEBUG):
                        log.debug("%s <- %r", self.name, data)
                    return data
                if self._status is not LinkStatus.CONNECTED or time.monotonic() >= deadline:
                    if self._status is LinkStatus.CLOSED:
                        raise LinkClosed(f"{self.name}: closed")
                    return b""
        except LinkLost:
            raise
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # TypeError/AttributeError: pyserial's port object torn down under a blocked read
            raise self._lost(exc) from exc

    def write(self, data: bytes) -> None:
        port = self._live_port()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %r", self.name, data)
        try:
            with self._write_lock:
                port.write(data)
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            raise self._lost(exc) from exc

    def discard_input(self) -> None:
        """Drop whatever the port received and nobody read yet."""
        port = self._live_port()
        try:
            port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def __repr__(self) -> str:
        return f"<Transport {self.name} {self._status}>"
