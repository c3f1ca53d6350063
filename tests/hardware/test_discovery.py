"""Port discovery: pin a device by its USB serial number rather than by /dev/ttyUSB0."""

from __future__ import annotations

import pytest
from serial.tools.list_ports_common import ListPortInfo

from hardware.discovery import (
    PortInfo,
    UsbSelector,
    find_port,
    list_serial_ports,
    parse_usb_link,
    resolve_link,
)


def usb_port(device: str, vid: int, pid: int, serial_number: str) -> PortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial_number
    info.manufacturer, info.product = "FTDI", "FT232R USB UART"
    info.apply_usb_info()
    return PortInfo.from_list_port_info(info)


PORTS = [
    usb_port("/dev/ttyUSB0", 0x0403, 0x6001, "A10KZ3F1"),  # the scale's adapter
    usb_port("/dev/ttyUSB1", 0x0403, 0x6001, "B20QX9K2"),
    usb_port("/dev/ttyACM0", 0x05F9, 0x4204, "S/N 0042"),  # a USB-CDC scanner
]


def test_port_info_from_pyserial() -> None:
    port = PORTS[0]
    assert (port.device, port.vid, port.pid, port.serial_number, port.usb_id) == (
        "/dev/ttyUSB0",
        0x0403,
        0x6001,
        "A10KZ3F1",
        "0403:6001",
    )
    assert "SER=A10KZ3F1" in port.hwid
    assert port.to_json()["usb_id"] == "0403:6001"


@pytest.mark.parametrize(
    ("link", "selector"),
    [
        ("usb:A10KZ3F1", UsbSelector(serial_number="A10KZ3F1")),
        ("usb:0403:6001", UsbSelector(vid=0x0403, pid=0x6001)),
        ("usb:0403:6001:B20QX9K2", UsbSelector(serial_number="B20QX9K2", vid=0x0403, pid=0x6001)),
    ],
)
def test_parse_usb_link(link: str, selector: UsbSelector) -> None:
    assert parse_usb_link(link) == selector


@pytest.mark.parametrize("link", ["usb:", "usb:xyz:6001", "usb:1:2:3:4", "/dev/ttyUSB0"])
def test_malformed_usb_links(link: str) -> None:
    with pytest.raises(ValueError):
        parse_usb_link(link)


def test_resolve_by_serial_number_wherever_the_adapter_is() -> None:
    assert resolve_link("usb:B20QX9K2", PORTS) == "/dev/ttyUSB1"
    replugged = [usb_port("/dev/ttyUSB3", 0x0403, 0x6001, "B20QX9K2")]
    assert resolve_link("usb:B20QX9K2", replugged) == "/dev/ttyUSB3"
    assert resolve_link("usb:05f9:4204", PORTS) == "/dev/ttyACM0"
    assert resolve_link("/dev/ttyS0", PORTS) == "/dev/ttyS0"


def test_ambiguous_or_missing() -> None:
    with pytest.raises(LookupError, match="several"):
        find_port(UsbSelector(vid=0x0403, pid=0x6001), PORTS)
    with pytest.raises(LookupError, match="no serial port"):
        resolve_link("usb:NOPE", PORTS)


def test_list_serial_ports_on_this_machine() -> None:
    ports = list_serial_ports()
    assert all(isinstance(port, PortInfo) and port.device for port in ports)
    assert [port.device for port in ports] == sorted(port.device for port in ports)
