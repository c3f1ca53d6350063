"""Serial port discovery: which ports exist, with their USB identity.

A site pins a device by what does not change when it is replugged — the USB serial number
of its adapter (or VID:PID) — rather than by ``/dev/ttyUSB0``, which depends on the order
in which adapters were plugged. A link ``usb:SERIAL``, ``usb:VID:PID`` or
``usb:VID:PID:SERIAL`` (VID and PID in hex) is resolved to the current device path each
time the port is opened, so a device that comes back under another name is found again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

USB_LINK_PREFIX = "usb:"


@dataclass(frozen=True)
class PortInfo:
    """One serial port as the operating system lists it."""

    device: str
    description: str
    hwid: str
    vid: int | None
    pid: int | None
    serial_number: str | None
    manufacturer: str | None
    product: str | None
    location: str | None

    @classmethod
    def from_list_port_info(cls, info: ListPortInfo) -> PortInfo:
        return cls(
            device=info.device,
            description=info.description or "",
            hwid=info.hwid or "",
            vid=info.vid,
            pid=info.pid,
            serial_number=info.serial_number or None,
            manufacturer=info.manufacturer,
            product=info.product,
            location=info.location,
        )

    @property
    def usb_id(self) -> str | None:
        """``VID:PID`` in hex, as lsusb prints it; None for a port that is not USB."""
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04x}:{self.pid:04x}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["usb_id"] = self.usb_id
        data["config_ports"] = self.config_ports
        return data

    @property
    def config_ports(self) -> list[str]:
        """What to write as a device's ``port`` in station.toml: the adapter's serial number as a
        link, and the name the line PC package's udev rule gives it (70-mes-station.rules)."""
        if not self.serial_number:
            return [self.device]
        return [f"{USB_LINK_PREFIX}{self.serial_number}", f"/dev/mes-serial-{self.serial_number}"]


@dataclass(frozen=True)
class UsbSelector:
    """What a ``usb:`` link asks for."""

    serial_number: str | None = None
    vid: int | None = None
    pid: int | None = None

    def matches(self, port: PortInfo) -> bool:
        if self.serial_number is not None and port.serial_number != self.serial_number:
            return False
        if self.vid is not None and port.vid != self.vid:
            return False
        return self.pid is None or port.pid == self.pid

    def __str__(self) -> str:
        parts = []
        if self.vid is not None and self.pid is not None:
            parts.append(f"{self.vid:04x}:{self.pid:04x}")
        if self.serial_number is not None:
            parts.append(f"serial number {self.serial_number}")
        return "USB device " + " ".join(parts)


def list_serial_ports() -> list[PortInfo]:
    """Every serial port the operating system lists, sorted by device path."""
    return sorted(
        (PortInfo.from_list_port_info(info) for info in list_ports.comports(include_links=False)),
        key=lambda port: port.device,
    )


def is_usb_link(link: str) -> bool:
    return link.startswith(USB_LINK_PREFIX)


def parse_usb_link(link: str) -> UsbSelector:
    """``usb:SERIAL``, ``usb:VID:PID`` or ``usb:VID:PID:SERIAL`` (VID/PID in hex)."""
    if not is_usb_link(link):
        raise ValueError(f"not a usb: link: {link!r}")
    parts = link[len(USB_LINK_PREFIX) :].split(":")
    if any(not part for part in parts) or len(parts) > 3:
        raise ValueError(f"malformed usb: link {link!r} (usb:SERIAL, usb:VID:PID or usb:VID:PID:SERIAL)")
    if len(parts) == 1:
        return UsbSelector(serial_number=parts[0])
    try:
        vid, pid = int(parts[0], 16), int(parts[1], 16)
    except ValueError:
        raise ValueError(f"malformed usb: link {link!r}: VID and PID are hexadecimal") from None
    return UsbSelector(serial_number=parts[2] if len(parts) == 3 else None, vid=vid, pid=pid)


def find_port(
    selector: UsbSelector, ports: Iterable[PortInfo] | Callable[[], Iterable[PortInfo]] = list_serial_ports
) -> PortInfo:
    """The one port that matches; LookupError when none or several do."""
    candidates = ports() if callable(ports) else ports
    found = [port for port in candidates if selector.matches(port)]
    if not found:
        raise LookupError(f"no serial port found for {selector}")
    if len(found) > 1:
        devices = ", ".join(port.device for port in found)
        raise LookupError(f"several serial ports match {selector}: {devices}")
    return found[0]


def resolve_link(
    link: str, ports: Iterable[PortInfo] | Callable[[], Iterable[PortInfo]] = list_serial_ports
) -> str:
    """The device path for a ``usb:`` link; any other link unchanged."""
    if not is_usb_link(link):
        return link
    return find_port(parse_usb_link(link), ports).device
