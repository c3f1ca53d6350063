"""A dead scale does not stop the line: with the scale unplugged, the weigh view offers manual
entry (never while the scale weighs); the weight on the numeric pad, the reason from the list,
a supervisor signs as witness; the operator herself is refused as witness. Rendered in both
languages at both screen sizes (screenshots in /tmp/mes-screenshots)."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from .flows import LOT_PARACETAMOL
from .real_engine import audit_events, happy_path

pytestmark = pytest.mark.gui

SIZES = [(1024, 768), (1920, 1080)]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_manual_entry_with_a_witness_while_the_scale_is_unplugged(
    rig, qtbot, language: str, size: tuple[int, int]
) -> None:
    d = rig(prepare=happy_path(until="OP20.S20"), size=size, tag=f"{language}-{size[0]}x{size[1]}-")
    w = d.window
    d.click(f"lang_{language}")
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    d.scan(LOT_PARACETAMOL)
    d.put("1.25")
    assert not d.visible("weigh_manual"), "manual entry offered while the scale weighs"
    d.scale.unplug()
    qtbot.waitUntil(lambda: d.visible("weigh_manual"), timeout=10000)
    assert not d.find("weigh_accept").isEnabled()
    d.screenshot("70-weigh-scale-unplugged")
    d.click("weigh_manual")
    assert not d.visible("weigh_accept") and not d.visible("manual_sign")
    assert d.find("manual_reason_scale_disconnected").isChecked()  # what the station saw
    assert not d.find("manual_next").isEnabled()  # no weight yet
    d.numpad("60.02")
    assert d.find("num_5").height() >= 60, "keys too small for gloves"
    d.screenshot("71-manual-value")
    d.click("manual_reason_other")  # another reason needs its words before anyone signs
    d.click("manual_next")
    d.fill("manual_witness", "sv.haddad")
    d.fill("manual_password", d.passwords["sv.haddad"])
    assert d.visible("manual_note") and not d.find("manual_sign").isEnabled()
    d.screenshot("72-manual-witness-other-reason")
    d.click("manual_back")
    d.click("manual_reason_scale_disconnected")
    d.click("manual_next")
    assert not d.visible("manual_note")  # words only for "other"
    # The operator cannot witness her own entry: refused by the engine, shown, and recorded.
    d.fill("manual_witness", "op.alvarez")
    d.fill("manual_password", d.passwords["op.alvarez"])
    d.screenshot("72-manual-witness")
    with qtbot.waitSignal(w.session.outcome_shown, timeout=10000):
        d.click("manual_sign")
    assert [r.code for r in w.runner.vm.panel.refusals] == ["independent_signer_required"]
    d.screenshot("73-manual-witness-refused")
    d.click("panel_ok")
    assert d.visible("manual_witness") and d.find("manual_password").text() == ""  # typed again
    d.fill("manual_witness", "sv.haddad")
    d.fill("manual_password", d.passwords["sv.haddad"])
    d.click("manual_sign")
    qtbot.waitUntil(lambda: w.runner.vm.step_vm.step.id == "OP20.S30", timeout=10000)
    d.screenshot("74-after-manual-entry")
    events = audit_events(d.url, "B-2611-001")
    refused = [e for e in events if e["action"] == "weighing.refused"]
    assert [r["code"] for r in refused[-1]["new_value"]["refusals"]] == ["independent_signer_required"]
    [accepted] = [e["new_value"] for e in events if e["action"] == "weighing.accepted"]
    assert (accepted["source"], accepted["manual_reason"], accepted["witness"], Decimal(accepted["net"])) == (
        "manual",
        "scale_disconnected",
        "sv.haddad",
        Decimal("60.02"),
    )
    with sqlite3.connect(d.url.removeprefix("sqlite:///")) as con:
        signed = con.execute(
            "select signer_id, meaning from signatures where record_table = 'lot_consumptions'"
        ).fetchall()
    assert signed == [("sv.haddad", "Weight entered by hand witnessed")]
    assert json.dumps(accepted).count("Superv1se") == 0  # no password in the record
