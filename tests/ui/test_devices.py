"""The weigh view on the simulated scale over a pty: stability, tolerance, unplug and replug;
the live display rate; the simulator window of the demo."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from .flows import LOT_PARACETAMOL
from .real_engine import audit_events, happy_path

pytestmark = pytest.mark.gui


def test_accept_only_when_stable_inside_tolerance_and_scale_replug(rig, qtbot, watchdog) -> None:
    d = rig(prepare=happy_path(until="OP20.S20"))  # the floor scale is bound, the paracetamol is next
    w = d.window
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    watchdog.start()
    d.scan(LOT_PARACETAMOL)
    vm = w.runner.vm.step_vm
    assert vm.lot == "P24-0817"
    d.put("1.25")
    d.tare()
    accept = d.find("weigh_accept")
    d.put("61.27", settled=False, slowly=True)  # inside the band, but settling first
    d.wait_reading(lambda r: not r.stable)
    assert not accept.isEnabled(), "ACCEPT while the reading moves"
    d.wait_reading(lambda r: r.stable and r.net == Decimal("60.02"))
    assert accept.isEnabled()
    d.put("61.85")  # net 60.60: above 60.30
    assert not accept.isEnabled() and "weight_out_of_tolerance" in d.text("weigh_state")
    d.scale.unplug()
    qtbot.waitUntil(lambda: not w.runner.vm.header.devices.scale_connected, timeout=10000)
    assert "DISCONNECTED" in d.text("header_scale") and not accept.isEnabled()
    assert vm.state == "disconnected" and "DISCONNECTED" in d.text("weigh_state")
    assert not d.find("weigh_tare").isEnabled()
    d.scale.put("61.27")
    d.scale.replug()
    qtbot.waitUntil(lambda: w.runner.vm.header.devices.scale_connected, timeout=15000)
    qtbot.waitUntil(lambda: accept.isEnabled(), timeout=15000)
    assert vm.reading.net == Decimal("60.02")
    d.click("weigh_accept")
    assert w.runner.vm.step_vm.step.id == "OP20.S30"
    weighing = [e for e in audit_events(d.url, "B-2611-001") if e["action"] == "weighing.accepted"][-1]
    value = weighing["new_value"]
    assert (value["source"], value["device_serial"], Decimal(value["net"])) == (
        "scale",
        "B150-4471920",  # as the floor scale bound at OP20.S10 reported it
        Decimal("60.02"),
    )


def test_display_follows_the_stream(rig, qtbot) -> None:
    d = rig()
    updates: list[object] = []
    hub_signal = d.station.devices.reading
    hub_signal.connect(updates.append)
    d.scale.put("10.00")
    qtbot.wait(1000)
    hub_signal.disconnect(updates.append)
    assert len(updates) >= 10, f"{len(updates)} readings in 1 s"


def test_simulator_window_puts_weights_and_scans(qtbot) -> None:
    from hardware.simulators.scale import ScaleSimulator
    from hardware.simulators.scanner import ScannerSimulator
    from station.ui.simulator_window import SimulatorWindow, presets_from_script

    scans, weights = presets_from_script()
    assert any(code.startswith("]C1") for _l, code in scans) and "61.27" in weights
    scale, scanner = ScaleSimulator(settle_time=0.05), ScannerSimulator()
    scale.start()
    scanner.start()
    win = SimulatorWindow(scale, scanner)
    try:
        win.show()
        win.weight.setText("61.27")
        qtbot.mouseClick(win.findChild(QPushButton, "sim_put"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: scale.cell.load == Decimal("61.27"), timeout=5000)
        win.scan(scans[0][1])
        qtbot.waitUntil(lambda: bool(scanner.sent), timeout=5000)
        win._run("unplug")
        qtbot.waitUntil(lambda: not scale.plugged, timeout=5000)
    finally:
        win.close()
        win.deleteLater()
        scale.stop()
        scanner.stop()


def test_a_reading_delivered_after_the_station_closed_reaches_no_screen(
    qtbot, station_db, simulators
) -> None:
    """The reader thread may queue a reading just as the station closes; it is delivered after
    the window is gone and must find no screen left to draw on."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from station.ui.app import build_station
    from station.ui.viewmodels.devices import ScaleReading

    from .real_engine import engine_factory

    scales, scanner = simulators()
    links = {equipment: scale.address for equipment, scale in scales.items()}
    station = build_station(engine_factory(station_db, []), scales=links, scanner_link=scanner.address)
    station.window.show()
    hub = station.devices
    station.close()
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    late = ScaleReading(Decimal("1.25"), Decimal(0), Decimal("1.25"), "kg", True)
    hub.reading.emit(late)
    hub.scale_connection.emit(False)
    hub.scanner_connection.emit(False)


def test_the_demo_simulates_each_scale_of_its_master_data(qtbot, station_db) -> None:
    """One simulated scale per scale equipment of the demo's site.yaml, each reporting that
    equipment's serial number; the simulator window weighs on the scale the station shows,
    and the station shows the scale of the equipment bound at the step."""
    from station.demo import demo_scales
    from station.ui.app import build_station

    from .real_engine import engine_factory

    scales = demo_scales()
    assert scales["SCL-150-01"]["serial_number"] == "B150-4471920"
    assert scales["SCL-006-01"] == {
        "capacity": "6", "readability": "0.0001", "unit": "kg", "serial_number": "C006-0918233"
    }  # fmt: skip
    station = build_station(engine_factory(station_db, []), simulator=True, simulated_scales=scales)
    try:
        hub, window = station.devices, station.simulator
        assert set(hub.links) == set(scales) and len(station.simulated) == len(scales) + 1
        readings: list = []
        hub.reading.connect(lambda r: r is not None and readings.append(r))
        for equipment, gross in (("SCL-150-01", "61.27"), ("SCL-006-01", "3.9310")):
            hub.select(equipment)
            readings.clear()
            window.put(gross)
            qtbot.waitUntil(
                lambda g=gross: any(r.gross == Decimal(g) and r.stable for r in readings), timeout=10000
            )
            assert {r.serial for r in readings} == {scales[equipment]["serial_number"]}
    finally:
        station.close()
