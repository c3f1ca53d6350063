"""Hostile input on a real pty: every driver reports a clear state and keeps working."""

from __future__ import annotations

import queue
import random
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from hardware_testing import FAST

from hardware.barcodes.decoder import Gs1Item, PlainId, Scan, Unreadable
from hardware.scales import ScaleState, WeightReading
from hardware.scales.mt_sics import MtSicsScale
from hardware.scales.reading import ScaleCondition, ScaleEvent
from hardware.scales.sartorius_sbi import SbiScale
from hardware.scanners.serial_scanner import SerialScanner
from hardware.simulators import ScriptedDevice
from hardware.simulators.scripted import Exchange
from hardware.transport import Transport

WRONG_BAUD_NOISE = bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(40)) + b"\x00\xf8\x80\xf8"

MT_GOOD = b"S S     100.00 g\r\n"
SBI_GOOD = b"+   100.00 g   \r\n"

HOSTILE: list[tuple[str, list[bytes | float]]] = [
    ("garbage", [b"#%&garbage!!\r\n"]),
    ("wrong baud noise", [WRONG_BAUD_NOISE + b"\r\n"]),
    ("ten kilobyte line", [b"A" * 10240 + b"\r\n"]),
    ("ten kilobytes without terminator, then silence", [b"B" * 10240, 0.35]),
    ("NUL bytes", [b"\x00\x00\x00\r\n"]),
    ("NUL inside a line", [b"S S  \x00 100.00 g\r\n"]),
    ("bare CR inside a line", [b"S S 1\r00.00 g\r\n"]),
    ("line without terminator, then silence", [b"S S     100.0", 0.35]),
]


def drain(events: queue.Queue[ScaleEvent], timeout: float = 2.0) -> list[ScaleEvent]:
    """Events until the first weight reading (included)."""
    got: list[ScaleEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        got.append(event)
        if isinstance(event, WeightReading):
            return got
    return got


@pytest.fixture
def started(
    scripted: Callable[[list[Exchange]], ScriptedDevice],
) -> Iterator[Callable[[type[MtSicsScale] | type[SbiScale]], tuple[ScriptedDevice, queue.Queue[ScaleEvent]]]]:
    scales: list[MtSicsScale | SbiScale] = []

    def make(cls: type[MtSicsScale] | type[SbiScale]) -> tuple[ScriptedDevice, queue.Queue[ScaleEvent]]:
        device = scripted([])
        transport = Transport.open_link(device.address, **FAST)
        scale = cls(transport, stale_after=0.2, command_timeout=1.0)
        events: queue.Queue[ScaleEvent] = queue.Queue()
        scale.subscribe(events.put)
        scale.start()
        scales.append(scale)
        return device, events

    yield make
    for scale in scales:
        scale.close()


def push(device: ScriptedDevice, parts: list[bytes | float]) -> None:
    for part in parts:
        if isinstance(part, bytes):
            device.push(part)
        else:
            time.sleep(part)


@pytest.mark.parametrize(
    ("cls", "good"), [(MtSicsScale, MT_GOOD), (SbiScale, SBI_GOOD)], ids=["mt-sics", "sbi"]
)
@pytest.mark.parametrize(("name", "parts"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_input_then_a_good_line(
    started: Callable[[type[MtSicsScale] | type[SbiScale]], tuple[ScriptedDevice, queue.Queue[ScaleEvent]]],
    cls: type[MtSicsScale] | type[SbiScale],
    good: bytes,
    name: str,
    parts: list[bytes | float],
) -> None:
    device, events = started(cls)
    push(device, parts)
    time.sleep(0.05)
    push(device, [good])
    got = drain(events)
    conditions = [event for event in got if isinstance(event, ScaleCondition)]
    readings = [event for event in got if isinstance(event, WeightReading)]
    assert conditions, f"no state reported for {name}"
    assert all(condition.state is ScaleState.UNREADABLE for condition in conditions)
    assert all(condition.detail for condition in conditions)
    assert [reading.value for reading in readings] == [Decimal("100.00")]


@pytest.mark.parametrize(
    ("cls", "good"), [(MtSicsScale, MT_GOOD), (SbiScale, SBI_GOOD)], ids=["mt-sics", "sbi"]
)
def test_line_split_across_many_reads(
    started: Callable[[type[MtSicsScale] | type[SbiScale]], tuple[ScriptedDevice, queue.Queue[ScaleEvent]]],
    cls: type[MtSicsScale] | type[SbiScale],
    good: bytes,
) -> None:
    device, events = started(cls)
    for byte in good:
        device.push(bytes([byte]))
        time.sleep(0.003)
    got = drain(events)
    assert [type(event) for event in got] == [WeightReading]


def test_several_lines_in_one_read(
    started: Callable[[type[MtSicsScale] | type[SbiScale]], tuple[ScriptedDevice, queue.Queue[ScaleEvent]]],
) -> None:
    device, events = started(MtSicsScale)
    device.push(b"S D      99.00 g\r\nS D      99.50 g\r\n\x00garbage\r\nS S     100.00 g\r\n")
    got = [events.get(timeout=2) for _ in range(4)]
    assert [event.value for event in got if isinstance(event, WeightReading)] == [
        Decimal("99.00"),
        Decimal("99.50"),
        Decimal("100.00"),
    ]
    assert [event.state for event in got if isinstance(event, ScaleCondition)] == [ScaleState.UNREADABLE]


def test_garbage_before_a_reply_does_not_break_the_command(
    scripted: Callable[[list[Exchange]], ScriptedDevice],
) -> None:
    device = scripted([(b"SI\r\n", [b"\xf8\x80\x00noise\r\n", 0.02, b"S S", 0.02, b"     12.00 g\r\n"])])
    scale = MtSicsScale(Transport.open_link(device.address, **FAST))
    try:
        assert scale.read(timeout=2).value == Decimal("12.00")
        device.assert_done()
    finally:
        scale.close()


def test_scanner_survives_hostile_lines(scripted: Callable[[list[Exchange]], ScriptedDevice]) -> None:
    device = scripted([])
    scanner = SerialScanner(Transport.open_link(device.address, **FAST), terminator="cr", stale_after=0.2)
    scans: queue.Queue[Scan] = queue.Queue()
    scanner.subscribe(scans.put)
    scanner.start()
    try:
        device.push(WRONG_BAUD_NOISE + b"\r")
        device.push(b"\x00\x00\x00\r")
        device.push(b"Z" * 10000 + b"\r")
        device.push(b"SCL-150")  # no terminator, then silence
        time.sleep(0.35)
        device.push(b"]C101040123450001081730083110P24-0817\r")
        device.push(b"SCL-150-01\r")
        got = [scans.get(timeout=2) for _ in range(6)]
    finally:
        scanner.close()
    assert [type(scan) for scan in got] == [Unreadable, Unreadable, Unreadable, Unreadable, Gs1Item, PlainId]
    assert all(scan.reason for scan in got if isinstance(scan, Unreadable))
