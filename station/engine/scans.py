"""Scans and weighing: equipment bound at an equipment step, a lot identified and a weighing
accepted at a weigh step.

Equipment and lots are judged by their master data as the gates see it now
(``MasterFacts``), and recorded as they were at that moment. A scale bound earlier must
still be fit for use when it weighs. ``waived``: the reason codes a supervisor's override
has just set aside for this one attempt (``station.engine.deviations``).
"""

from __future__ import annotations

import functools
from typing import Any

from ebr import events as ev
from ebr.lifecycle import StepStatus
from ebr.replay import BatchState, Recorded
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating import rules
from gating import wording as W
from gating.reasons import ReasonCode, Refusal
from gating.weighing import ScaleLimits, check_reading
from gating.wording import Wording, wording
from hardware.barcodes.decoder import Gs1Item, PlainId, Unreadable, decode_scan
from recipes.ids import shown
from recipes.model import EquipmentStep, WeighStep
from recipes.units import convert
from station.engine import api
from station.engine.answers import ActionError, Result
from station.engine.context import Context
from station.engine.manual_weighing import WITNESS_MEANING, check_scale_serial, check_witness, manual_fields
from station.engine.step_actions import gate_step, step_context

#: A label as the scanner decodes it.
Scanned = Gs1Item | PlainId | Unreadable

#: ``decode_scan``, remembered: a line scans the same few labels (every drum of a lot carries
#: the same one) again and again, and parsing GS1 is the slow part of a scan.
decode = functools.lru_cache(maxsize=256)(decode_scan)

NO_WAIVER: frozenset[str] = frozenset()


def scan(action: api.Scan, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user, step, state = step_context(ctx, uow, action.step, (EquipmentStep, WeighStep))
        scanned = decode(action.code)
        attempt: dict[str, Any] = {"step": action.step, "code": printable(action.code)[:MAX_SCAN_KEPT]}
        if len(action.code) > MAX_SCAN_KEPT:  # a scanner gone mad: the start, and how long it was
            attempt["length"] = len(action.code)
        refusals = gate_step(ctx, uow, user, action.step, state)
        if isinstance(step, EquipmentStep):
            return bind_equipment(ctx, uow, user, step, scanned, attempt, refusals)
        assert isinstance(step, WeighStep)
        return identify_lot(ctx, uow, step, scanned, attempt, refusals)


def bind_equipment(
    ctx: Context,
    uow: UnitOfWork,
    user: gf.Actor,
    step: EquipmentStep,
    scanned: Scanned,
    attempt: dict[str, Any],
    refusals: list[Refusal],
    waived: frozenset[str] = NO_WAIVER,
) -> Result:
    equipment_id = _equipment_id(scanned)
    attempt["equipment_id"] = equipment_id
    if equipment_id is None:
        refusals.append(_unreadable(scanned, "an equipment label"))
        return ctx.refuse(uow, ev.Attempt.EQUIPMENT_SCAN, refusals, attempt)
    equipment = ctx.facts.equipment(uow, equipment_id)
    refusals += rules.check_equipment(step, equipment, equipment_id, ctx.now(), policy=ctx.policy)
    refusals = [r for r in refusals if r.code.value not in waived]
    if refusals:
        return ctx.refuse(uow, ev.Attempt.EQUIPMENT_SCAN, refusals, attempt)
    assert equipment is not None
    bound = ev.EquipmentBound(
        step=step.id,
        code=attempt["code"],
        equipment_id=equipment_id,
        bind=step.bind,
        equipment=_snapshot(equipment),
        performed_by=user.user_id,
    )
    ctx.write(uow, bound)
    ctx.commit(uow)
    return Result("done", f"{equipment.name} ({equipment.id}) bound as {step.bind}")


def identify_lot(
    ctx: Context,
    uow: UnitOfWork,
    step: WeighStep,
    scanned: Scanned,
    attempt: dict[str, Any],
    refusals: list[Refusal],
    waived: frozenset[str] = NO_WAIVER,
) -> Result:
    material: gf.Material | None = None
    lot: gf.Lot | None = None
    lot_id: str | None = None
    if isinstance(scanned, Gs1Item):
        lot_id = scanned.lot
        attempt.update(gtin=scanned.gtin, lot=scanned.lot)
        material = ctx.facts.material_by_gtin(uow, scanned.gtin) if scanned.gtin else None
        if material is not None and lot_id:
            lot = ctx.facts.lot(uow, material.code, lot_id)
    elif isinstance(scanned, PlainId):
        lot_id = scanned.value
        attempt["lot"] = lot_id
        candidates = ctx.facts.lots_by_id(uow, lot_id)
        # A lot id alone may name lots of several materials: the step's material's comes first.
        lot = next(
            (c for c in candidates if c.material == step.material), candidates[0] if candidates else None
        )
        if lot is not None:
            material = ctx.facts.material(uow, lot.material)
    if lot_id is None:
        refusals.append(_unreadable(scanned, "a lot label"))
        return ctx.refuse(uow, ev.Attempt.LOT_SCAN, refusals, attempt)
    expected = ctx.facts.material(uow, step.material)
    refusals += rules.check_lot(
        step, lot, lot_id, material, ctx.now(), policy=ctx.policy, step_material=expected
    )
    refusals = [r for r in refusals if r.code.value not in waived]
    if refusals:
        return ctx.refuse(uow, ev.Attempt.LOT_SCAN, refusals, attempt)
    assert lot is not None and material is not None
    identified = ev.LotIdentified(
        step=step.id,
        code=attempt["code"],
        gtin=attempt.get("gtin"),
        material=material.code,
        material_name=material.name,
        lot=lot.lot,
        status=lot.status,
        expiry=lot.expiry,
        retest=lot.retest,
    )
    ctx.write(uow, identified)
    ctx.commit(uow)
    return Result("done", f"lot {lot.lot} of {material.name} identified")


def weigh(action: api.Weigh, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user, step, state = step_context(ctx, uow, action.step, WeighStep)
        return accept_weighing(ctx, uow, user, step, state, action)


def accept_weighing(
    ctx: Context,
    uow: UnitOfWork,
    user: gf.Actor,
    step: WeighStep,
    state: BatchState,
    action: api.Weigh,
    waived: frozenset[str] = NO_WAIVER,
    override: ev.OverrideSigned | None = None,
) -> Result:
    bound = state.bindings.get(step.scale)
    scale = bound.event.equipment if bound is not None else None
    unit = action.unit or (scale.scale_unit if scale else None) or step.quantity.unit
    net = action.gross - action.tare
    attempt: dict[str, Any] = {
        "step": step.id,
        "gross": str(action.gross),
        "tare": str(action.tare),
        "net": str(net),
        "unit": unit,
        "stable": action.stable,
        "device_serial": action.device_serial,
        "source": action.source,
    }
    refusals = gate_step(ctx, uow, user, step.id, state)
    identified = state.lots.get(step.id)
    if identified is None and state.steps.get(step.id) is not StepStatus.LOT_IDENTIFIED:
        refusals += rules.check_sequence(
            f"{step.id} (scan the lot label)", f"{step.id} lot scan", policy=ctx.policy
        )
    # The scale must still be fit for use at the moment of weighing, not only when it was bound,
    # and the reading one it can make (capacity, readability, minimum weight).
    equipment = ctx.facts.equipment(uow, scale.id) if scale is not None and scale.id else None
    if scale is not None and scale.id:
        bind_step = ctx.recipe.binding(step.id, step.scale)
        refusals += rules.check_equipment(bind_step, equipment, scale.id, ctx.now(), policy=ctx.policy)
    refusals += check_reading(action.gross, action.tare, unit, _limits(equipment), policy=ctx.policy)
    refusals += check_scale_serial(equipment, scale.id if scale is not None else None, action)
    witness: gf.Actor | None = None
    if action.source == "manual":
        attempt.update(reason=action.reason, note=action.note or None)
        attempt["witness"] = action.witness.user if action.witness is not None else None
        witness, witnessed = check_witness(ctx, uow, user, action)
        refusals += witnessed
    # The lot too is judged again with the facts of now: recalled or expired since its scan is
    # refused (a retest already accepted at the scan is not asked again).
    now_lot = _lot_now(ctx, uow, step, identified)
    if identified is not None:
        refusals += [
            r
            for r in rules.check_lot(
                step,
                now_lot,
                identified.event.lot,
                ctx.facts.material(uow, identified.event.material),
                ctx.now(),
                policy=ctx.policy,
                step_material=ctx.facts.material(uow, step.material),
            )
            if not ctx.policy.is_overridable(r.code)
        ]
    target = ctx.control.weighing(step.id)
    try:
        net_in_step_unit = convert(net, unit, target.unit)
    except Exception:
        raise ActionError(f"weight unit {unit!r} cannot be converted to {target.unit}") from None
    attempt.update(
        target=str(target.target.value),
        low=str(target.low),
        high=str(target.high),
        target_unit=target.unit,
        net_in_target_unit=str(net_in_step_unit),
    )
    refusals += rules.check_weight(
        net_in_step_unit, target.unit, target.low, target.high, action.stable, policy=ctx.policy
    )
    refusals = [r for r in refusals if r.code.value not in waived]
    if refusals:
        return ctx.refuse(uow, ev.Attempt.WEIGHING, refusals, attempt)
    assert identified is not None
    lot = identified.event
    accepted = ev.WeighingAccepted(
        step=step.id,
        gross=action.gross,
        tare=action.tare,
        net=net,
        unit=unit,
        stable=action.stable,
        device_serial=action.device_serial,
        source=action.source,
        target=target.target.value,
        low=target.low,
        high=target.high,
        target_unit=target.unit,
        net_in_target_unit=net_in_step_unit,
        material=lot.material,
        material_name=lot.material_name,
        lot=lot.lot,
        lot_status=now_lot.status if now_lot else lot.status,
        lot_expiry=now_lot.expiry if now_lot else lot.expiry,
        lot_retest=now_lot.retest if now_lot else lot.retest,
        override=override,
        performed_by=user.user_id,
        **manual_fields(action, witness),
    )
    if witness is not None:  # the witness signs the weighing's record itself
        ctx.write_signed(uow, accepted, witness, WITNESS_MEANING, step.id)
    else:
        ctx.write(uow, accepted)
    ctx.commit(uow)
    return Result("done", f"{net} {unit} of lot {lot.lot} accepted")


def _limits(equipment: gf.Equipment | None) -> ScaleLimits | None:
    """What the bound scale can weigh, as master data says now (None: no scale figures)."""
    if equipment is None or equipment.scale_unit is None:
        return None
    return ScaleLimits(
        wording(W.SCALE_ID, id=equipment.id),
        equipment.scale_unit,
        capacity=equipment.scale_capacity,
        readability=equipment.scale_readability,
        min_weight=equipment.scale_min_weight,
    )


def _lot_now(
    ctx: Context, uow: UnitOfWork, step: WeighStep, identified: Recorded[ev.LotIdentified] | None
) -> gf.Lot | None:
    if identified is None:
        return None
    return ctx.facts.lot(uow, identified.event.material, identified.event.lot)


#: The most of a scan the record keeps (a GS1-128 label is at most 48 data characters; a
#: 2D code some hundreds): a longer one is no label but a scanner gone mad or a paste.
MAX_SCAN_KEPT = 512


def printable(code: str) -> str:
    """A scan as the record writes it: the GS1 group separator shown as <GS>."""
    return code.replace("\x1d", "<GS>")


def _equipment_id(scanned: Scanned) -> str | None:
    if isinstance(scanned, PlainId):
        return scanned.value
    if isinstance(scanned, Gs1Item):
        return scanned.fields.get("8004") or scanned.fields.get("8003") or None
    return None


def _unreadable(scanned: Scanned, what: str) -> Refusal:
    lot = what == "a lot label"
    reason: str | Wording = (
        scanned.reason
        if isinstance(scanned, Unreadable)
        else wording(W.NOT_A_LOT_LABEL if lot else W.NOT_AN_EQUIPMENT_LABEL)
    )
    worded = wording(W.UNREADABLE_LABEL, code=shown(printable(str(scanned.raw)), 60), reason=reason)
    return Refusal(
        ReasonCode.LOT_UNKNOWN if lot else ReasonCode.EQUIPMENT_UNKNOWN,
        worded.text(),
        False,
        f"Scan {what}.",
        worded,
    )


def _snapshot(e: gf.Equipment) -> ev.EquipmentSnapshot:
    return ev.EquipmentSnapshot(
        id=e.id,
        equipment_class=e.equipment_class,
        name=e.name,
        status=e.status,
        calibrated_until=e.calibrated_until,
        clean_until=e.clean_until,
        daily_check_until=e.daily_check_until,
        scale_capacity=e.scale_capacity,
        scale_readability=e.scale_readability,
        scale_unit=e.scale_unit,
        scale_min_weight=e.scale_min_weight,
        serial_number=e.serial_number,
    )
