"""The engine's scan and weigh steps fed by a simulated scanner and MT-SICS / SBI scales over
real pseudo-terminals, through the same drivers that talk to real devices."""

from __future__ import annotations

import json
import queue
import sqlite3
from decimal import Decimal

import pytest

from hardware.barcodes.decoder import Scan as DecodedScan
from hardware.scales import open_scale
from hardware.scanners import open_scanner
from hardware.simulators.scale import ScaleSimulator
from hardware.simulators.scanner import ScannerSimulator
from station.composition import build_engine, open_store
from station.engine import api


def _to_weigh_step(engine, scanned: queue.Queue[DecodedScan], scanner: ScannerSimulator) -> None:  # type: ignore[no-untyped-def]
    for action in (
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-DEV-1", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
        api.Answer("OP10.S20", True),
        api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"),
    ):
        assert engine.dispatch(action).status == "done"
    for step, label in (("OP20.S10", "SCL-150-01"), ("OP20.S20", "]C101040123450001081730083110P24-0817")):
        scanner.scan(label)
        code = scanned.get(timeout=10).raw
        outcome = engine.dispatch(api.Scan(step, code))
        assert outcome.status == "done", outcome.message


#: The serial number master data holds for SCL-150-01, the scale bound at OP20.S10, and that
#: of the other floor scale (SCL-150-02).
BOUND, OTHER = "B150-4471920", "B150-4471957"


@pytest.mark.parametrize(
    ("protocol", "serial"),
    [("mt-sics", BOUND), ("sbi", BOUND), ("mt-sics", OTHER)],
    ids=["mt-sics", "sbi", "wrong-I4"],
)
def test_scan_and_weigh_from_simulated_devices(approved_db: str, protocol: str, serial: str) -> None:
    """The serial number the scale reports (MT-SICS ``I4``, SBI) goes with every reading; a
    scale on the cable other than the one whose label was scanned weighs nothing."""
    engine = build_engine(db=open_store(approved_db))
    scale_sim = ScaleSimulator(
        protocol,
        capacity="150",
        readability="0.01",
        unit="kg",
        serial_number=serial,
        settle_time=0.2,
        seed=1,
    )
    scanner_sim = ScannerSimulator()
    scale_link, scanner_link = scale_sim.start(), scanner_sim.start()
    scanned: queue.Queue[DecodedScan] = queue.Queue()
    scanner = open_scanner(scanner_link, callback=scanned.put)
    options = {"serial_number": serial} if protocol == "sbi" else {}
    scale = open_scale(protocol, scale_link, **options)
    try:
        _to_weigh_step(engine, scanned, scanner_sim)
        scale_sim.put("1.25")  # the empty container
        scale.read_stable(timeout=10)
        scale.tare(timeout=10)
        scale_sim.put("61.27")  # container and paracetamol
        reading = scale.read_stable(timeout=10)
        assert reading.stable and reading.unit == "kg"
        net = reading.net if reading.net is not None else reading.value
        tare = reading.tare if reading.tare is not None else Decimal("1.25")
        outcome = engine.dispatch(
            api.Weigh(
                "OP20.S20",
                gross=net + tare,
                tare=tare,
                unit=reading.unit,
                stable=reading.stable,
                device_serial=reading.serial_number,
                source="scale",
            )
        )
        if serial == OTHER:
            assert reading.serial_number == OTHER  # as the simulator answered I4
            assert outcome.status == "refused"
            assert [r.code for r in outcome.refusals] == ["equipment_wrong_device"]
            assert outcome.message == (
                "The scale at the station reports serial number B150-4471957, "
                "but Scale SCL-150-01 has serial number B150-4471920"
            )
        else:
            assert outcome.status == "done", outcome.message
    finally:
        scale.close()
        scanner.close()
        scale_sim.stop()
        scanner_sim.stop()
        engine.db.dispose()
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        row = con.execute("select net, unit, device_serial, source, lot from lot_consumptions").fetchone()
        refused = con.execute(
            "select new_value from audit_events where action = 'weighing.refused'"
        ).fetchall()
    if serial == OTHER:  # nothing weighed; the refused attempt keeps the serial that answered
        assert row is None and len(refused) == 1 and json.loads(refused[0][0])["device_serial"] == OTHER
        return
    assert Decimal(row[0]) == Decimal("60.02")
    assert row[1:] == ("kg", BOUND, "scale", "P24-0817") and refused == []
