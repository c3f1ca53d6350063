"""The weigh view on a simulated scale over a pty: stability, tolerance, unplug and replug;
the simulator window of the demo."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from station.engine import api
from station.ui.app import build_station
from station.ui.devices import DeviceHub

from .driver import Driver
from .fake_engine import FakeEngine
from .flows import LOT_PARACETAMOL

pytestmark = pytest.mark.gui
hardware = pytest.importorskip("hardware.simulators.scale")


@pytest.fixture
def rig(qtbot):
    from hardware.simulators.scale import ScaleSimulator
    from hardware.simulators.scanner import ScannerSimulator

    scale = ScaleSimulator("mt-sics", capacity="150", readability="0.01", unit="kg", serial_number="SIM0001",
                           settle_time=0.6, stream_interval=0.05)  # fmt: skip
    scanner = ScannerSimulator()
    hub = DeviceHub(scale_link=scale.start(), scanner_link=scanner.start())
    eng = FakeEngine()
    for a in (api.Login("Granul8-Alvarez", "op.alvarez"), api.StartBatch("B-W", "PARA500-GRAN", 3, Decimal(120), "kg"),
              api.Confirm("OP10.S10"), api.Answer("OP10.S20", True), api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak"),
              api.Scan("OP20.S10", "SCL-150-01"), api.Logout()):  # fmt: skip
        eng.dispatch(a)
    station = build_station(lambda: eng, devices=hub)
    station.window.resize(1024, 768)
    station.window.show()
    d = Driver(station, qtbot)
    yield d, scale, scanner, hub
    station.close()
    scale.stop()
    scanner.stop()


def test_accept_only_when_stable_inside_tolerance_and_scale_replug(rig, qtbot, watchdog) -> None:
    d, scale, scanner, hub = rig
    w = d.window
    qtbot.waitUntil(lambda: w.runner_vm.header.devices.scale_connected, timeout=10000)
    d.login("op.alvarez", "Granul8-Alvarez")
    d.wait_page("runner")
    watchdog.start()
    scanner.scan(LOT_PARACETAMOL)
    qtbot.waitUntil(lambda: getattr(w.runner_vm.step_vm, "lot", "") == "P24-0817", timeout=10000)
    d.wait_idle()
    vm = w.runner_vm.step_vm
    scale.put("1.25")
    qtbot.waitUntil(
        lambda: vm.reading is not None and vm.reading.stable and vm.reading.net == Decimal("1.25"),
        timeout=10000,
    )
    with qtbot.waitSignal(hub.command_done, timeout=10000):
        d.click("weigh_tare")
    qtbot.waitUntil(
        lambda: vm.reading is not None and vm.reading.net == 0 and vm.reading.stable, timeout=10000
    )
    accept = d.find("weigh_accept")
    scale.put("61.27")  # inside the band, but settling first
    qtbot.waitUntil(lambda: vm.reading is not None and not vm.reading.stable, timeout=10000)
    assert not accept.isEnabled(), "ACCEPT while the reading moves"
    qtbot.waitUntil(lambda: vm.reading.stable and vm.reading.net == Decimal("60.02"), timeout=10000)
    assert accept.isEnabled()
    scale.put("61.85")  # net 60.60: above 60.30
    qtbot.waitUntil(lambda: vm.reading.stable and vm.reading.net == Decimal("60.60"), timeout=10000)
    assert not accept.isEnabled() and "weight_out_of_tolerance" in d.text("weigh_state")
    scale.unplug()
    qtbot.waitUntil(lambda: not w.runner_vm.header.devices.scale_connected, timeout=10000)
    assert "DISCONNECTED" in d.text("header_scale") and not accept.isEnabled()
    assert vm.state == "disconnected" and "DISCONNECTED" in d.text("weigh_state")
    scale.put("61.27")
    scale.replug()
    qtbot.waitUntil(lambda: w.runner_vm.header.devices.scale_connected, timeout=15000)
    qtbot.waitUntil(lambda: accept.isEnabled(), timeout=15000)
    assert vm.reading.net == Decimal("60.02")
    d.click("weigh_accept")
    assert w.runner_vm.step_vm.step.id == "OP20.S30"


def test_display_follows_the_stream(rig, qtbot) -> None:
    d, scale, _scanner, _hub = rig
    w = d.window
    qtbot.waitUntil(lambda: w.runner_vm.header.devices.scale_connected, timeout=10000)
    updates = []
    w.runner_vm.header.devices.reading = None
    hub_signal = d.station.devices.reading
    hub_signal.connect(updates.append)
    scale.put("10.00")
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
