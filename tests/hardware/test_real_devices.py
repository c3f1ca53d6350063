"""On a real device only (marker ``hardware``); skipped when none is connected.

    MES_SCALE_PORT=/dev/ttyUSB0 MES_SCALE_PROTOCOL=mt-sics [MES_SCALE_BAUDRATE=9600] pytest -m hardware
    MES_SCANNER_PORT=/dev/ttyACM0 [MES_SCANNER_TERMINATOR=cr] pytest -m hardware   (scan a code when asked)

The port may be a path, ``usb:SERIAL`` or a pyserial URL. Leave the pan empty and still.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hardware.barcodes.decoder import Gs1Item, PlainId, Unreadable
from hardware.scales import Scale, ScaleError, ScaleEvent, ScaleState, WeightReading, open_scale
from hardware.scanners import open_scanner

pytestmark = pytest.mark.hardware

SCALE_PORT = os.environ.get("MES_SCALE_PORT")
SCALE_PROTOCOL = os.environ.get("MES_SCALE_PROTOCOL", "mt-sics")
SCANNER_PORT = os.environ.get("MES_SCANNER_PORT")


@pytest.fixture
def scale() -> Iterator[Scale[object]]:
    if not SCALE_PORT:
        pytest.skip("no scale: set MES_SCALE_PORT (and MES_SCALE_PROTOCOL)")
    options: dict[str, Any] = {}
    if os.environ.get("MES_SCALE_BAUDRATE"):
        options["baudrate"] = int(os.environ["MES_SCALE_BAUDRATE"])
    device = open_scale(SCALE_PROTOCOL, SCALE_PORT, **options)
    yield device  # type: ignore[misc]
    device.close()


def test_identifies_itself(scale: Scale[object]) -> None:
    assert scale.status == "connected"
    if SCALE_PROTOCOL == "mt-sics":
        assert scale.serial_number


def test_reads_a_weight_or_a_clear_state(scale: Scale[object]) -> None:
    try:
        reading = scale.read(timeout=5)
    except ScaleError as error:
        assert error.state in set(ScaleState)
    else:
        assert reading.unit and reading.raw


def test_stable_weight_on_a_still_pan(scale: Scale[object]) -> None:
    reading = scale.read_stable(timeout=30)
    assert reading.stable and reading.serial_number == scale.serial_number


def test_stream(scale: Scale[object]) -> None:
    events: list[ScaleEvent] = []
    with scale.readings(timeout=10) as stream:
        for event in stream:
            events.append(event)
            if len(events) >= 5:
                break
    assert any(isinstance(event, WeightReading) for event in events)


def test_scanner_delivers_a_scan() -> None:
    if not SCANNER_PORT:
        pytest.skip("no scanner: set MES_SCANNER_PORT")
    scanner = open_scanner(SCANNER_PORT, terminator=os.environ.get("MES_SCANNER_TERMINATOR", "cr"))
    try:
        print("\nscan a barcode now (30 s)")
        scan = scanner.read(timeout=30)
    finally:
        scanner.close()
    assert isinstance(scan, Gs1Item | PlainId | Unreadable)
