"""The para500 batches through the screens: the same record as the headless runner writes."""

from __future__ import annotations

import difflib
import json
import threading

import pytest

from .flows import (
    LOT_CROSCARMELLOSE,
    LOT_MCC,
    LOT_PARACETAMOL,
    LOT_PARACETAMOL_QUARANTINED,
    LOT_POVIDONE,
)
from .real_engine import BADGES, HAPPY, batch_record, copy_of, run_headless

pytestmark = pytest.mark.gui

# What the screens record differently from a script, by design: the UI takes the weight from
# the scale (source, serial number, the scale's unit) where the script types it in.
SCALE_FIELDS = ("source", "device_serial", "serial_number", "scale_serial", "unit", "scale_unit", "raw")


def test_happy_path_through_the_screens_writes_the_headless_record(
    rig, approved_template, tmp_path, qtbot, watchdog
) -> None:
    reference = copy_of(approved_template, tmp_path, "headless.db")
    assert run_headless(reference, HAPPY) == 0
    d = rig()
    w = d.window
    watchdog.start()
    d.scan_badge(BADGES["op.alvarez"])  # the badge, from the serial scanner
    d.fill("login_password", d.passwords["op.alvarez"])
    d.click("login_submit")
    d.wait_page("home")  # she set her own password when the site was set up
    d.start_batch("B-2611-001")
    d.click("instruction_confirm")
    d.click("check_yes")
    d.sign("sv.nowak")
    d.click("signature_continue")
    d.scan("SCL-150-01")
    d.click("equipment_continue")
    d.scan(LOT_PARACETAMOL)
    d.weigh("1.25", "61.27")
    d.scan(LOT_MCC)
    d.weigh("1.25", "49.10")
    d.scan("SCL-006-01")
    d.click("equipment_continue")
    d.scan(LOT_POVIDONE)
    d.weigh("0.3120", "3.9310")
    d.scan(LOT_CROSCARMELLOSE)
    d.weigh("0.3120", "2.7295")
    d.sign("sv.haddad")
    d.click("signature_continue")
    d.scan("GRN-01")
    d.click("equipment_continue")
    d.click("instruction_confirm")
    for value in ("150", "5.0", "1.84"):
        d.measure(value)
    d.sign("op.alvarez")
    d.click("signature_continue")
    d.click("ready_button")
    assert w.runner.vm.batch.status == "completed"
    d.click("runner_logout")
    d.wait_page("login")
    main = threading.main_thread().ident
    assert d.engines and d.engines[0].threads and main not in d.engines[0].threads, (
        "the engine ran on the GUI thread"
    )
    ui = batch_record(d.url, "B-2611-001", SCALE_FIELDS)
    headless = batch_record(reference, "B-2611-001", SCALE_FIELDS)
    if ui != headless:
        a = [json.dumps(e, sort_keys=True, default=str) for e in headless]
        b = [json.dumps(e, sort_keys=True, default=str) for e in ui]
        pytest.fail(
            "records differ:\n" + "\n".join(difflib.unified_diff(a, b, "headless", "ui", lineterm="", n=1))
        )


def test_refusal_script_through_the_screens(rig, watchdog) -> None:
    """tests/data/scripts/para500-refusals.yaml, as an operator meets it: each refusal on screen
    with its reason code, what to do and the engine's sentence."""
    d = rig()
    w = d.window
    d.login("sv.nowak")
    d.start_batch("B-2611-002")
    watchdog.start()
    d.click("instruction_confirm")
    d.click("check_yes")
    seen: list[str] = []

    def expect(code: str) -> None:
        panel = w.runner.vm.panel
        assert panel is not None, f"no refusal on screen, expected {code}"
        assert code in [line.code for line in panel.lines]
        text = d.panel_text
        for line in panel.lines:
            assert line.code in text and line.sentence in text and line.what_next in text
        seen.append(code)
        d.click("panel_ok")

    d.sign("sv.nowak")  # he did the line clearance himself
    expect("independent_signer_required")
    d.sign("sv.haddad", "wrong-password")
    expect("signature_invalid")
    d.sign("sv.haddad")
    d.click("signature_continue")
    d.scan("SCL-150-02")
    expect("equipment_calibration_due")
    d.scan("SCL-150-01")
    d.click("equipment_continue")
    d.scan(LOT_PARACETAMOL_QUARANTINED)
    expect("lot_quarantined")
    d.scan(LOT_PARACETAMOL)
    d.put("1.25")
    d.tare()
    d.put("61.85")  # net 60.60 kg, above 60.30: no ACCEPT, the view says why
    assert not d.find("weigh_accept").isEnabled()
    assert "weight_out_of_tolerance" in d.text("weigh_state")
    seen.append("weight_out_of_tolerance")
    d.put("61.21")
    d.click("weigh_accept")
    assert w.runner.vm.step_vm.step.id == "OP20.S30"
    assert seen == [
        "independent_signer_required",
        "signature_invalid",
        "equipment_calibration_due",
        "lot_quarantined",
        "weight_out_of_tolerance",
    ]
