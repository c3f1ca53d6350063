"""The view-models, without Qt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from gating.facts import Equipment, Lot
from station.engine import api
from station.ui.viewmodels.devices import DeviceStatus, ScaleReading
from station.ui.viewmodels.forms import DeviationVM, HoldVM, OverrideVM, RefusalPanelVM
from station.ui.viewmodels.home import HomeVM
from station.ui.viewmodels.keyboard import TextBuffer
from station.ui.viewmodels.login import ChangePasswordVM, LoginVM
from station.ui.viewmodels.runner import HeaderVM, RunnerVM
from station.ui.viewmodels.scan import WedgeDetector, decode
from station.ui.viewmodels.session import IdleTracker
from station.ui.viewmodels.steps import EquipmentVM, MeasureVM, SignatureVM, WeighVM

ROOT = Path(__file__).resolve().parents[2]


def step(kind: str, detail: api.StepDetail, sid: str = "OP20.S20", status: str = "active") -> api.StepView:
    return api.StepView(sid, kind, "OP20", "Dispensing", 2, 7, status, detail)


def batch(
    steps: tuple[api.StepView, ...], current: str | None, status: str = "in_progress", devs=()
) -> api.BatchView:
    return api.BatchView(
        "B-1", "PARA500-GRAN", 3, "Paracetamol", "PARA500-GRANULE", "Paracetamol 500 mg granulate",
        Decimal(120), "kg", status, steps, current, devs,
    )  # fmt: skip


WEIGH = api.WeighDetail(
    material="RM-0101", material_name="Paracetamol", target=Decimal("60.0"), unit="kg", low=Decimal("59.7"),
    high=Decimal("60.3"), scale="floor_scale", lot=Lot("RM-0101", "P24-0817", "released", dt.date(2030, 8, 31)),
)  # fmt: skip
SCALE_CHECKS = ("in_service", "calibrated", "clean", "daily_check")


def reading(net: str, stable: bool = True, tare: str = "1.25", unit: str = "kg") -> ScaleReading:
    return ScaleReading(Decimal(net) + Decimal(tare), Decimal(tare), Decimal(net), unit, stable, "SIM0001")


def test_viewmodels_do_not_import_qt() -> None:
    code = (
        "import sys, station.ui.viewmodels.runner, station.ui.viewmodels.login, station.ui.viewmodels.home, "
        "station.ui.viewmodels.forms, station.ui.viewmodels.session, station.ui.viewmodels.reasons, "
        "station.ui.viewmodels.steps; "
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))], 'Qt imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_weigh_accept_only_stable_and_inside_tolerance() -> None:
    vm = WeighVM(step("weigh", WEIGH))
    vm.set_reading(None, connected=False)
    assert vm.state == "disconnected" and not vm.accept_enabled
    vm.set_reading(reading("60.02", stable=False), True)
    assert vm.state == "unstable" and not vm.accept_enabled and vm.reason_code == "weight_unstable"
    vm.set_reading(reading("60.60"), True)
    assert vm.state == "above" and not vm.accept_enabled and vm.reason_code == "weight_out_of_tolerance"
    assert "60.6" in vm.state_text and "60.3" in vm.state_text
    vm.set_reading(reading("59.50"), True)
    assert vm.state == "below" and not vm.accept_enabled
    vm.set_reading(reading("60.02"), True)
    assert vm.state == "ok" and vm.accept_enabled
    action = vm.action()
    assert action == api.Weigh("OP20.S20", Decimal("61.27"), Decimal("1.25"), "kg", True, "SIM0001", "scale")
    g = vm.gauge()
    assert 0 < g["fine_low"] < g["fine_net"] < g["fine_high"] < 1


def test_manual_entry_is_offered_only_while_the_scale_cannot_weigh() -> None:
    vm = WeighVM(step("weigh", WEIGH))
    for shown, connected, fault in (
        (reading("60.02"), True, ""),
        (None, True, ""),
        (reading("1", False), True, ""),
    ):
        vm.set_reading(shown, connected, fault)
        vm.start_manual()
        assert not vm.manual_offered and vm.manual is None  # the scale weighs (or is about to)
    vm.set_reading(None, True, "device_error")  # the scale reports an error
    assert vm.state == "faulty" and vm.manual_offered and "device_error" in vm.state_text
    vm.start_manual()
    manual = vm.manual
    assert manual is not None and manual.reason == "scale_faulty" and not manual.can_continue
    for key in "60.025":
        manual.value.press(key)
    assert manual.weight == Decimal("60.025") and manual.can_continue
    manual.choose("other")
    manual.next()
    manual.witness.set("sv.haddad")
    manual.password.set("pw")
    assert manual.page == "witness" and not manual.can_sign  # "other" needs its words
    manual.note.set("display cracked")
    assert manual.can_sign and manual.summary("RM-0101") == "RM-0101  ·  60.025 kg  ·  display cracked"
    weigh = manual.action()
    assert (weigh.source, weigh.gross, weigh.tare, weigh.reason, weigh.note) == (
        "manual", Decimal("60.025"), Decimal(0), "other", "display cracked"
    )  # fmt: skip
    assert weigh.witness == api.Witness("sv.haddad", "pw") and "pw" not in repr(weigh)
    vm.apply(api.Outcome("refused", "no"))
    assert vm.manual is manual and manual.password.text == "" and manual.witness.text == "sv.haddad"
    vm.apply(api.Outcome("done", "ok"))
    assert vm.manual is None
    vm.set_reading(None, False)
    assert vm.manual_offered
    vm.start_manual()
    assert vm.manual is not None and vm.manual.reason == "scale_disconnected"


def test_weigh_in_grams_on_a_kg_scale() -> None:
    detail = dataclasses.replace(WEIGH, target=Decimal(2400), unit="g", low=Decimal(2352), high=Decimal(2448))
    vm = WeighVM(step("weigh", detail))
    vm.set_reading(reading("2.4175", tare="0.3120"), True)
    assert vm.net == Decimal("2417.5") and vm.accept_enabled
    assert vm.target_text.startswith("Target 2400 g")


def test_weigh_needs_a_lot_first() -> None:
    vm = WeighVM(step("weigh", dataclasses.replace(WEIGH, lot=None)))
    vm.set_reading(reading("60.0"), True)
    assert vm.phase == "scan_lot" and not vm.accept_enabled


def test_measure_limits_and_keypad() -> None:
    vm = MeasureVM(step("measure", api.MeasureDetail("LOD", "%", Decimal("1.0"), Decimal("2.5"), decimals=2)))
    assert vm.state == "empty"
    for k in "1.849":
        vm.buffer.press(k)
    assert vm.buffer.text == "1.84" and vm.state == "in"
    vm.buffer.press("CLEAR")
    for k in "3.1":
        vm.buffer.press(k)
    assert vm.state == "out" and "OUTSIDE" in vm.state_text
    assert vm.action() == api.Enter("OP20.S20", Decimal("3.1"))


def test_equipment_checks_from_refusals_and_facts() -> None:
    detail = api.EquipmentDetail("floor_scale", "FLOOR-SCALE-150KG", SCALE_CHECKS)
    vm = EquipmentVM(step("equipment", detail))
    assert [c.ok for c in vm.checks()] == [None] * 4
    unknown = api.RefusalView("equipment_unknown", "Equipment SCL-9 is not known to the station", False)
    vm.apply(api.Outcome("refused", "no", (unknown,)))
    assert [c.ok for c in vm.checks()] == [None] * 4 and "SCL-9" in vm.other_problem
    # the gate checks every requirement of known equipment: those not refused were met
    refusal = api.RefusalView("equipment_calibration_due", "Calibration due.", False)
    vm.apply(api.Outcome("refused", "no", (refusal,)))
    assert [c.ok for c in vm.checks()] == [True, False, True, True] and not vm.other_problem
    bound = Equipment(
        "SCL-150-01", "FLOOR-SCALE-150KG", "Floor scale 150 kg bay 1", "in_service", dt.date(2030, 3, 31),
        clean_until=dt.datetime(2030, 12, 31, tzinfo=dt.UTC),
        daily_check_until=dt.datetime(2030, 12, 31, 14, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    vm.update(step("equipment", dataclasses.replace(detail, bound=bound)))
    vm.apply(api.Outcome("done", "ok"))
    checks = vm.checks()
    assert all(c.ok for c in checks) and vm.bound_id == "SCL-150-01"
    assert vm.bound_name == "Floor scale 150 kg bay 1"
    # What the gate saw, as an operator reads it: a day, or a moment in UTC (the day at midnight).
    assert [c.value for c in checks] == ["in service", "2030-03-31", "2030-12-31", "2030-12-31 14:30 UTC"]


def test_signature_as_the_engine_shows_it() -> None:
    detail = api.SignatureDetail("Line clearance verified", "supervisor", ("OP10.S10",))
    vm = SignatureVM(
        step("signature", dataclasses.replace(detail, signed_by="Piotr Nowak", signed_by_id="sv.nowak"))
    )
    assert vm.signed == ("Piotr Nowak", "sv.nowak", "")
    assert vm.role_text == "Signed by a supervisor who did not perform OP10.S10"
    vm.scan_badge("B200017")  # the store resolves a badge in the user field
    vm.password.set("pw")
    assert vm.action() == api.Sign("OP20.S20", "B200017", "pw")


def test_signature_both_components_and_signed_display() -> None:
    vm = SignatureVM(step("signature", api.SignatureDetail("Line clearance verified", "supervisor")))
    assert not vm.can_submit
    vm.user.set("sv.nowak")
    assert not vm.can_submit
    vm.password.set("secret")
    assert vm.action() == api.Sign("OP20.S20", "sv.nowak", "secret")
    vm.apply(api.Outcome("done", "ok"))
    assert vm.user.text == "" and vm.password.text == ""
    at = dt.datetime(2026, 11, 3, 9, 41, 7, 120_000, tzinfo=dt.UTC)
    signed = api.SignatureDetail(
        "x", "supervisor", signed_by="Piotr Nowak", signed_by_id="sv.nowak", signed_at=at
    )
    vm.update(step("signature", signed))
    assert vm.signed == ("Piotr Nowak", "sv.nowak", "2026-11-03 09:41 UTC")


def test_login_badge_wrong_password_and_lockout() -> None:
    vm = LoginVM()
    vm.scan_badge("B100234")
    vm.password.set("x")
    assert vm.action() == api.Login(password="x", badge="B100234")
    vm.apply(api.Outcome("refused", "no", (api.RefusalView("login_invalid", "wrong", False),)))
    assert vm.password.text == "" and "wrong" in vm.message.lower() and not vm.locked
    vm.apply(api.Outcome("refused", "no", (api.RefusalView("account_locked", "Locked until 13:00.", False),)))
    assert vm.locked and "LOCKED" in vm.message and "Locked until 13:00." in vm.message


def test_change_password_rules() -> None:
    vm = ChangePasswordVM(user_id="op.chen")
    vm.old.set("Granul8-Chen.26")
    vm.new.set("short")
    assert "at least" in vm.problem
    vm.new.set("Granul8-Chen.26")
    assert "differ" in vm.problem
    vm.new.set("Better-Pass-1")
    vm.repeat.set("Better-Pass-2")
    assert "match" in vm.problem
    vm.repeat.set("Better-Pass-1")
    assert vm.can_submit and vm.action() == api.ChangePassword("op.chen", "Granul8-Chen.26", "Better-Pass-1")


def test_home_groups_and_start_validation() -> None:
    vm = HomeVM()
    recipes = [api.RecipeSummary("PARA500-GRAN", 3, "t", "p", Decimal(120), "kg", "approved"),
               api.RecipeSummary("X", 1, "t", "p", Decimal(1), "kg", "imported")]  # fmt: skip
    batches = [api.BatchSummary("B-2", "PARA500-GRAN", 3, "p", "completed", None, "2026-01-02", 0),
               api.BatchSummary("B-1", "PARA500-GRAN", 3, "p", "in_progress", "OP10.S10", "2026-01-01", 1)]  # fmt: skip
    vm.set_lists(batches, recipes)
    assert [r.code for r in vm.recipes] == ["PARA500-GRAN"]
    assert [s for s, rows in vm.grouped() if rows] == ["in_progress", "completed"]
    assert "batch id" in vm.problem.lower()
    vm.batch_id.set("B-1")
    assert "already exists" in vm.problem
    vm.batch_id.set("B-3")
    assert vm.start_action() == api.StartBatch("B-3", "PARA500-GRAN", 3, Decimal(120), "kg")


def test_runner_header_review_and_panels() -> None:
    s1 = step("equipment", api.EquipmentDetail("floor_scale", "C", ("in_service",)), "OP20.S10")
    s2 = step("weigh", WEIGH, "OP20.S20", "pending")
    user = api.UserView("op.alvarez", "Maria Alvarez", ("operator",))
    vm = RunnerVM(header=HeaderVM(devices=DeviceStatus()))
    vm.set_state(api.StationState(user, batch((s1, s2), "OP20.S10"), ("scan",)))
    assert vm.header.step_line() == "OP20 Dispensing - step 2 of 7" and vm.mode == "step"
    refusal = api.RefusalView("equipment_calibration_due", "Calibration due.", True, "Use another scale.")
    vm.apply(api.Scan("OP20.S10", "SCL-150-02"), api.Outcome("refused", "no", (refusal,)))
    assert (
        vm.panel is not None
        and vm.panel.overridable
        and vm.panel.lines[0].code == "equipment_calibration_due"
    )
    assert vm.panel.lines[0].what_next == "Use another scale."  # English: the engine's own words
    done1 = step("equipment", api.EquipmentDetail("floor_scale", "C", ("in_service",)), "OP20.S10", "done")
    dev = api.DeviationView("D1", "OP20.S10", "override", "why", "sv.haddad", "2026")
    state = api.StationState(user, batch((done1, s2), "OP20.S20", devs=(dev,)), ("scan",))
    vm.apply(api.Scan("OP20.S10", "SCL-150-01"), api.Outcome("done", "ok", state=state))
    assert vm.panel is None and vm.mode == "review" and vm.header.open_deviations == 1
    vm.continue_after_review()
    assert vm.mode == "step" and isinstance(vm.step_vm, WeighVM)
    hard = RefusalPanelVM.from_outcome(
        api.Outcome("refused", "no", (api.RefusalView("lot_quarantined", "Q", False),)), "OP20.S20"
    )
    assert not hard.overridable


def test_forms_need_reasons() -> None:
    o = OverrideVM(step="OP20.S10")
    o.user.set("sv.haddad")
    o.password.set("pw")
    assert "reason" in o.problem.lower()
    o.reason.set("Calibration certificate checked")
    assert o.action() == api.Override("OP20.S10", "sv.haddad", "pw", "Calibration certificate checked")
    d = DeviationVM(step="OP30.S10")
    assert "category" in d.problem.lower()
    d.category = "equipment"
    d.text.set("Lid seal worn")
    assert d.action() == api.RaiseDeviation("equipment", "Lid seal worn", "OP30.S10")
    h = HoldVM()
    assert not h.can_submit
    h.reason.set("Waiting for QA")
    assert h.action() == api.Hold("Waiting for QA")
    assert HoldVM(resume=True).action() == api.Resume("")


def test_idle_tracker_and_wedge_detector_and_decoder() -> None:
    now = [0.0]
    idle = IdleTracker(60, clock=lambda: now[0])
    now[0] = 59
    assert not idle.expired()
    idle.touch()
    now[0] = 118.5
    assert not idle.expired()
    now[0] = 119
    assert idle.expired()
    w = WedgeDetector()
    for i, ch in enumerate("B100234"):
        w.key(ch, 1.0 + i * 0.005)
    assert w.enter(1.04) == "B100234"
    for i, ch in enumerate("op.chen"):
        w.key(ch, 2.0 + i * 0.2)
    assert w.enter(3.5) is None
    assert decode("]C101040123450001081730083110P24-0817").plain == "P24-0817"
    assert decode("B100234").plain == "B100234"


def test_keyboard_buffer() -> None:
    b = TextBuffer(numeric=True, max_decimals=1)
    for k in ".55":
        b.press(k)
    assert b.text == "0.5"
    b.press("SIGN")
    assert b.text == "-0.5"
    t = TextBuffer(secret=True)
    t.press("a")
    t.press("b")
    assert t.shown == "••" and t.text == "ab"


def test_complete_refused_for_an_open_deviation_offers_its_acknowledgement() -> None:
    s1 = step("signature", api.SignatureDetail("m", "operator"), "OP30.S60", "done")
    user = api.UserView("op.alvarez", "Maria Alvarez", ("operator",))
    dev = api.DeviationView("D1", "OP30.S30", "measurement", "170 rpm", "op.alvarez", "2026")
    state = api.StationState(
        user, batch((s1,), None, devs=(dev,)), ("hold", "deviation", "override", "complete")
    )
    vm = RunnerVM(header=HeaderVM(devices=DeviceStatus()))
    vm.set_state(state)
    assert vm.mode == "ready_to_complete" and vm.header.deviations_text == "Open deviations: 1"
    refusal = api.RefusalView("deviation_open", "Deviation at OP30.S30 is open: 170 rpm", False, "Ack it.")
    vm.apply(api.Complete(), api.Outcome("refused", "no", (refusal,), state))
    panel = vm.panel
    assert panel is not None and panel.step == "OP30.S30" and panel.can_acknowledge and panel.overridable
    assert panel.override_label == "SUPERVISOR ACKNOWLEDGE" and panel.detail == refusal.sentence
    no_override = api.StationState(user, state.batch, ("complete",))
    vm.apply(api.Complete(), api.Outcome("refused", "no", (refusal,), no_override))
    assert not vm.panel.overridable


def test_what_next_per_reason_code() -> None:
    from station.ui.viewmodels.reasons import explain, what_next

    assert what_next("lot_quarantined") == "Set the container aside and take a released lot."
    assert what_next("lot_quarantined", "Scan a lot label.") == "Scan a lot label."  # more specific
    assert what_next("a_code_added_later", "Do this.") == "Do this."
    refusal = api.RefusalView("signature_invalid", "The password is not correct", False)
    assert explain(api.Outcome("refused", "no", (refusal,))) == (
        "Enter the user id and password again.\nThe password is not correct"
    )
    assert explain(api.Outcome("error", "batch B-1 is on hold")) == "batch B-1 is on hold"
