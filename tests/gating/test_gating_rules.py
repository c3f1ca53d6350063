"""Every reason code, each from the reference site's master data and recipe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ruamel.yaml import YAML

from gating import (
    ALWAYS_HARD,
    DEFAULT_POLICY,
    Actor,
    Document,
    Equipment,
    GatePolicy,
    Lot,
    Material,
    Now,
    ReasonCode,
    Refusal,
    TrainingRecord,
    check_equipment,
    check_independent_signer,
    check_login,
    check_lot,
    check_open_deviations,
    check_role,
    check_sequence,
    check_signature,
    check_training,
    check_value,
    check_weighing,
    gate,
)
from gating import wording as W
from gating.rules import (
    check_clock,
    check_not_blocked,
    check_password_age,
    check_password_fresh,
    check_password_not_reused,
    check_record_intact,
    check_sync_age,
)
from gating.weighing import ScaleLimits, check_device, check_manual_entry, check_reading
from gating.wording import wording
from recipes import EquipmentStep, Quantity, WeighStep, load_recipe, scale_recipe

DATA = Path(__file__).resolve().parents[1] / "data"
SITE = YAML(typ="safe").load((DATA / "masterdata" / "site.yaml").read_text(encoding="utf-8"))
RECIPE = load_recipe(DATA / "recipes" / "para500-granulation.yaml")
CONTROL = scale_recipe(RECIPE, Quantity(Decimal(120), "kg"))
NOW = Now(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin"))

ACTORS = {u["id"]: Actor(u["id"], u["name"], frozenset(u["roles"])) for u in SITE["users"]}
DOCUMENTS = {d["code"]: Document(d["code"], d["revision"], d["title"]) for d in SITE["documents"]}
TRAINING = [
    TrainingRecord(t["user"], t["document"], t["revision"], t["trained_on"], t.get("expires"))
    for t in SITE["training"]
]
MATERIALS = {m["code"]: Material(m["code"], m["name"], m["gtin"]) for m in SITE["materials"]}
LOTS = {
    lot["lot"]: Lot(lot["material"], lot["lot"], lot["status"], lot.get("expiry"), lot.get("retest"))
    for lot in SITE["lots"]
}


def _equipment(e: dict[str, Any]) -> Equipment:
    scale = e.get("scale") or {}
    return Equipment(
        id=e["id"],
        equipment_class=e["class"],
        name=e["name"],
        status=e["status"],
        calibrated_until=e.get("calibrated_until"),
        clean_until=e.get("clean_until"),
        daily_check_until=e.get("daily_check_until"),
        scale_capacity=Decimal(str(scale["capacity"])) if scale else None,
        scale_readability=Decimal(str(scale["readability"])) if scale else None,
        scale_unit=scale.get("unit"),
    )


EQUIPMENT = {e["id"]: _equipment(e) for e in SITE["equipment"]}


def step(step_id: str) -> Any:
    return RECIPE.step(step_id)


def training_of(user: str, step_id: str) -> tuple[Refusal, ...]:
    return check_training(ACTORS[user], RECIPE.required_training(step_id), DOCUMENTS, TRAINING, NOW)


def lot(step_id: str, lot_id: str) -> tuple[Refusal, ...]:
    weigh: WeighStep = step(step_id)
    found = LOTS.get(lot_id)
    return check_lot(
        weigh,
        found,
        lot_id,
        MATERIALS.get(found.material) if found else None,
        NOW,
        step_material=MATERIALS[weigh.material],
    )


def equipment(step_id: str, equipment_id: str) -> tuple[Refusal, ...]:
    return check_equipment(step(step_id), EQUIPMENT.get(equipment_id), equipment_id, NOW)


@dataclass(frozen=True)
class Case:
    code: ReasonCode
    check: Callable[[], tuple[Refusal, ...]]
    sentence: str  # the operator's sentence, exactly


CASES = [
    Case(
        ReasonCode.TRAINING_MISSING,
        lambda: training_of("qa.dubois", "OP30.S20"),
        "Claire Dubois has no training record for SOP-GRAN-012 (Wet granulation in the high-shear granulator)",
    ),
    Case(
        ReasonCode.TRAINING_EXPIRED,
        lambda: training_of("op.okafor", "OP30.S20"),
        "The training of Ngozi Okafor on SOP-GRAN-012 revision 4 expired on 31 Jan 2026",
    ),
    Case(
        ReasonCode.TRAINING_OUTDATED_REVISION,
        lambda: training_of("op.chen", "OP20.S20"),
        "Wei Chen is trained on SOP-DISP-003 revision 6, but revision 7 is current: retraining is needed",
    ),
    Case(
        ReasonCode.ROLE_REQUIRED,
        lambda: check_role(ACTORS["op.alvarez"], step("OP10.S30").role),
        "This needs the supervisor role; Maria Alvarez has operator",
    ),
    Case(
        ReasonCode.INDEPENDENT_SIGNER_REQUIRED,
        lambda: check_independent_signer("sv.nowak", {"OP10.S10": {"sv.nowak"}}, signer_name="Piotr Nowak"),
        "Piotr Nowak performed OP10.S10: this signature must come from someone else",
    ),
    Case(
        ReasonCode.SEQUENCE,
        lambda: check_sequence("OP20.S30", "OP20.S20"),
        "OP20.S30 cannot be done now: the current step is OP20.S20",
    ),
    Case(
        ReasonCode.LOT_UNKNOWN,
        lambda: lot("OP20.S20", "P99-0001"),
        "Lot P99-0001 is not known to the station",
    ),
    Case(
        ReasonCode.LOT_QUARANTINED,
        lambda: lot("OP20.S20", "P24-0502"),
        "Lot P24-0502 of Paracetamol is QUARANTINED: it may not be used",
    ),
    Case(
        ReasonCode.LOT_REJECTED,
        lambda: lot("OP20.S60", "C25-0311"),
        "Lot C25-0311 of Croscarmellose sodium is REJECTED: it may not be used",
    ),
    Case(
        ReasonCode.LOT_EXPIRED,
        lambda: lot("OP20.S30", "M23-0415"),
        "Lot M23-0415 of Microcrystalline cellulose PH-101 expired on 30 Apr 2026",
    ),
    Case(
        ReasonCode.LOT_RETEST_DUE,
        lambda: lot("OP20.S50", "K23-0901"),
        "Lot K23-0901 of Povidone K30 was due for retest on 1 Sep 2026",
    ),
    Case(
        ReasonCode.LOT_WRONG_MATERIAL,
        lambda: lot("OP20.S20", "M24-1130"),
        "Lot M24-1130 is Microcrystalline cellulose PH-101 (RM-0202), but this step weighs Paracetamol (RM-0101)",
    ),
    Case(
        ReasonCode.EQUIPMENT_UNKNOWN,
        lambda: equipment("OP20.S10", "SCL-999"),
        "Equipment SCL-999 is not known to the station",
    ),
    Case(
        ReasonCode.EQUIPMENT_WRONG_CLASS,
        lambda: equipment("OP20.S10", "SCL-006-01"),
        "Scale SCL-006-01 is a BENCH-SCALE-6KG, but this step needs a FLOOR-SCALE-150KG",
    ),
    Case(
        ReasonCode.EQUIPMENT_OUT_OF_SERVICE,
        lambda: equipment("OP20.S40", "SCL-006-02"),
        "Scale SCL-006-02 (Bench scale 6 kg spare) is OUT OF SERVICE: it may not be used",
    ),
    Case(
        ReasonCode.EQUIPMENT_CALIBRATION_DUE,
        lambda: equipment("OP20.S10", "SCL-150-02"),
        "Scale SCL-150-02 calibration expired on 31 Oct 2026",
    ),
    Case(
        ReasonCode.EQUIPMENT_NOT_CLEAN,
        lambda: equipment("OP30.S10", "GRN-02"),
        "Equipment GRN-02 is not clean: its clean hold time ended 1 Nov 2026 07:00 CET",
    ),
    Case(
        ReasonCode.EQUIPMENT_DAILY_CHECK_DUE,
        lambda: check_equipment(
            step("OP20.S10"),
            Equipment(
                "SCL-150-03",
                "FLOOR-SCALE-150KG",
                "Floor scale 150 kg bay 3",
                "in_service",
                date(2030, 1, 1),
                datetime(2030, 1, 1, tzinfo=UTC),
                datetime(2026, 11, 26, 5, 0, tzinfo=UTC),
            ),
            "SCL-150-03",
            NOW,
        ),
        "Scale SCL-150-03 daily check is due since 26 Nov 2026 06:00 CET",
    ),
    Case(
        ReasonCode.WEIGHT_OUT_OF_TOLERANCE,
        lambda: check_weighing(Decimal("60.60"), "kg", CONTROL.weighing("OP20.S20"), stable=True),
        "Net weight 60.60 kg is above the upper limit 60.3 kg by 0.3 kg",
    ),
    Case(
        ReasonCode.WEIGHT_UNSTABLE,
        lambda: check_weighing(Decimal("60.00"), "kg", CONTROL.weighing("OP20.S20"), stable=False),
        "The scale reading is not stable: it cannot be accepted",
    ),
    Case(
        ReasonCode.SIGNATURE_INVALID,
        lambda: check_signature(ACTORS["sv.haddad"], password_ok=False),
        "The password of Leila Haddad is not correct: the signature was not accepted",
    ),
    Case(
        ReasonCode.LOGIN_INVALID,
        lambda: check_login(None, password_ok=False),
        "The user id or password is not correct",
    ),
    Case(
        ReasonCode.ACCOUNT_LOCKED,
        lambda: check_login(ACTORS["op.chen"], password_ok=True, locked=True),
        "The account of Wei Chen is locked",
    ),
    Case(
        ReasonCode.VALUE_OUT_OF_LIMITS,
        lambda: check_value(
            Decimal(171), Decimal(140), Decimal(160), name="Impeller speed during dry mixing", unit="rpm"
        ),
        "Impeller speed during dry mixing 171 rpm is above the upper limit 160 rpm",
    ),
    Case(
        ReasonCode.DEVIATION_OPEN,
        lambda: check_open_deviations(["DEV-0007 impeller speed 171 rpm at OP30.S30"]),
        "1 deviation is open: DEV-0007 impeller speed 171 rpm at OP30.S30",
    ),
    Case(
        ReasonCode.PASSWORD_CHANGE_REQUIRED,
        lambda: check_password_fresh(ACTORS["op.chen"], must_change=True),
        "Wei Chen still has the initial password: it must be changed before anything else",
    ),
    Case(
        ReasonCode.WEIGHT_BELOW_MINIMUM,
        lambda: check_reading(Decimal("1.26"), Decimal("1.25"), "kg", FLOOR_SCALE),
        "Net weight 0.01 kg is below the minimum weight 8.2 kg of Scale SCL-150-01",
    ),
    Case(
        ReasonCode.WEIGHT_ABOVE_CAPACITY,
        lambda: check_reading(Decimal("152.50"), Decimal("1.25"), "kg", FLOOR_SCALE),
        "Scale SCL-150-01 carries at most 150 kg: 152.50 kg is more than it can weigh",
    ),
    Case(
        ReasonCode.WEIGHT_INVALID,
        lambda: check_reading(Decimal("61.273456789"), Decimal("1.25"), "kg", FLOOR_SCALE),
        "Gross 61.273456789 kg is finer than Scale SCL-150-01 can read (it reads 0.01 kg)",
    ),
    Case(
        ReasonCode.EQUIPMENT_WRONG_DEVICE,
        lambda: check_device("B150-4471920", "B150-4471957", "Scale SCL-150-01"),
        "The scale at the station reports serial number B150-4471957, but Scale SCL-150-01 has serial number B150-4471920",
    ),
    Case(
        ReasonCode.STEP_BLOCKED_BY_DEVIATION,
        lambda: check_not_blocked(
            "OP10.S20", "Does the granulator carry a CLEAN status label?", wording(W.NO)
        ),
        "The batch is stopped at OP10.S20: Does the granulator carry a CLEAN status label? was answered NO; a supervisor must decide how it goes on",
    ),
    Case(
        ReasonCode.SYNC_STALE,
        lambda: check_sync_age(timedelta(days=3, hours=2), timedelta(hours=24)),
        "The oldest record not yet at the central QMS is 3 d old (the site allows 24 h): no new batch until it is synced",
    ),
    Case(
        ReasonCode.CLOCK_BEHIND_RECORD,
        lambda: check_clock(NOW, datetime(2026, 11, 26, 10, 0, tzinfo=UTC), timedelta(minutes=5)),
        "The station's clock (26 Nov 2026 10:30 CET) is behind the newest record (26 Nov 2026 11:00 CET): nothing can be recorded until it is set right",
    ),
    Case(
        ReasonCode.RECORD_NOT_INTACT,
        lambda: check_record_intact("B-1", "event 12 of B-1: hash mismatch"),
        "The record of batch B-1 does not verify (event 12 of B-1: hash mismatch): it cannot be approved",
    ),
    Case(
        ReasonCode.MANUAL_WEIGHING_UNWITNESSED,
        lambda: check_manual_entry("scale_disconnected", "", "op.alvarez", None, witness_given=False),
        "A weight entered by hand needs a second person's e-signature as witness",
    ),
    Case(
        ReasonCode.PASSWORD_REUSED,
        lambda: check_password_not_reused("Wei Chen", True, 5),
        "The new password is one of the last 5 passwords of Wei Chen: choose another",
    ),
    Case(
        ReasonCode.PASSWORD_EXPIRED,
        lambda: check_password_age("Wei Chen", timedelta(days=91), 90),
        "The password of Wei Chen is older than 90 days: it must be changed before anything else",
    ),
]

#: The floor scale of the reference data (2026-12: with its minimum weight).
FLOOR_SCALE = ScaleLimits(
    "Scale SCL-150-01", "kg", capacity=Decimal(150), readability=Decimal("0.01"), min_weight=Decimal("8.2")
)

#: Reason codes produced outside gating (none today: every code has a rule here).
HANDLED_ELSEWHERE: frozenset[ReasonCode] = frozenset()


def test_the_table_names_every_reason_code() -> None:
    assert {case.code for case in CASES} == set(ReasonCode) - HANDLED_ELSEWHERE
    assert len(CASES) == len(set(ReasonCode))
    assert {code.value for code in ReasonCode} == {
        "training_missing", "training_expired", "training_outdated_revision", "role_required",
        "independent_signer_required", "sequence", "lot_unknown", "lot_quarantined", "lot_rejected",
        "lot_expired", "lot_retest_due", "lot_wrong_material", "equipment_unknown", "equipment_wrong_class",
        "equipment_out_of_service", "equipment_calibration_due", "equipment_not_clean",
        "equipment_daily_check_due", "weight_out_of_tolerance", "weight_unstable", "signature_invalid",
        "login_invalid", "account_locked", "value_out_of_limits", "deviation_open",
        "password_change_required", "weight_below_minimum", "weight_above_capacity", "weight_invalid",
        "equipment_wrong_device", "step_blocked_by_deviation", "sync_stale", "clock_behind_record",
        "record_not_intact", "manual_weighing_unwitnessed", "password_reused", "password_expired",
    }  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.code.value for case in CASES])
def test_reason_code(case: Case) -> None:
    refusals = case.check()
    assert [r.code for r in refusals] == [case.code]
    [refusal] = refusals
    assert refusal.sentence == case.sentence
    # The template the station translates says the same in English.
    assert refusal.wording is not None and refusal.wording.text() == case.sentence
    assert refusal.overridable == DEFAULT_POLICY.is_overridable(case.code)
    assert refusal.what_next
    result = gate(refusal for refusal in refusals)
    assert result.passed is (case.code == ReasonCode.VALUE_OUT_OF_LIMITS)  # a finding never blocks


# ---------------------------------------------------------------- what passes


@pytest.mark.parametrize("step_id", [s.id for _, s in RECIPE.steps()])
def test_maria_alvarez_is_trained_for_every_step(step_id: str) -> None:
    assert training_of("op.alvarez", step_id) == ()


def test_happy_path_facts_pass() -> None:
    result = gate(
        lot("OP20.S20", "P24-0817"),
        lot("OP20.S30", "M24-1130"),
        lot("OP20.S50", "K24-0220"),
        lot("OP20.S60", "C25-0103"),
        equipment("OP20.S10", "SCL-150-01"),
        equipment("OP20.S40", "SCL-006-01"),
        equipment("OP30.S10", "GRN-01"),
        check_role(ACTORS["sv.nowak"], "supervisor"),
        check_independent_signer("sv.nowak", {"OP10.S10": {"op.alvarez"}}),
        check_sequence("OP20.S20", "OP20.S20"),
        check_signature(ACTORS["sv.nowak"], password_ok=True),
        check_login(ACTORS["op.alvarez"], password_ok=True),
        check_weighing(Decimal("60.02"), "kg", CONTROL.weighing("OP20.S20"), stable=True),
        check_weighing(Decimal("47.85"), "kg", CONTROL.weighing("OP20.S30"), stable=True),
        check_weighing(Decimal("3.6190"), "kg", CONTROL.weighing("OP20.S50"), stable=True),
        check_weighing(Decimal("2.4175"), "kg", CONTROL.weighing("OP20.S60"), stable=True),  # kg on a g step
        check_value(Decimal(150), Decimal(140), Decimal(160)),
        check_open_deviations([]),
    )
    assert result.passed and result.refusals == ()


def test_granulator_needs_no_daily_check_or_calibration_from_this_step() -> None:
    granulator: EquipmentStep = step("OP30.S10")
    stale = Equipment(
        "GRN-09",
        "HIGH-SHEAR-GRANULATOR",
        "old",
        "in_service",
        date(2020, 1, 1),
        datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert check_equipment(granulator, stale, "GRN-09", NOW) == ()


def test_a_lot_with_several_problems_reports_each_mix_up_first() -> None:
    codes = [r.code for r in lot("OP20.S20", "C25-0311")]
    assert codes == [ReasonCode.LOT_WRONG_MATERIAL, ReasonCode.LOT_REJECTED]


def test_weight_bounds_are_inclusive_and_units_convert() -> None:
    target = CONTROL.weighing("OP20.S60")  # 2400 g +-2 %: 2352 .. 2448 g
    assert check_weighing(Decimal(2352), "g", target, stable=True) == ()
    assert check_weighing(Decimal("2.448"), "kg", target, stable=True) == ()
    [below] = check_weighing(Decimal("2.3519"), "kg", target, stable=True)
    assert below.sentence == "Net weight 2.3519 kg (2351.9 g) is below the lower limit 2352 g by 0.1 g"
    assert below.overridable


def test_value_without_limits_is_fine_and_low_limit_is_inclusive() -> None:
    assert check_value(Decimal(-5), None, None) == ()
    assert check_value(Decimal("4.5"), Decimal("4.5"), Decimal("5.5")) == ()
    [low] = check_value(Decimal("4.4"), Decimal("4.5"), Decimal("5.5"), name="Dry mixing time", unit="min")
    assert low.sentence == "Dry mixing time 4.4 min is below the lower limit 4.5 min"


@pytest.mark.parametrize(
    ("actor", "password_ok", "sentence"),
    [
        (None, True, "The user id or password is not correct: the signature was not accepted"),
        (
            Actor("x", "Ex Employee", frozenset({"supervisor"}), active=False),
            True,
            "The account of Ex Employee is not active: it cannot sign",
        ),
        (
            Actor("y", "Locked Out", frozenset({"supervisor"}), locked=True),
            True,
            "The account of Locked Out is locked: it cannot sign",
        ),
    ],
)
def test_signature_refusals(actor: Actor | None, password_ok: bool, sentence: str) -> None:
    [refusal] = check_signature(actor, password_ok)
    assert (refusal.code, refusal.sentence, refusal.overridable) == (
        ReasonCode.SIGNATURE_INVALID,
        sentence,
        False,
    )


def test_login_variants() -> None:
    chen = ACTORS["op.chen"]
    assert [r.code for r in check_login(chen, password_ok=False)] == [ReasonCode.LOGIN_INVALID]
    assert [r.code for r in check_login(Actor("z", "Z", frozenset(), locked=True), password_ok=False)] == [
        ReasonCode.ACCOUNT_LOCKED
    ]
    [inactive] = check_login(Actor("z", "Zoe Ward", frozenset(), active=False), password_ok=True)
    assert inactive.sentence == "The account of Zoe Ward is not active"


def test_training_on_an_unknown_document_and_a_newer_revision() -> None:
    [unknown] = check_training(ACTORS["op.alvarez"], ["SOP-XYZ-999"], DOCUMENTS, TRAINING, NOW)
    assert unknown.code == ReasonCode.TRAINING_MISSING and "SOP-XYZ-999" in unknown.sentence
    ahead = [TrainingRecord("op.alvarez", "SOP-LC-001", 3, date(2026, 1, 1), None)]
    [outdated] = check_training(ACTORS["op.alvarez"], ["SOP-LC-001"], DOCUMENTS, ahead, NOW)
    assert outdated.code == ReasonCode.TRAINING_OUTDATED_REVISION and "synchronised" in outdated.sentence


def test_sequence_after_the_last_step() -> None:
    [refusal] = check_sequence("OP30.S60", None)
    assert refusal.sentence == "Every step is done: OP30.S60 cannot be done now"


def test_lot_status_other_than_the_three_known_is_not_released() -> None:
    odd = Lot("RM-0101", "P24-0999", "blocked", date(2030, 1, 1))
    [refusal] = check_lot(step("OP20.S20"), odd, "P24-0999", MATERIALS["RM-0101"], NOW)
    assert refusal.code == ReasonCode.LOT_QUARANTINED and "'blocked'" in refusal.sentence


# ---------------------------------------------------------------- policy


def test_default_policy_overrides_only_the_soft_codes() -> None:
    assert DEFAULT_POLICY.overridable == {
        ReasonCode.LOT_RETEST_DUE,
        ReasonCode.EQUIPMENT_DAILY_CHECK_DUE,
        ReasonCode.WEIGHT_OUT_OF_TOLERANCE,
    }


def test_a_site_may_harden_a_soft_code() -> None:
    strict = DEFAULT_POLICY.harden(ReasonCode.WEIGHT_OUT_OF_TOLERANCE)
    [refusal] = check_weighing(
        Decimal("60.60"), "kg", CONTROL.weighing("OP20.S20"), stable=True, policy=strict
    )
    assert not refusal.overridable


def test_a_site_may_soften_a_hard_code_that_is_not_always_hard() -> None:
    lenient = DEFAULT_POLICY.soften("equipment_not_clean")
    [refusal] = check_equipment(step("OP30.S10"), EQUIPMENT["GRN-02"], "GRN-02", NOW, policy=lenient)
    assert refusal.overridable
    assert gate([refusal]).overridable and not gate([refusal]).passed


@pytest.mark.parametrize("code", sorted(ALWAYS_HARD | {ReasonCode.VALUE_OUT_OF_LIMITS}))
def test_no_site_may_soften_an_always_hard_code(code: ReasonCode) -> None:
    with pytest.raises(ValueError, match="cannot make these codes overridable"):
        DEFAULT_POLICY.soften(code)
    with pytest.raises(ValueError):
        GatePolicy(frozenset({code}))


def test_always_hard_covers_what_must_never_be_overridden() -> None:
    must = {
        "lot_quarantined", "lot_rejected", "lot_expired", "lot_unknown", "lot_wrong_material",
        "training_missing", "training_expired", "training_outdated_revision",
        "equipment_calibration_due", "equipment_out_of_service",
        "signature_invalid", "login_invalid", "account_locked",
    }  # fmt: skip
    assert must <= {code.value for code in ALWAYS_HARD}


def test_gate_result_mixes_findings_and_refusals() -> None:
    finding = check_value(Decimal(171), Decimal(140), Decimal(160))
    soft = lot("OP20.S50", "K23-0901")
    hard = lot("OP20.S20", "P24-0502")
    assert gate(finding).passed and gate(finding).findings == finding
    assert not gate(finding, soft).passed and gate(finding, soft).overridable
    assert not gate(soft, hard).overridable
    assert gate(soft, hard).codes == (ReasonCode.LOT_RETEST_DUE, ReasonCode.LOT_QUARANTINED)
