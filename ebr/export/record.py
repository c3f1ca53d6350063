"""The batch record as the exports read it: plain, frozen data and no database.

``load_batch_record`` (``ebr.export.loader``) fills a :class:`BatchRecord` from the store;
the PDF, JSON and BatchML exports and the dispense labels read nothing else. Times are aware
UTC datetimes; quantities are Decimals exactly as recorded; user ids are resolved to printed
names through :attr:`BatchRecord.personnel`.

Two kinds of content live side by side:

* the *read model* (header, operations and steps, weighings, signatures ...), shaped for a
  reader, each item pointing at the typed record it came from (:class:`RecordRef`);
* the *evidence*: the batch's audit events (``EVENT_FIELDS`` + ``hash`` of ``ebr.chain``) and
  the typed records exactly as stored (:class:`StoredRecord`), whose ``record_hash`` the
  audit events hold. The JSON export carries both so that it can be verified offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ebr.chain import GENESIS
from ebr.events import AuditedEvent

#: The batch statuses of the engine's lifecycle.
BATCH_STATUSES = ("in_progress", "on_hold", "completed")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordRef:
    """Points at a typed record: the table it lives in and its uid."""

    table: str
    uid: str


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    """A typed record as the store wrote it; ``chain.record_hash(content)`` is in its audit event."""

    table: str
    uid: str
    content: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class BatchHeader:
    batch_id: str
    product_code: str
    product_name: str
    recipe_code: str
    recipe_version: int
    recipe_title: str
    recipe_content_hash: str
    batch_size: Decimal
    batch_unit: str
    station: str
    started_by: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    status: str  # in_progress | on_hold | completed
    #: What ``ebr verify`` said of the store's whole chain when the record was loaded;
    #: None when it was not checked.
    chain_verified: bool | None
    recipe_approved_by: str | None = None
    recipe_approved_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StepParameter:
    """A recipe parameter of a step as scaled for the batch: target, limits, class, meaning ..."""

    name: str
    value: str
    unit: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class StepExecution:
    """One thing a person did at a step (accepted or refused)."""

    uid: str
    action: str  # the event's stored action, e.g. "step.confirmed", "weighing.accepted"
    user_id: str | None
    at: dt.datetime
    outcome: str  # accepted | refused | deviation
    result: str  # what was recorded, in words: "Yes", "150 rpm", "SCL-150-01"
    ref: RecordRef | None = None
    #: The training the step's gate relied on, as it stood then ("SOP-DISP-003 rev 7, trained
    #: 2026-05-11, valid through 2030-05-11"); empty where the record kept none.
    training: tuple[str, ...] = ()
    #: The class of the event that recorded it, for the exports to tell the kinds of action
    #: apart; not written into an export (``action`` is the event's stored name).
    event: type[AuditedEvent] = field(metadata={"exported": False})


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    step_id: str
    kind: str  # instruction | check | measure | equipment | weigh | signature
    title: str  # the instruction, question, measured quantity, material or meaning
    status: str  # pending | active | lot_identified | done
    parameters: tuple[StepParameter, ...] = ()
    executions: tuple[StepExecution, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Operation:
    op_id: str
    title: str
    steps: tuple[Step, ...]
    training: tuple[str, ...] = ()  # the controlled documents a performer must be trained on


@dataclass(frozen=True, kw_only=True, slots=True)
class EquipmentUse:
    """A piece of equipment bound at a step, with its status as the gate saw it then."""

    uid: str
    equipment_id: str
    equipment_class: str
    name: str
    step_id: str
    bind: str | None
    used_by: str | None
    used_at: dt.datetime
    status: str  # in_service | out_of_service ...
    calibrated_until: dt.date | None
    clean_until: dt.datetime | None
    daily_check_until: dt.datetime | None
    serial_number: str | None = None
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LotConsumption:
    """A weighing of a material lot at a weigh step, accepted or refused."""

    uid: str
    step_id: str
    material_code: str
    material_name: str
    gtin: str | None
    lot: str
    lot_status: str  # at use: released | quarantined | rejected
    lot_expiry: dt.date | None
    lot_retest: dt.date | None
    gross: Decimal
    tare: Decimal
    net: Decimal
    unit: str
    target: Decimal | None  # the scaled target quantity, in target_unit
    target_unit: str | None
    low: Decimal | None  # acceptance limits of the net, in unit
    high: Decimal | None
    scale_id: str | None
    scale_serial: str | None  # the serial number the scale reported, None for a manual entry
    source: str  # scale | manual (entered by hand, witnessed) | script
    accepted: bool
    refusal_reason: str | None  # reason code when refused, e.g. weight_out_of_tolerance
    weighed_by: str | None
    weighed_at: dt.datetime
    readability: Decimal | None = None  # of the scale, in unit (chooses the label's decimals)
    ref: RecordRef | None = None
    # A weight entered by hand: why (scale_disconnected | scale_faulty |
    # scale_out_of_calibration | other, with the note) and the witness's e-signature over it.
    manual_reason: str | None = None
    manual_note: str | None = None
    witness: str | None = None
    witness_signature_uid: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Measurement:
    uid: str
    step_id: str
    name: str
    value: Decimal
    unit: str
    low: Decimal | None
    high: Decimal | None
    in_limits: bool
    entered_by: str | None
    entered_at: dt.datetime
    deviation_uid: str | None = None  # the deviation an out-of-limits value opened
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Refusal:
    """An action the station refused, with the gate's reason code and sentence."""

    uid: str
    step_id: str | None
    action: str  # what was refused: scan, weigh, sign, confirm ...
    reason_code: str
    sentence: str
    overridable: bool
    user_id: str | None
    at: dt.datetime
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Deviation:
    uid: str
    number: str  # what people call it: "DEV-B-2611-003-01"
    step_id: str | None
    category: str
    text: str
    origin: str  # manual | value_out_of_limits | override
    opened_by: str | None
    opened_at: dt.datetime
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    closure_reason: str | None = None
    ref: RecordRef | None = None
    #: The site-wide number the central hub gave it ("DEV-2026-000123"), once the station learnt it.
    central_number: str | None = None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class Override:
    """A supervisor's e-signed override of a refusal (or acknowledgement of a deviation)."""

    uid: str
    step_id: str | None
    reason_code: str  # the refusal's reason code that was overridden
    supervisor: str
    reason: str
    at: dt.datetime
    refusal_uid: str | None = None
    deviation_uid: str | None = None
    signature_uid: str | None = None
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Signature:
    """An electronic signature as 21 CFR 11.50 asks: printed name, meaning, time, and what was signed."""

    uid: str
    user_id: str
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    signed_hash: str  # the hash of what was signed (see signed_record)
    signed_record: RecordRef  # table "audit_events" names an event whose chain hash was signed
    step_id: str | None = None
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Review:
    """A QA review of the batch record."""

    uid: str
    decision: str  # approved | rejected
    reviewer: str
    at: dt.datetime
    comment: str
    signature_uid: str | None = None
    ref: RecordRef | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class TrainingEvidence:
    """A training record as it stood when the person worked on the batch."""

    document: str
    revision: int
    trained_on: dt.date
    expires: dt.date | None
    current_revision: int | None = None  # the document's revision at use


@dataclass(frozen=True, kw_only=True, slots=True)
class Person:
    user_id: str
    name: str
    roles: tuple[str, ...]
    training: tuple[TrainingEvidence, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class BatchRecord:
    header: BatchHeader
    site_timezone: str  # IANA name, e.g. "Europe/Berlin": local times are shown in it
    operations: tuple[Operation, ...] = ()
    equipment: tuple[EquipmentUse, ...] = ()
    consumptions: tuple[LotConsumption, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    deviations: tuple[Deviation, ...] = ()
    overrides: tuple[Override, ...] = ()
    signatures: tuple[Signature, ...] = ()
    reviews: tuple[Review, ...] = ()
    personnel: tuple[Person, ...] = ()
    #: The batch stream's audit events in seq order, each with EVENT_FIELDS + "hash".
    events: tuple[Mapping[str, Any], ...] = ()
    #: The typed records the events point at, as stored.
    records: tuple[StoredRecord, ...] = ()
    #: The central hub's signed receipt for the batch's last event, where the station holds one
    #: (``ebr.sync.receipts.Receipt.as_json``): the export then carries it.
    hub_receipt: Mapping[str, Any] | None = None
    _people: dict[str, Person] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._people.update({p.user_id: p for p in self.personnel})

    # ------------------------------------------------------------ look-ups
    @property
    def batch_id(self) -> str:
        return self.header.batch_id

    @property
    def chain_head(self) -> str:
        """The hash of the batch stream's last event: it identifies this state of the record."""
        return str(self.events[-1]["hash"]) if self.events else GENESIS

    def person(self, user_id: str | None) -> Person | None:
        return self._people.get(user_id) if user_id else None

    def name_of(self, user_id: str | None) -> str:
        """``Printed Name (user.id)``, or the id alone when the person is unknown."""
        if not user_id:
            return "system"
        person = self._people.get(user_id)
        return f"{person.name} ({user_id})" if person else user_id

    def steps(self) -> Iterator[tuple[Operation, Step]]:
        for operation in self.operations:
            for step in operation.steps:
                yield operation, step

    def signature(self, uid: str | None) -> Signature | None:
        return next((s for s in self.signatures if s.uid == uid), None) if uid else None


# ---------------------------------------------------------------- exceptions


@dataclass(frozen=True, kw_only=True, slots=True)
class Exceptions:
    """What a reviewer must look at first (review by exception)."""

    overridden_refusals: tuple[tuple[Refusal, Override], ...]
    other_refusals: tuple[Refusal, ...]
    deviations: tuple[Deviation, ...]
    out_of_limits: tuple[Measurement, ...]
    refused_weighings: tuple[LotConsumption, ...]
    reweighs: tuple[LotConsumption, ...]  # accepted weighings at a step that had a refused one
    overrides: tuple[Override, ...]
    # Accepted weighings whose weight was typed in, not read from a scale: no instrument vouches
    # for the figure, so a reviewer looks at each (source, witness, reason).
    manual_weighings: tuple[LotConsumption, ...] = ()

    @property
    def count(self) -> int:
        return (
            len(self.overridden_refusals)
            + len(self.other_refusals)
            + len(self.deviations)
            + len(self.out_of_limits)
            + len(self.refused_weighings)
            + len(self.overrides)
            + len(self.manual_weighings)
        )

    @property
    def none(self) -> bool:
        return self.count == 0


#: Why a weight was entered by hand, as the record's reader is told.
MANUAL_REASON_TEXT = {
    "scale_disconnected": "scale disconnected",
    "scale_faulty": "scale faulty",
    "scale_out_of_calibration": "scale out of calibration during the batch",
}


def manual_reason_text(c: LotConsumption) -> str | None:
    """Why a weight was not read from the scale: the reason given at entry (its words for
    ``other``); for a weight a script gave, that; None where the record says nothing."""
    if c.manual_reason:
        if c.manual_reason == "other":
            return f"other: {c.manual_note or ''}".strip()
        words = MANUAL_REASON_TEXT.get(c.manual_reason, c.manual_reason)
        return f"{words}: {c.manual_note}" if c.manual_note else words
    if c.source == "script":
        return "given by a batch script (mes-station run)"
    return None


def scale_line(c: LotConsumption, dash: str = "—") -> str:
    """Where a label says the weight came from: the scale and its serial number, or that it
    was entered by hand (and who witnessed it), or given by a script."""
    scale = f"Scale {c.scale_id or dash}"
    if c.source == "scale":
        return f"{scale}  S/N {c.scale_serial or dash}"
    if c.source == "manual":  # the line has room for ~38 characters on a 100 mm label
        return f"{c.scale_id or dash} BY HAND, witness {c.witness or dash}"
    return f"{scale}  typed in ({c.source})"


def find_exceptions(record: BatchRecord) -> Exceptions:
    overrides_by_refusal = {o.refusal_uid: o for o in record.overrides if o.refusal_uid}
    overridden = tuple(
        (r, overrides_by_refusal[r.uid]) for r in record.refusals if r.uid in overrides_by_refusal
    )
    refused = tuple(c for c in record.consumptions if not c.accepted)
    refused_weighings = {c.uid for c in refused}  # a refused weighing is listed once, as a weighing
    other = tuple(
        r for r in record.refusals if r.uid not in overrides_by_refusal and r.uid not in refused_weighings
    )
    refused_steps = {c.step_id for c in refused}
    reweighs = tuple(c for c in record.consumptions if c.accepted and c.step_id in refused_steps)
    return Exceptions(
        overridden_refusals=overridden,
        other_refusals=other,
        deviations=record.deviations,
        out_of_limits=tuple(m for m in record.measurements if not m.in_limits),
        refused_weighings=refused,
        reweighs=reweighs,
        overrides=record.overrides,
        manual_weighings=tuple(c for c in record.consumptions if c.accepted and c.source != "scale"),
    )


def events_in_order(events: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """The events sorted by their global ``seq``."""
    return tuple(sorted(events, key=lambda e: int(e["seq"])))
