"""What the demo and the engine's scan and weigh steps do: the reference batch script's scans
and weighings, through a simulated scanner and scale and the same code a real one uses."""

from __future__ import annotations

import queue
from decimal import Decimal
from pathlib import Path

import pytest
from hardware_testing import FAST
from ruamel.yaml import YAML

from hardware.barcodes.decoder import Gs1Item, PlainId, Scan, decode_scan
from hardware.scales import open_scale
from hardware.scanners import open_scanner
from hardware.simulators import ScaleSimulator, ScannerSimulator

SCRIPT = Path(__file__).resolve().parents[1] / "data" / "scripts" / "para500-happy-path.yaml"


@pytest.mark.parametrize("protocol", ["mt-sics", "sbi"])
def test_happy_path_scans_and_weighings(tmp_path: Path, protocol: str) -> None:
    actions = YAML(typ="safe").load(SCRIPT.read_text())["actions"]
    readability = "0.01" if protocol == "mt-sics" else "0.0001"
    scale_sim = ScaleSimulator(protocol, capacity="150", readability=readability, unit="kg",
                               serial_number="0012345678", link=str(tmp_path / "scale"), settle_time=0.1)  # fmt: skip
    scanner_sim = ScannerSimulator(str(tmp_path / "scanner"), terminator="cr")
    scans: queue.Queue[Scan] = queue.Queue()
    with scale_sim, scanner_sim:
        scale = open_scale(protocol, scale_sim.address, **FAST)
        scanner = open_scanner(scanner_sim.address, callback=scans.put, **FAST)
        try:
            weighed = 0
            for action in actions:
                if "scan" in action:
                    code = action["scan"]["code"]
                    assert scanner_sim.scan(code)
                    scan = scans.get(timeout=2)
                    assert scan == decode_scan(code)
                    assert isinstance(scan, Gs1Item | PlainId)
                elif "weigh" in action:
                    tare, gross = (
                        Decimal(str(action["weigh"]["tare"])),
                        Decimal(str(action["weigh"]["gross"])),
                    )
                    scale_sim.put(tare)
                    scale.read_stable(timeout=3)
                    scale.tare(timeout=3)
                    scale_sim.put(gross)
                    reading = scale.read_stable(timeout=3)
                    assert reading.stable and reading.unit == "kg"
                    step = Decimal(readability)
                    assert reading.value == gross.quantize(step) - tare.quantize(step)
                    assert reading.serial_number == "0012345678"
                    if (
                        protocol == "mt-sics"
                    ):  # the balance reports its tare: gross and tare as the engine wants them
                        assert (reading.gross, reading.tare) == (gross.quantize(step), tare.quantize(step))
                    weighed += 1
            assert weighed == 4
        finally:
            scanner.close()
            scale.close()
