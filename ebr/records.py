"""Writing the electronic batch record: one function per kind of record.

Each function inserts one typed, insert-only row and the audit event that vouches for
it (``ebr.audit.add_record``) in the caller's unit of work, stamps it with the system
clock, and returns the :class:`~ebr.audit.EventInfo` (``.record.uid`` is the row's uid).
The stream of every event is the batch id. Snapshots of master data at the time of use
(equipment status, lot status and expiry) are taken here, from the store, so that what
is recorded is what the station knew. Nothing here judges a step: that is the gates'
and the engine's job; these functions only refuse what would corrupt the record
(unknown batch, unknown user, a completed batch).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ebr import clock
from ebr.audit import EventInfo, Outcome
from ebr.errors import NotAllowed, NotFound
from ebr.models import (
    Batch,
    BatchStatusChange,
    Deviation,
    DeviationClosure,
    EquipmentBinding,
    LotConsumption,
    Measurement,
    Override,
    Review,
    StepExecution,
)
from ebr.uow import UnitOfWork

BATCH_STATUSES = ("in_progress", "on_hold", "completed")


def _user(uow: UnitOfWork, user_id: str) -> None:
    actor = uow.user(user_id)
    if actor is None or actor.id != user_id:
        raise NotFound(f"no user {user_id!r}")


def _open_batch(uow: UnitOfWork, batch_id: str) -> None:
    info = uow.batch(batch_id)
    if info is None:
        raise NotFound(f"no batch {batch_id!r}")
    if info.status == "completed":
        raise NotAllowed(f"batch {batch_id} is completed: its record is closed")


def start_batch(
    uow: UnitOfWork,
    *,
    batch_id: str,
    recipe_code: str,
    recipe_version: int,
    size: Decimal,
    unit: str,
    control_recipe: Any,
    user_id: str,
    station: str,
) -> EventInfo:
    """Start a batch on an approved recipe; ``control_recipe`` is the scaled snapshot (JSON-able)."""
    _user(uow, user_id)
    if uow.batch(batch_id) is not None:
        raise NotAllowed(f"batch {batch_id} already exists", "batch_exists")
    recipe = uow.recipe(recipe_code, recipe_version)
    if recipe is None:
        raise NotFound(f"no recipe {recipe_code} version {recipe_version}")
    if recipe.status != "approved":
        raise NotAllowed(
            f"recipe {recipe_code} version {recipe_version} is not approved", "recipe_not_approved"
        )
    row = Batch(
        batch_id=batch_id,
        recipe_code=recipe_code,
        recipe_version=recipe_version,
        recipe_content_hash=recipe.content_hash,
        size=size,
        unit=unit,
        control_recipe=control_recipe,
        started_by=user_id,
        started_at=clock.utc_now(),
        station=station,
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="batch.started",
        entity_type="batch",
        entity_id=batch_id,
        new_value={
            "recipe": f"{recipe_code}/{recipe_version}",
            "size": size,
            "unit": unit,
            "station": station,
        },
    )


def change_batch_status(
    uow: UnitOfWork, *, batch_id: str, status: str, user_id: str, reason: str | None = None
) -> EventInfo:
    """Hold, resume or complete a batch (the engine decides which moves are legal)."""
    if status not in BATCH_STATUSES:
        raise ValueError(f"status must be one of {', '.join(BATCH_STATUSES)}")
    _user(uow, user_id)
    info = uow.batch(batch_id)
    if info is None:
        raise NotFound(f"no batch {batch_id!r}")
    if info.status == "completed":
        raise NotAllowed(f"batch {batch_id} is completed: its record is closed")
    row = BatchStatusChange(
        batch_id=batch_id, status=status, reason=reason, changed_by=user_id, changed_at=clock.utc_now()
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action=f"batch.{status}",
        entity_type="batch",
        entity_id=batch_id,
        old_value={"status": info.status},
        new_value={"status": status},
        reason=reason,
    )


def record_step(
    uow: UnitOfWork,
    *,
    batch_id: str,
    step_id: str,
    kind: str,
    user_id: str,
    result: Any,
    action: str | None = None,
    outcome: Outcome = "accepted",
    reason: str | None = None,
) -> EventInfo:
    """A step done (confirmed, answered, signed ...): ``result`` is what was done (JSON-able)."""
    _user(uow, user_id)
    _open_batch(uow, batch_id)
    row = StepExecution(
        batch_id=batch_id,
        step_id=step_id,
        kind=kind,
        performed_by=user_id,
        performed_at=clock.utc_now(),
        result=result,
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action=action or f"step.{kind}",
        outcome=outcome,
        entity_type="step",
        entity_id=step_id,
        new_value=result,
        reason=reason,
    )


def bind_equipment(
    uow: UnitOfWork, *, batch_id: str, step_id: str, bind_name: str, equipment_id: str, user_id: str
) -> EventInfo:
    """Equipment scanned at an equipment step, with its status as the store knows it now."""
    _user(uow, user_id)
    _open_batch(uow, batch_id)
    equipment = uow.equipment(equipment_id)
    if equipment is None:
        raise NotFound(f"no equipment {equipment_id!r}")
    snapshot = {
        "equipment_class": equipment.equipment_class,
        "status": equipment.status,
        "calibrated_until": equipment.calibrated_until,
        "clean_until": equipment.clean_until,
        "daily_check_until": equipment.daily_check_until,
        "scale": None
        if equipment.scale is None
        else {
            "capacity": equipment.scale.capacity,
            "readability": equipment.scale.readability,
            "unit": equipment.scale.unit,
        },
    }
    row = EquipmentBinding(
        batch_id=batch_id,
        step_id=step_id,
        bind_name=bind_name,
        equipment_id=equipment_id,
        status_snapshot=snapshot,
        bound_by=user_id,
        bound_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="equipment.bound",
        entity_type="step",
        entity_id=step_id,
        new_value={"bind": bind_name, "equipment": equipment_id},
    )


def consume_lot(
    uow: UnitOfWork,
    *,
    batch_id: str,
    step_id: str,
    material_code: str,
    lot: str,
    gross: Decimal,
    tare: Decimal,
    net: Decimal,
    unit: str,
    user_id: str,
    source: str = "manual",
    device_serial: str | None = None,
    outcome: Outcome = "accepted",
    reason: str | None = None,
) -> EventInfo:
    """A weighing accepted at a weigh step: the lot (status and expiry as now), gross/tare/net."""
    _user(uow, user_id)
    _open_batch(uow, batch_id)
    found = uow.lot(material_code, lot)
    if found is None:
        raise NotFound(f"no lot {lot} of material {material_code}")
    row = LotConsumption(
        batch_id=batch_id,
        step_id=step_id,
        material_code=material_code,
        lot=lot,
        lot_status=found.status,
        lot_expiry=found.expiry,
        lot_retest=found.retest,
        gross=gross,
        tare=tare,
        net=net,
        unit=unit,
        device_serial=device_serial,
        source=source,
        weighed_by=user_id,
        weighed_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="step.weighed",
        outcome=outcome,
        entity_type="step",
        entity_id=step_id,
        new_value={
            "material": material_code,
            "lot": lot,
            "gross": gross,
            "tare": tare,
            "net": net,
            "unit": unit,
        },
        reason=reason,
    )


def record_measurement(
    uow: UnitOfWork,
    *,
    batch_id: str,
    step_id: str,
    name: str,
    value: Decimal,
    unit: str,
    low: Decimal | None,
    high: Decimal | None,
    user_id: str,
) -> EventInfo:
    """A measured value, always recorded as entered; ``in_limits`` is computed here. A value
    out of limits is recorded with outcome ``deviation`` (the engine opens the deviation)."""
    _user(uow, user_id)
    _open_batch(uow, batch_id)
    in_limits = (low is None or value >= low) and (high is None or value <= high)
    row = Measurement(
        batch_id=batch_id,
        step_id=step_id,
        name=name,
        value=value,
        unit=unit,
        low=low,
        high=high,
        in_limits=in_limits,
        measured_by=user_id,
        measured_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="step.measured",
        outcome="accepted" if in_limits else "deviation",
        entity_type="step",
        entity_id=step_id,
        new_value={"value": value, "unit": unit, "low": low, "high": high},
        reason=None if in_limits else "value_out_of_limits",
    )


def open_deviation(
    uow: UnitOfWork,
    *,
    batch_id: str,
    step_id: str | None,
    category: str,
    text: str,
    origin: str,
    user_id: str,
) -> EventInfo:
    """Open a deviation (origin: ``value_out_of_limits``, ``override``, ``manual`` ...)."""
    _user(uow, user_id)
    _open_batch(uow, batch_id)
    if not text.strip():
        raise NotAllowed("a deviation needs a description")
    row = Deviation(
        batch_id=batch_id,
        step_id=step_id,
        category=category,
        text=text,
        origin=origin,
        opened_by=user_id,
        opened_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="deviation.opened",
        outcome="deviation",
        entity_type="deviation",
        entity_id=step_id or batch_id,
        new_value={"category": category, "text": text, "origin": origin},
        reason=origin,
    )


def close_deviation(
    uow: UnitOfWork, *, batch_id: str, deviation_uid: str, resolution: str, user_id: str
) -> EventInfo:
    """Close (acknowledge) an open deviation of the batch, with a resolution text."""
    _user(uow, user_id)
    deviation = uow.session.scalars(
        select(Deviation).where(Deviation.uid == deviation_uid, Deviation.batch_id == batch_id)
    ).one_or_none()
    if deviation is None:
        raise NotFound(f"no deviation {deviation_uid} in batch {batch_id}")
    closed = uow.session.scalars(
        select(DeviationClosure.uid).where(DeviationClosure.deviation_uid == deviation_uid)
    ).first()
    if closed is not None:
        raise NotAllowed(f"deviation {deviation_uid} is already closed")
    if not resolution.strip():
        raise NotAllowed("closing a deviation needs a resolution")
    row = DeviationClosure(
        batch_id=batch_id,
        deviation_uid=deviation_uid,
        resolution=resolution,
        closed_by=user_id,
        closed_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=user_id,
        action="deviation.closed",
        entity_type="deviation",
        entity_id=deviation.step_id or batch_id,
        old_value={"open": True},
        new_value={"open": False, "resolution": resolution},
    )


def record_override(
    uow: UnitOfWork,
    *,
    batch_id: str,
    step_id: str,
    reason_code: str,
    supervisor: str,
    reason_text: str,
    deviation_uid: str | None,
) -> EventInfo:
    """A supervisor's override of a refusal (sign it with ``ebr.signatures.sign`` on this row)."""
    _user(uow, supervisor)
    _open_batch(uow, batch_id)
    if not reason_text.strip():
        raise NotAllowed("an override needs a reason")
    row = Override(
        batch_id=batch_id,
        step_id=step_id,
        reason_code=reason_code,
        supervisor=supervisor,
        reason_text=reason_text,
        deviation_uid=deviation_uid,
        overridden_at=clock.utc_now(),
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=supervisor,
        action="override.granted",
        outcome="deviation",
        entity_type="step",
        entity_id=step_id,
        new_value={"reason_code": reason_code, "deviation": deviation_uid},
        reason=reason_text,
    )


def record_refusal(
    uow: UnitOfWork, *, batch_id: str, step_id: str | None, user_id: str | None, action: str, codes: list[str]
) -> EventInfo:
    """A refused action (a gate said no): an event without a typed record."""
    return uow.append_event(
        stream=batch_id,
        user_id=user_id,
        action=action,
        outcome="refused",
        entity_type="step" if step_id else "batch",
        entity_id=step_id or batch_id,
        old_value=None,
        new_value={"refusals": codes},
        reason=",".join(codes),
    )


def record_review(
    uow: UnitOfWork, *, batch_id: str, reviewer: str, outcome: str, comment: str | None
) -> EventInfo:
    """QA's review of a completed batch record (``approved`` or ``rejected``)."""
    _user(uow, reviewer)
    info = uow.batch(batch_id)
    if info is None:
        raise NotFound(f"no batch {batch_id!r}")
    if outcome not in ("approved", "rejected"):
        raise ValueError("a review is approved or rejected")
    row = Review(
        batch_id=batch_id, reviewer=reviewer, outcome=outcome, comment=comment, reviewed_at=clock.utc_now()
    )
    return uow.add_record(
        row,
        stream=batch_id,
        user_id=reviewer,
        action=f"review.{outcome}",
        entity_type="batch",
        entity_id=batch_id,
        new_value={"outcome": outcome},
        reason=comment,
    )
