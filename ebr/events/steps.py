"""The events that do a batch's steps: confirmed, answered, measured, signed, equipment bound,
lot identified, weighing accepted. Each completing one (``StepDone``) names who performed it
and vouches for the typed record of what was done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal

from ebr import models
from ebr.events.batch import OverrideSigned, StepEvent
from ebr.events.codec import Outcome, Place, at, key, optional


@dataclass(frozen=True)
class TrainingUsed:
    """A training record a step's gate relied on, as it stood then: the SOP, the revision in
    force, and the performer's training on it. A later change of the training records leaves
    the batch record as it was."""

    document: str
    revision: int
    trained_on: dt.date
    expires: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class StepDone(StepEvent):
    """An event that completes its step; ``performed_by`` did it, on the strength of the
    training in ``training`` (the gate's evidence; absent in records made before it was kept)."""

    performed_by: str
    training: tuple[TrainingUsed, ...] | None = optional()


def _execution(event: StepDone, stream: str, now: dt.datetime) -> models.StepExecution:
    result = dict(event.new_value() or {})
    result.pop("request", None)  # the step's result, not the request that carried it
    return models.StepExecution(
        batch_id=stream,
        step_id=event.step,
        kind=result["kind"],
        performed_by=event.performed_by,
        performed_at=now,
        result=result,
    )


@dataclass(frozen=True, kw_only=True)
class StepConfirmed(StepDone):
    ACTION: ClassVar[str] = "step.confirmed"
    RECORD: ClassVar[type[models.Base] | None] = models.StepExecution

    kind: Literal["instruction"] = "instruction"
    confirmed: str  # the confirmation the operator gave, as the recipe words it

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return _execution(self, stream, now)


@dataclass(frozen=True, kw_only=True)
class CheckAnswered(StepDone):
    ACTION: ClassVar[str] = "step.answered"
    RECORD: ClassVar[type[models.Base] | None] = models.StepExecution

    kind: Literal["check"] = "check"
    value: bool
    question: str
    expected: bool
    as_expected: bool

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return _execution(self, stream, now)


@dataclass(frozen=True, kw_only=True)
class StepSigned(StepDone):
    ACTION: ClassVar[str] = "step.signed"
    RECORD: ClassVar[type[models.Base] | None] = models.StepExecution

    kind: Literal["signature"] = "signature"
    signer: str  # as the signer gave it
    meaning: str
    role: str
    printed_name: str

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return _execution(self, stream, now)


@dataclass(frozen=True, kw_only=True)
class MeasurementRecorded(StepDone):
    """A measured value, recorded as given; outside its limits it is a deviation."""

    ACTION: ClassVar[str] = "measurement.recorded"
    RECORD: ClassVar[type[models.Base] | None] = models.Measurement

    kind: Literal["measure"] = "measure"
    name: str
    value: Decimal
    unit: str
    low: Decimal | None
    high: Decimal | None
    in_limits: bool

    @property
    def outcome(self) -> Outcome:
        return "accepted" if self.in_limits else "deviation"

    @property
    def reason(self) -> str | None:
        return None if self.in_limits else "value_out_of_limits"

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return models.Measurement(
            batch_id=stream,
            step_id=self.step,
            name=self.name,
            value=self.value,
            unit=self.unit,
            low=self.low,
            high=self.high,
            in_limits=self.in_limits,
            measured_by=self.performed_by,
            measured_at=now,
        )


@dataclass(frozen=True)
class EquipmentSnapshot:
    """Equipment as its gate saw it at the moment it was bound (and at every later use)."""

    id: str
    equipment_class: str = key("class")
    name: str = ""
    status: str = ""
    calibrated_until: dt.date | None = None
    clean_until: dt.datetime | None = None
    daily_check_until: dt.datetime | None = None
    scale_capacity: Decimal | None = None
    scale_readability: Decimal | None = None
    scale_unit: str | None = None
    scale_min_weight: Decimal | None = optional()
    serial_number: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class EquipmentBound(StepDone):
    ACTION: ClassVar[str] = "equipment.bound"
    RECORD: ClassVar[type[models.Base] | None] = models.EquipmentBinding

    kind: Literal["equipment"] = "equipment"
    code: str  # the scan, printable (GS shown as <GS>)
    equipment_id: str | None
    bind: str
    equipment: EquipmentSnapshot

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        from ebr.events.codec import to_json

        return models.EquipmentBinding(
            batch_id=stream,
            step_id=self.step,
            bind_name=self.bind,
            equipment_id=self.equipment.id,
            status_snapshot=to_json(self.equipment),
            bound_by=self.performed_by,
            bound_at=now,
        )


@dataclass(frozen=True, kw_only=True)
class LotIdentified(StepEvent):
    """A lot label scanned at a weigh step passed its gate: the lot as it was then."""

    ACTION: ClassVar[str] = "lot.identified"

    code: str
    gtin: str | None = optional()
    lot: str
    material: str
    material_name: str | None = None
    status: str
    expiry: dt.date | None = None
    retest: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class WeighingAccepted(StepDone):
    ACTION: ClassVar[str] = "weighing.accepted"
    RECORD: ClassVar[type[models.Base] | None] = models.LotConsumption

    kind: Literal["weigh"] = "weigh"
    gross: Decimal
    tare: Decimal
    net: Decimal
    unit: str
    stable: bool
    device_serial: str | None
    source: str  # scale | manual | script
    target: Decimal
    low: Decimal
    high: Decimal
    target_unit: str
    net_in_target_unit: Decimal
    material: str
    material_name: str | None
    lot: str
    lot_status: str | None
    lot_expiry: dt.date | None
    override: OverrideSigned | None = optional()
    # A weight entered by hand: why (``gating.weighing.MANUAL_REASONS``, the words for
    # ``other``) and who witnessed it (their e-signature is over this weighing's record).
    manual_reason: str | None = optional()
    manual_note: str | None = optional()
    witness: str | None = optional()
    lot_retest: dt.date | None = at(Place.RECORD)

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return models.LotConsumption(
            batch_id=stream,
            step_id=self.step,
            material_code=self.material,
            lot=self.lot,
            lot_status=self.lot_status or "",
            lot_expiry=self.lot_expiry,
            lot_retest=self.lot_retest,
            gross=self.gross,
            tare=self.tare,
            net=self.net,
            unit=self.unit,
            device_serial=self.device_serial,
            source=self.source,
            weighed_by=self.performed_by,
            weighed_at=now,
        )
