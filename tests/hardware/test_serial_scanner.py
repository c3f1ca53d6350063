"""Serial scanners: terminators, prefix and suffix, AIM identifiers kept, decoded scans to a callback."""

from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path

import pytest
from hardware_testing import FAST

from hardware.barcodes.decoder import Gs1Item, PlainId, Scan, Unreadable
from hardware.scanners import ScannerError, open_scanner
from hardware.scanners.serial_scanner import SerialScanner
from hardware.simulators import ScannerSimulator, ScriptedDevice
from hardware.simulators.scripted import Exchange
from hardware.transport import Transport

SCANS = [
    "]C101040123450001081730083110P24-0817",
    "]C1010401234500020710M24-1130\x1d17301130",
    "]d201040123450001081730080021SN1\x1d3103012345",
    "]Q3010401234500030617300228",
    "]E04012345000108",
    "SCL-150-01",
]


@pytest.mark.parametrize("terminator", ["cr", "lf", "crlf"])
def test_simulated_scanner_each_terminator(tmp_path: Path, terminator: str) -> None:
    with ScannerSimulator(str(tmp_path / "scanner"), terminator=terminator) as sim:
        scans: queue.Queue[Scan] = queue.Queue()
        scanner = open_scanner(sim.address, terminator=terminator, callback=scans.put, **FAST)
        try:
            for code in SCANS:
                assert sim.scan(code)
            got = [scans.get(timeout=2) for _ in SCANS]
        finally:
            scanner.close()
    assert [scan.raw for scan in got] == SCANS
    assert [type(scan) for scan in got] == [Gs1Item] * 5 + [PlainId]
    assert [scan.symbology for scan in got if isinstance(scan, Gs1Item)] == [
        "]C1",
        "]C1",
        "]d2",
        "]Q3",
        "]E0",
    ]


def test_prefix_and_suffix_are_stripped(tmp_path: Path) -> None:
    with ScannerSimulator(str(tmp_path / "scanner"), terminator="crlf", prefix="\x02", suffix="#") as sim:
        scans: queue.Queue[Scan] = queue.Queue()
        scanner = open_scanner(
            sim.address, terminator="crlf", prefix=b"\x02", suffix="#", callback=scans.put, **FAST
        )
        try:
            sim.scan("]C101040123450001081730083110P24-0817")
            scan = scans.get(timeout=2)
        finally:
            scanner.close()
    assert isinstance(scan, Gs1Item)
    assert scan.raw == "]C101040123450001081730083110P24-0817"


def test_scanner_over_tcp() -> None:
    with ScannerSimulator("tcp://127.0.0.1:0") as sim:
        scans: queue.Queue[Scan] = queue.Queue()
        scanner = open_scanner(sim.address, callback=scans.put, **FAST)
        try:
            sim.scan("GRN-01")
            assert scans.get(timeout=2) == PlainId("GRN-01", None, "GRN-01")
        finally:
            scanner.close()


def test_read_without_a_reader_thread(scripted: Callable[[list[Exchange]], ScriptedDevice]) -> None:
    device = scripted([(None, [b"]C1010401234500020710M24-", 0.03, b"1130\x1d17301130\r"])])
    scanner = SerialScanner(Transport.open_link(device.address, **FAST), terminator="cr")
    try:
        device.release()
        scan = scanner.read(timeout=2)
        assert isinstance(scan, Gs1Item) and scan.lot == "M24-1130"
        assert scanner.read(timeout=0.05) is None
        device.assert_done()
    finally:
        scanner.close()


def test_unreadable_scan_is_delivered_not_raised(
    scripted: Callable[[list[Exchange]], ScriptedDevice],
) -> None:
    device = scripted([(None, b"]C101040123450001091730083110P24-0817\r")])
    scanner = SerialScanner(Transport.open_link(device.address, **FAST))
    try:
        device.release()
        scan = scanner.read(timeout=2)
        assert isinstance(scan, Unreadable) and "check digit" in scan.reason
    finally:
        scanner.close()


def test_scans_iterator(scanner_sim: ScannerSimulator) -> None:
    scanner = open_scanner(scanner_sim.address, **FAST)
    try:
        iterator = scanner.scans(timeout=2)
        scanner_sim.scan("B100234")
        assert next(iterator) == PlainId("B100234", None, "B100234")
        iterator.close()
    finally:
        scanner.close()


def test_open_scanner_errors(tmp_path: Path) -> None:
    with pytest.raises(ScannerError):
        open_scanner(str(tmp_path / "no-scanner"))
    with pytest.raises(ValueError):
        SerialScanner(Transport("loop://"), terminator="tab")
