"""Weighings as the batch record shows them: an accepted one from its event and typed row, a
refused one from what the gates had in hand; each with the lot identified and the scale bound
at its step when it was weighed (as the replay had them), its target and accepted range in the
weighing's own unit, and the scale's readability (it chooses a label's decimals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ebr import models
from ebr.events import ActionRefused, EquipmentBound, LotIdentified, WeighingAccepted
from ebr.export.record import LotConsumption, RecordRef
from recipes.units import convert


def accepted(
    event: WeighingAccepted,
    row: models.LotConsumption,
    *,
    lot: LotIdentified | None,
    scale: EquipmentBound | None,
    material: models.Material | None,
    target: Mapping[str, Any],
    ref: RecordRef | None,
) -> LotConsumption:
    given = {"target": event.target, "target_unit": event.target_unit, "low": event.low, "high": event.high}
    goal, target_unit, low, high = _limits(target, event.unit, given)
    return LotConsumption(
        uid=row.uid,
        step_id=event.step,
        material_code=event.material,
        material_name=material.name if material else event.material_name or "",
        gtin=material.gtin if material else lot.gtin if lot else None,
        lot=event.lot,
        lot_status=event.lot_status or "",
        lot_expiry=event.lot_expiry,
        lot_retest=row.lot_retest,  # the row holds it (the event does not)
        gross=event.gross,
        tare=event.tare,
        net=event.net,
        unit=event.unit,
        target=goal,
        target_unit=target_unit,
        low=low,
        high=high,
        scale_id=scale.equipment.id if scale else None,
        scale_serial=event.device_serial,
        source=event.source,
        accepted=True,
        refusal_reason=None,
        weighed_by=event.performed_by,
        weighed_at=row.weighed_at,
        readability=_readability(scale, event.unit),
        ref=ref,
        manual_reason=event.manual_reason,
        manual_note=event.manual_note,
        witness=event.witness,
    )


def refused(
    event: ActionRefused,
    *,
    uid: str,
    step: str,
    codes: list[str],
    weighed_by: str | None,
    weighed_at: dt.datetime,
    lot: LotIdentified | None,
    scale: EquipmentBound | None,
    material: models.Material | None,
    target: Mapping[str, Any],
) -> LotConsumption:
    attempt = event.attempt
    unit = str(attempt.get("unit") or "")
    goal, target_unit, low, high = _limits(target, unit, attempt)
    serial = attempt.get("device_serial")
    return LotConsumption(
        uid=uid,
        step_id=step,
        material_code=lot.material if lot else "",
        material_name=material.name if material else (lot.material_name or "") if lot else "",
        gtin=material.gtin if material else lot.gtin if lot else None,
        lot=lot.lot if lot else "—",
        lot_status=lot.status if lot else "",
        lot_expiry=lot.expiry if lot else None,
        lot_retest=lot.retest if lot else None,
        gross=_decimal(attempt.get("gross")) or Decimal(0),
        tare=_decimal(attempt.get("tare")) or Decimal(0),
        net=_decimal(attempt.get("net")) or Decimal(0),
        unit=unit,
        target=goal,
        target_unit=target_unit,
        low=low,
        high=high,
        scale_id=scale.equipment.id if scale else None,
        scale_serial=None if serial is None else str(serial),
        source=str(attempt.get("source") or "manual"),
        accepted=False,
        refusal_reason=", ".join(codes),
        weighed_by=weighed_by,
        weighed_at=weighed_at,
    )


def _limits(
    target: Mapping[str, Any], unit: str, given: Mapping[str, Any]
) -> tuple[Decimal | None, str | None, Decimal | None, Decimal | None]:
    """Target, its unit, and the accepted net range in ``unit``: as the weighing carried them,
    else as the control recipe scaled them (``target``)."""
    target_unit = str(given.get("target_unit") or target.get("unit") or "") or None
    goal = _decimal(given.get("target", target.get("target")))
    low = _decimal(given.get("low", target.get("low")))
    high = _decimal(given.get("high", target.get("high")))
    if target_unit and target_unit != unit:
        try:
            low = convert(low, target_unit, unit) if low is not None else None
            high = convert(high, target_unit, unit) if high is not None else None
        except Exception:
            low = high = None
    return goal, target_unit, low, high


def _readability(scale: EquipmentBound | None, unit: str) -> Decimal | None:
    """The bound scale's readability in ``unit``."""
    if scale is None or scale.equipment.scale_readability is None:
        return None
    readability = scale.equipment.scale_readability
    scale_unit = scale.equipment.scale_unit
    if scale_unit and scale_unit != unit:
        try:
            return convert(readability, scale_unit, unit)
        except Exception:
            return None
    return readability


def _decimal(value: Any) -> Decimal | None:
    """A recorded number (text or Decimal) as a Decimal; None for none or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
