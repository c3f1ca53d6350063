"""The para500 batches through the screens with the real engine and simulated devices on ptys."""

from __future__ import annotations

import difflib
import json
import threading
from decimal import Decimal

import pytest

from station.ui.app import build_station
from station.ui.devices import DeviceHub

from .driver import Driver
from .flows import (
    LOT_CROSCARMELLOSE,
    LOT_MCC,
    LOT_PARACETAMOL,
    LOT_PARACETAMOL_QUARANTINED,
    LOT_POVIDONE,
    sign,
)
from .real_engine import batch_record, engine_factory, requires_engine, run_headless, seeded_url

pytestmark = [pytest.mark.gui, requires_engine]

# What the screens record differently from a script, by design: the UI takes the weight from
# the scale (source, serial number, the scale's unit) where the script types it in.
SCALE_FIELDS = ("source", "device_serial", "serial_number", "scale_serial", "unit", "scale_unit", "raw")


@pytest.fixture
def devices():
    from hardware.simulators.scale import ScaleSimulator
    from hardware.simulators.scanner import ScannerSimulator

    scale = ScaleSimulator(
        "mt-sics", capacity="150", readability="0.0001", unit="kg", serial_number="SIM0001",
        settle_time=0.15, stream_interval=0.05, stability_timeout=2.0,
    )  # fmt: skip
    scanner = ScannerSimulator()
    hub = DeviceHub(scale_link=scale.start(), scanner_link=scanner.start())
    yield hub, scale, scanner
    hub.stop()
    scale.stop()
    scanner.stop()


def weigh_on_scale(d: Driver, scale, tare: str, gross: str) -> None:
    vm = lambda: d.window.runner_vm.step_vm  # noqa: E731
    scale.put(tare)
    d.qtbot.waitUntil(
        lambda: (
            vm().reading is not None
            and vm().reading.stable
            and vm().reading.gross == Decimal(tare) + vm().reading.tare - vm().reading.tare
            and vm().reading.net + vm().reading.tare == Decimal(tare)
        ),
        timeout=10000,
    )
    with d.qtbot.waitSignal(d.station.devices.command_done, timeout=10000):
        d.click("weigh_tare")
    d.qtbot.waitUntil(
        lambda: vm().reading is not None and vm().reading.tare == Decimal(tare) and vm().reading.net == 0,
        timeout=10000,
    )
    scale.put(gross)
    try:
        d.qtbot.waitUntil(
            lambda: d.find("weigh_accept").isEnabled() and vm().reading.gross == Decimal(gross), timeout=10000
        )
    except Exception:
        v = vm()
        raise AssertionError(f"{v.step.id}: {v.state} {v.reading} {v.low}..{v.high} {v.unit}") from None
    d.click("weigh_accept")


def scan(d: Driver, scanner, code: str) -> None:
    before = d.window.runner_vm.step_vm
    scanner.scan(code)
    d.qtbot.waitUntil(
        lambda: (
            d.station.client.busy
            or d.window.runner_vm.step_vm is not before
            or d.window.runner_vm.panel is not None
            or d.window.runner_vm.review is not None
            or (getattr(before, "lot", "") != "")
        ),
        timeout=10000,
    )
    d.wait_idle()


def test_happy_path_through_the_screens_writes_the_headless_record(
    tmp_path, qtbot, devices, watchdog
) -> None:
    hub, scale, scanner = devices
    reference = seeded_url(tmp_path, "headless.db")
    assert run_headless(reference, "para500-happy-path.yaml") == 0
    url = seeded_url(tmp_path, "ui.db")
    engines: list = []
    station = build_station(engine_factory(url, engines), devices=hub)
    try:
        w = station.window
        w.resize(1024, 768)
        w.show()
        d = Driver(station, qtbot)
        qtbot.waitUntil(lambda: w.runner_vm.header.devices.scale_connected, timeout=10000)
        qtbot.waitUntil(lambda: w.runner_vm.header.devices.scanner_connected, timeout=10000)
        watchdog.start()
        scanner.scan("B100234")  # the badge, from the serial scanner
        qtbot.waitUntil(lambda: w.login_vm.badge == "B100234", timeout=5000)
        d.fill("login_password", "Granul8-Alvarez")
        d.click("login_submit")
        if w.page_name == "password":  # the imported initial password must be replaced first
            d.fill("password_old", "Granul8-Alvarez")
            d.fill("password_new", "Alvarez-2026-own")
            d.fill("password_repeat", "Alvarez-2026-own")
            d.click("password_submit")
            own = "Alvarez-2026-own"
        else:
            own = "Granul8-Alvarez"
        d.wait_page("home")
        d.click("home_start")
        d.fill("start_batch_id", "B-2611-001")
        d.click("start_submit")
        d.wait_page("runner")
        d.click("instruction_confirm")
        d.click("check_yes")
        sign(d, "sv.nowak", "Superv1se-Nowak")
        d.click("signature_continue")
        scan(d, scanner, "SCL-150-01")
        d.click("equipment_continue")
        scan(d, scanner, LOT_PARACETAMOL)
        weigh_on_scale(d, scale, "1.25", "61.27")
        scan(d, scanner, LOT_MCC)
        weigh_on_scale(d, scale, "1.25", "49.10")
        scan(d, scanner, "SCL-006-01")
        d.click("equipment_continue")
        scan(d, scanner, LOT_POVIDONE)
        weigh_on_scale(d, scale, "0.3120", "3.9310")
        scan(d, scanner, LOT_CROSCARMELLOSE)
        weigh_on_scale(d, scale, "0.3120", "2.7295")
        sign(d, "sv.haddad", "Superv1se-Haddad")
        d.click("signature_continue")
        scan(d, scanner, "GRN-01")
        d.click("equipment_continue")
        d.click("instruction_confirm")
        for value in ("150", "5.0", "1.84"):
            d.numpad(value)
            d.click("measure_record")
        sign(d, "op.alvarez", own)
        d.click("signature_continue")
        d.click("ready_button")
        assert w.runner_vm.batch.status == "completed"
        d.click("runner_logout")
        d.wait_page("login")
        main = threading.main_thread().ident
        assert engines and engines[0].threads and main not in engines[0].threads, (
            "the engine ran on the GUI thread"
        )
    finally:
        station.close()
    ui = batch_record(url, "B-2611-001", SCALE_FIELDS)
    headless = batch_record(reference, "B-2611-001", SCALE_FIELDS)
    if ui != headless:
        a = [json.dumps(e, sort_keys=True, default=str) for e in headless]
        b = [json.dumps(e, sort_keys=True, default=str) for e in ui]
        pytest.fail(
            "records differ:\n" + "\n".join(difflib.unified_diff(a, b, "headless", "ui", lineterm="", n=1))
        )


def test_refusal_script_through_the_screens(tmp_path, qtbot, devices) -> None:
    hub, scale, scanner = devices
    url = seeded_url(tmp_path, "ui.db")
    engines: list = []
    station = build_station(engine_factory(url, engines), devices=hub)
    try:
        w = station.window
        w.resize(1024, 768)
        w.show()
        d = Driver(station, qtbot)
        qtbot.waitUntil(lambda: w.runner_vm.header.devices.scale_connected, timeout=10000)
        d.login("sv.nowak", "Superv1se-Nowak")
        nowak = "Superv1se-Nowak"
        if w.page_name == "password":
            nowak = "Nowak-2026-own"
            d.fill("password_old", "Superv1se-Nowak")
            d.fill("password_new", nowak)
            d.fill("password_repeat", nowak)
            d.click("password_submit")
        d.wait_page("home")
        d.click("home_start")
        d.fill("start_batch_id", "B-2611-002")
        d.click("start_submit")
        d.click("instruction_confirm")
        d.click("check_yes")
        seen: list[str] = []

        def expect(code: str) -> None:
            panel = w.runner_vm.panel
            assert panel is not None, f"no refusal on screen, expected {code}"
            assert code in [c for _s, c, _n in panel.lines]
            body = w.runner.panel.body.text()
            for sentence, c, _n in panel.lines:
                assert c in body and sentence.split(":")[0][:30] in body.replace("&#x27;", "'")
            seen.append(code)
            d.click("panel_ok")

        sign(d, "sv.nowak", nowak)
        expect("independent_signer_required")
        sign(d, "sv.haddad", "wrong-password")
        expect("signature_invalid")
        sign(d, "sv.haddad", "Superv1se-Haddad")
        d.click("signature_continue")
        scan(d, scanner, "SCL-150-02")
        expect("equipment_calibration_due")
        scan(d, scanner, "SCL-150-01")
        d.click("equipment_continue")
        scan(d, scanner, LOT_PARACETAMOL_QUARANTINED)
        expect("lot_quarantined")
        scan(d, scanner, LOT_PARACETAMOL)
        vm = w.runner_vm.step_vm
        scale.put("1.25")
        qtbot.waitUntil(
            lambda: vm.reading is not None and vm.reading.stable and vm.reading.net == Decimal("1.25"),
            timeout=10000,
        )
        with qtbot.waitSignal(hub.command_done, timeout=10000):
            d.click("weigh_tare")
        qtbot.waitUntil(lambda: vm.reading is not None and vm.reading.net == 0, timeout=10000)
        scale.put("61.85")  # net 60.60 kg, above 60.30: no ACCEPT, the view says why
        qtbot.waitUntil(
            lambda: vm.reading is not None and vm.reading.stable and vm.reading.net == Decimal("60.60"),
            timeout=10000,
        )
        assert not d.find("weigh_accept").isEnabled()
        assert "weight_out_of_tolerance" in d.text("weigh_state")
        seen.append("weight_out_of_tolerance")
        scale.put("61.21")
        qtbot.waitUntil(lambda: d.find("weigh_accept").isEnabled(), timeout=10000)
        d.click("weigh_accept")
        assert w.runner_vm.step_vm.step.id == "OP20.S30"
        assert seen == [
            "independent_signer_required",
            "signature_invalid",
            "equipment_calibration_due",
            "lot_quarantined",
            "weight_out_of_tolerance",
        ]
    finally:
        station.close()
