"""The batch record as a BatchML ``BatchProductionRecord`` (ANSI/ISA-88.00.04, B2MML v0700).

What goes where (element order as ``BatchML-BatchProductionRecord.xsd`` requires):

* the record's identity: ``ID``, ``EntryID``, batch, product, station, status, dates, and the
  audit chain head as ``ExternalReference``;
* ``ChangeHistory``: one ``Change`` per audit event of the batch (what changed, the pre-change
  data, the reason), each carrying the event's chain hash;
* ``Comments``: the deviations (what happened, how they were closed) and the QA reviews;
* ``ControlRecipes``: the control recipe the batch ran on: header (product, batch size, status,
  the recipe approval), equipment requirements, formula (materials and targets), procedure
  logic, and the recipe elements procedure → operations → phases (the steps) with their
  parameters and the equipment actually used;
* ``DataSets``: one per measurement (value, limits, within limits) and one per weighing
  (gross, tare, net, lot, scale serial number);
* ``Events``: start and completion, every action at a step (procedural execution), material
  allocations and consumptions, equipment allocations, refusals, overrides and e-signatures;
* ``PersonnelIdentification``: everyone who acted, with printed name;
* ``ResourceQualifications``: training evidence of every person and the calibration, cleaning
  and daily-check status of every piece of equipment, and the status of every lot, at use.

``validate_batchml(data)`` validates against the vendored schemas (``schemas/b2mml``, used
courtesy of MESA International).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from ebr import events as ev
from ebr.chain import utc_iso
from ebr.export.json_export import FORMAT_VERSION
from ebr.export.record import BatchRecord, EquipmentUse, LotConsumption, Measurement, Step, StepExecution

NS = "http://www.mesa.org/xml/B2MML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = Path(__file__).parent / "schemas" / "b2mml"
SCHEMA_FILE = SCHEMA_DIR / "BatchML-BatchProductionRecord.xsd"

_STATUS = {"in_progress": "Running", "on_hold": "Held", "completed": "Complete"}
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))

# The (EventType, EventSubType) of ISA-88.04 of an action at a step, by its event's class; a
# refused action is a message.
_EVENT_KIND: dict[type[ev.AuditedEvent], tuple[str, str]] = {
    ev.StepConfirmed: ("Procedural Execution", "Prompt Response"),
    ev.CheckAnswered: ("Procedural Execution", "Prompt Response"),
    ev.MeasurementRecorded: ("Procedural Execution", "Process Data"),
    ev.EquipmentBound: ("Equipment", "Allocation"),
    ev.LotIdentified: ("Material", "Allocation"),
    ev.WeighingAccepted: ("Material", "Consume"),
    ev.StepSigned: ("Operator", "Security"),
    ev.OverrideSigned: ("Operator", "Security"),
    ev.ActionRefused: ("Message", "Message"),
}


class _Writer:
    """Writes indented XML text directly: several times faster than building an lxml tree,
    and the result is validated against the schema anyway."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.depth = 0

    def start(self, tag: str, **attrs: str) -> None:
        self.parts.append(f"{'  ' * self.depth}<{tag}{_attrs(attrs)}>\n")
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.parts.append(f"{'  ' * self.depth}</{tag}>\n")

    @contextmanager
    def node(self, tag: str, **attrs: str) -> Iterator[None]:
        self.start(tag, **attrs)
        yield
        self.end(tag)

    def leaf(self, tag: str, text: str | None, **attrs: str) -> None:
        """An element with text; None writes it as xsi:nil."""
        pad = "  " * self.depth
        if text is None:
            self.parts.append(f'{pad}<{tag}{_attrs(attrs)} xsi:nil="true"/>\n')
        else:
            self.parts.append(f"{pad}<{tag}{_attrs(attrs)}>{_text(text)}</{tag}>\n")

    def text(self) -> str:
        return "".join(self.parts)


def _attrs(attrs: Mapping[str, str]) -> str:
    if not attrs:
        return ""
    return "".join(f' {k}="{_text(v).replace(chr(34), "&quot;")}"' for k, v in attrs.items())


def _text(text: str) -> str:
    """Escaped XML 1.0 text; control characters other than tab and newline are written as \\uXXXX."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c in "\t\n" else f"\\u{ord(c):04x}" for c in text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _time(moment: dt.datetime | dt.date | None) -> str:
    if isinstance(moment, dt.datetime):
        return utc_iso(moment)
    if isinstance(moment, dt.date):
        return f"{moment.isoformat()}T00:00:00Z"
    raise ValueError("no time")


def _num(value: Decimal) -> str:
    return format(value, "f")


def _json(value: Any) -> str:
    return value if isinstance(value, str) else str(_JSON.encode(value))


def _entry(
    w: _Writer,
    entry_id: str,
    object_type: str,
    when: dt.datetime | str | None = None,
    *,
    reference: str | None = None,
    descriptions: tuple[str, ...] = (),
) -> None:
    """The BatchProductionRecordEntryType group every record object starts with."""
    w.leaf("EntryID", entry_id)
    w.leaf("ObjectType", object_type)
    if when is not None:
        w.leaf("TimeStamp", when if isinstance(when, str) else _time(when))
    if reference is not None:
        w.leaf("ExternalReference", reference)
    for text in descriptions:
        if text:
            w.leaf("Description", text)


def _value(
    w: _Writer, tag: str, value: str | None, data_type: str = "string", unit: str | None = None
) -> None:
    """A ValueType element (ValueString, DataType, UnitOfMeasure); a None value is xsi:nil."""
    with w.node(tag):
        w.leaf("ValueString", value)
        w.leaf("DataType", data_type)
        if unit:
            w.leaf("UnitOfMeasure", unit)


def _batch_value(w: _Writer, tag: str, value: str, data_type: str = "string", unit: str = "") -> None:
    """A BatchValueType element (all four parts required)."""
    with w.node(tag):
        w.leaf("ValueString", value)
        w.leaf("DataInterpretation", "Constant")
        w.leaf("DataType", data_type)
        w.leaf("UnitOfMeasure", unit)


def _attribute(w: _Writer, name: str, value: str | None) -> None:
    with w.node("UserAttribute"):
        w.leaf("AttributeID", name)
        _value(w, "Value", value)


# ---------------------------------------------------------------- the document


def export_batchml(record: BatchRecord) -> bytes:
    """The batch record as a BatchML BatchProductionRecord document (UTF-8)."""
    h = record.header
    w = _Writer()
    w.parts.append("<?xml version='1.0' encoding='UTF-8'?>\n")
    last = record.events[-1] if record.events else None
    last_time = str(last["occurred_at"]) if last else _time(h.started_at)
    verified = {
        True: "; the audit trail verified intact.",
        False: "; the audit trail FAILED verification.",
        None: ".",
    }
    with w.node("BatchProductionRecord", xmlns=NS, **{"xmlns:xsi": XSI}):
        w.leaf("ID", f"BPR-{h.batch_id}")
        _entry(
            w,
            h.batch_id,
            "Batch Production Record",
            last_time,
            reference=record.chain_head,
            descriptions=(
                f"Batch production record of batch {h.batch_id}: {h.product_name} ({h.product_code}), "
                f"master recipe {h.recipe_code} version {h.recipe_version}",
                "ExternalReference is the sha256 chain hash of the batch's last audit event"
                + (f" (seq {last['seq']})" if last else "")
                + verified[h.chain_verified],
                f"Site time zone {record.site_timezone}; all times are UTC.",
            ),
        )
        w.leaf("EquipmentScope", h.station)
        w.leaf("CreationDate", _time(h.started_at))
        w.leaf("BatchID", h.batch_id)
        w.leaf("EquipmentID", h.station)
        w.leaf("LastChangedDate", last_time)
        w.leaf("LotID", h.batch_id)
        w.leaf("MaterialDefinitionID", h.product_code)
        w.leaf("RecordStatus", h.status)
        w.leaf("Version", str(FORMAT_VERSION))
        _change_history(w, record)
        _comments(w, record)
        _control_recipe(w, record)
        _data_sets(w, record)
        _events(w, record)
        _personnel(w, record)
        _qualifications(w, record)
    return w.text().encode("utf-8")


def _change_history(w: _Writer, record: BatchRecord) -> None:
    with w.node("ChangeHistory"):
        for e in record.events:
            who = e.get("user_id") or "system"
            with w.node("Change"):
                _entry(
                    w,
                    str(e["uid"]),
                    "Change",
                    str(e["occurred_at"]),
                    reference=str(e["hash"]),
                    descriptions=(
                        f"seq {e['seq']} (#{e['stream_seq']} of the batch): {e['action']} by {who}, "
                        f"{e['outcome']}, {e['entity_type']} {e.get('entity_id') or ''}".rstrip(),
                        f"new value: {_json(e['new_value'])}" if e.get("new_value") is not None else "",
                        f"record written: {e['record_table']} {e['record_uid']} (sha256 {e['record_hash']})"
                        if e.get("record_table")
                        else "",
                    ),
                )
                target = (
                    f"{e['record_table']}/{e['record_uid']}"
                    if e.get("record_table")
                    else f"{e['entity_type']}/{e.get('entity_id') or ''}"
                )
                w.leaf("RecordReference", target)
                old = e.get("old_value")
                if old is None:
                    w.leaf("PrechangeData", None)
                else:
                    _value(w, "PrechangeData", _json(old))
                if e.get("reason"):
                    w.leaf("Reason", str(e["reason"]))


def _comments(w: _Writer, record: BatchRecord) -> None:
    with w.node("Comments"):
        for d in record.deviations:
            with w.node("Comment"):
                _entry(
                    w,
                    d.uid,
                    "Comment",
                    d.opened_at,
                    reference=d.number,
                    descriptions=(f"Deviation {d.number}: {d.category} (origin: {d.origin})",),
                )
                w.leaf("RecordReference", d.step_id or record.batch_id)
                w.leaf("CommentText", d.text)
                if d.is_closed:
                    w.leaf(
                        "CommentText",
                        f"Closed by {record.name_of(d.closed_by)} at {_time(d.closed_at)}: {d.closure_reason or ''}",
                    )
                else:
                    w.leaf("CommentText", "OPEN: not closed")
                w.leaf("PersonID", d.opened_by or "system")
        for r in record.reviews:
            signature = record.signature(r.signature_uid)
            with w.node("Comment"):
                _entry(
                    w,
                    r.uid,
                    "Comment",
                    r.at,
                    descriptions=(
                        f"QA review: {r.decision}",
                        f"E-signed by {signature.printed_name}: {signature.meaning} at {_time(signature.signed_at)}"
                        if signature
                        else "",
                    ),
                )
                w.leaf("RecordReference", record.batch_id)
                w.leaf("CommentText", r.comment or f"QA review: {r.decision}")
                w.leaf("PersonID", r.reviewer)


def _control_recipe(w: _Writer, record: BatchRecord) -> None:
    h = record.header
    version = str(h.recipe_version)
    equipment_at: dict[str, list[str]] = {}
    for use in record.equipment:
        equipment_at.setdefault(use.step_id, []).append(use.equipment_id)
    for consumption in record.consumptions:
        if consumption.scale_id and consumption.accepted:
            equipment_at.setdefault(consumption.step_id, []).append(consumption.scale_id)
    with w.node("ControlRecipes"), w.node("ControlRecipeRecord"):
        _entry(
            w,
            f"{h.batch_id}/control-recipe",
            "Control Recipe",
            h.started_at,
            reference=h.recipe_content_hash,
            descriptions=(
                f"Control recipe of batch {h.batch_id} from master recipe {h.recipe_code} version "
                f"{h.recipe_version} (ExternalReference: content hash of the master recipe)",
            ),
        )
        with w.node("ControlRecipe"):
            w.leaf("ID", f"{h.recipe_code}/{h.batch_id}")
            w.leaf("Version", version)
            w.leaf("Description", h.recipe_title)
            w.leaf("BatchID", h.batch_id)
            with w.node("Header"):
                if h.recipe_approved_by:
                    with w.node("ApprovalHistory"):
                        if h.recipe_approved_at:
                            w.leaf("FinalApprovalDate", _time(h.recipe_approved_at))
                        w.leaf("Version", version)
                        with w.node("IndividualApproval"):
                            w.leaf("ApprovedBy", record.name_of(h.recipe_approved_by))
                            if h.recipe_approved_at:
                                w.leaf("ApprovalDate", _time(h.recipe_approved_at))
                            w.leaf("Description", "Approved for execution by QA (e-signature)")
                w.leaf("EffectiveDate", _time(h.started_at))
                w.leaf("ProductID", h.product_code)
                w.leaf("ProductName", h.product_name)
                with w.node("BatchSize"):
                    w.leaf("ScaledSize", _num(h.batch_size), unitCode=h.batch_unit)
                    w.leaf("UnitOfMeasure", h.batch_unit)
                w.leaf("ActualProductProduced", h.product_code)
                status = _STATUS.get(h.status)
                if status:
                    w.leaf("Status", status)
                else:
                    w.leaf("Status", "Other", OtherValue=h.status)
            for equipment_class in sorted({e.equipment_class for e in record.equipment}):
                used = ", ".join(
                    sorted({e.equipment_id for e in record.equipment if e.equipment_class == equipment_class})
                )
                with w.node("EquipmentRequirement"):
                    w.leaf("ID", equipment_class)
                    w.leaf("Description", f"Equipment class {equipment_class}; used: {used}")
            with w.node("Formula"):
                for _operation, step in record.steps():
                    if step.kind != "weigh":
                        continue
                    target = next((p for p in step.parameters if p.name.lower() == "target"), None)
                    with w.node("Parameter"):
                        w.leaf("ID", step.step_id)
                        w.leaf("Description", step.title)
                        w.leaf("ParameterType", "ProcessInput")
                        if target is not None:
                            _batch_value(w, "Value", target.value, "decimal", target.unit)
            with w.node("ProcedureLogic"):
                _logic_step(w, "S1", h.recipe_code, version)
            with w.node("RecipeElement"):
                w.leaf("ID", h.recipe_code)
                w.leaf("Version", version)
                w.leaf("Description", h.recipe_title)
                w.leaf("RecipeElementType", "Procedure")
                _sequence(w, [op.op_id for op in record.operations], version)
                for operation in record.operations:
                    with w.node("RecipeElement"):
                        w.leaf("ID", operation.op_id)
                        w.leaf("Version", version)
                        w.leaf("Description", operation.title)
                        w.leaf("RecipeElementType", "Operation")
                        _sequence(w, [s.step_id for s in operation.steps], version)
                        for step in operation.steps:
                            _phase(w, step, version, equipment_at.get(step.step_id, []))
                        if operation.training:
                            with w.node("OtherInformation"):
                                w.leaf("ID", "training")
                                _batch_value(w, "Value", ", ".join(operation.training))


def _phase(w: _Writer, step: Step, version: str, equipment: list[str]) -> None:
    with w.node("RecipeElement"):
        w.leaf("ID", step.step_id)
        w.leaf("Version", version)
        w.leaf("Description", step.title)
        w.leaf("RecipeElementType", "Phase")
        for equipment_id in dict.fromkeys(equipment):
            w.leaf("ActualEquipmentID", equipment_id)
        for index, p in enumerate(step.parameters, start=1):
            with w.node("Parameter"):
                w.leaf("ID", f"{step.step_id}.P{index}")
                w.leaf("Description", p.name)
                kind = (
                    "ProcessInput"
                    if step.kind == "weigh" and p.name.lower() == "target"
                    else "ProcessParameter"
                )
                w.leaf("ParameterType", kind)
                _batch_value(w, "Value", p.value, "string", p.unit)
        for name, value in (("kind", step.kind), ("status", step.status)):
            with w.node("OtherInformation"):
                w.leaf("ID", name)
                _batch_value(w, "Value", value)


def _logic_step(w: _Writer, step_id: str, element: str, version: str) -> None:
    with w.node("Step"):
        w.leaf("ID", step_id)
        w.leaf("RecipeElementID", element)
        w.leaf("RecipeElementVersion", version)


def _sequence(w: _Writer, elements: list[str], version: str) -> None:
    """ProcedureLogic running the elements one after another (control links)."""
    if not elements:
        return
    with w.node("ProcedureLogic"):
        for index in range(1, len(elements)):
            with w.node("Link"):
                w.leaf("ID", f"L{index}")
                with w.node("FromID"):
                    w.leaf("FromIDValue", f"S{index}")
                    w.leaf("FromType", "Step")
                    w.leaf("IDScope", "Internal")
                with w.node("ToID"):
                    w.leaf("ToIDValue", f"S{index + 1}")
                    w.leaf("ToType", "Step")
                    w.leaf("IDScope", "Internal")
                w.leaf("LinkType", "ControlLink")
                w.leaf("Depiction", "LineAndArrow")
        for index, element in enumerate(elements, start=1):
            _logic_step(w, f"S{index}", element, version)


def _data_sets(w: _Writer, record: BatchRecord) -> None:
    with w.node("DataSets"):
        for m in record.measurements:
            _measurement_set(w, m)
        for c in record.consumptions:
            _weighing_set(w, c)


def _tag(
    w: _Writer,
    index: int,
    data_type: str,
    unit: str | None,
    description: str,
    step: str,
    equipment: str | None = None,
) -> None:
    with w.node("TagSpecification"):
        w.leaf("TagIndex", str(index))
        w.leaf("DataType", data_type)
        w.leaf("UnitOfMeasure", unit or None)
        w.leaf("Description", description)
        if equipment:
            w.leaf("EquipmentID", equipment)
        w.leaf("ProceduralElementReference", step)


def _data(w: _Writer, index: int, value: str | None, quality: str | None = None) -> None:
    with w.node("DataValue"):
        w.leaf("TagIndex", str(index))
        w.leaf("Value", "" if value is None else value)
        if quality:
            w.leaf("Quality", quality)


def _measurement_set(w: _Writer, m: Measurement) -> None:
    with w.node("DataSet"):
        _entry(
            w,
            m.uid,
            "Data Set",
            m.entered_at,
            descriptions=(f"{m.step_id}: {m.name} entered by {m.entered_by or 'system'}",),
        )
        w.leaf("StartTime", _time(m.entered_at))
        w.leaf("EndTime", _time(m.entered_at))
        _tag(w, 1, "decimal", m.unit, m.name, m.step_id)
        _tag(w, 2, "decimal", m.unit, "low limit", m.step_id)
        _tag(w, 3, "decimal", m.unit, "high limit", m.step_id)
        _tag(w, 4, "boolean", None, "within limits", m.step_id)
        with w.node("OrderedData"):
            w.leaf("OrderIndex", "1")
            w.leaf("TimeValue", _time(m.entered_at))
            _data(w, 1, _num(m.value), "good" if m.in_limits else "out of limits")
            _data(w, 2, _num(m.low) if m.low is not None else None)
            _data(w, 3, _num(m.high) if m.high is not None else None)
            _data(w, 4, "true" if m.in_limits else "false")


def _weighing_set(w: _Writer, c: LotConsumption) -> None:
    outcome = "accepted" if c.accepted else f"refused: {c.refusal_reason or ''}"
    with w.node("DataSet"):
        _entry(
            w,
            c.uid,
            "Data Set",
            c.weighed_at,
            descriptions=(
                f"{c.step_id}: weighing of {c.material_code} {c.material_name}, lot {c.lot}, "
                f"by {c.weighed_by or 'system'} ({c.source}), {outcome}",
            ),
        )
        w.leaf("StartTime", _time(c.weighed_at))
        w.leaf("EndTime", _time(c.weighed_at))
        _tag(w, 1, "decimal", c.unit, "gross", c.step_id, c.scale_id)
        _tag(w, 2, "decimal", c.unit, "tare", c.step_id, c.scale_id)
        _tag(w, 3, "decimal", c.unit, "net", c.step_id, c.scale_id)
        _tag(w, 4, "string", None, "material lot", c.step_id)
        _tag(w, 5, "string", None, "scale serial number", c.step_id, c.scale_id)
        with w.node("OrderedData"):
            w.leaf("OrderIndex", "1")
            w.leaf("TimeValue", _time(c.weighed_at))
            _data(w, 1, _num(c.gross))
            _data(w, 2, _num(c.tare))
            _data(w, 3, _num(c.net), "accepted" if c.accepted else "refused")
            _data(w, 4, c.lot)
            _data(w, 5, c.scale_serial)


def _events(w: _Writer, record: BatchRecord) -> None:
    h = record.header
    audit_by_record = {str(e["record_uid"]): e for e in record.events if e.get("record_uid")}
    audit_by_uid = {str(e["uid"]): e for e in record.events}
    consumptions = {c.uid: c for c in record.consumptions}
    equipment = {e.uid: e for e in record.equipment}
    measurements = {m.uid: m for m in record.measurements}

    def audit_of(uid: str) -> Mapping[str, Any] | None:
        return audit_by_record.get(uid) or audit_by_uid.get(uid)

    with w.node("Events"):
        with w.node("Event"):
            _entry(w, f"{h.batch_id}/start", "Event", h.started_at, descriptions=("Batch started",))
            w.leaf("EventType", "Control Recipe")
            w.leaf("EventSubType", "State Change")
            w.leaf("EquipmentID", h.station)
            _value(w, "Value", "in_progress")
            w.leaf("PersonID", h.started_by)
        for _operation, step in record.steps():
            for execution in step.executions:
                _execution_event(
                    w,
                    record,
                    step.step_id,
                    execution,
                    audit_of(execution.uid),
                    consumptions.get(execution.uid),
                    equipment.get(execution.uid),
                    measurements.get(execution.uid),
                )
        for s in record.signatures:
            audit = audit_of(s.uid)
            with w.node("Event"):
                _entry(
                    w,
                    s.uid,
                    "Event",
                    s.signed_at,
                    reference=str(audit["hash"]) if audit else None,
                    descriptions=(f"Electronic signature by {s.printed_name} ({s.user_id}): {s.meaning}",),
                )
                w.leaf("EventType", "Operator")
                w.leaf("EventSubType", "Security")
                _value(w, "Value", s.signed_hash)
                w.leaf("MessageText", s.meaning)
                w.leaf("PersonID", s.user_id)
                if s.step_id:
                    w.leaf("ProceduralElementReference", s.step_id)
                w.leaf("Category", "e-signature")
                if audit:
                    w.leaf("AssociatedEventID", str(audit["uid"]))
                _attribute(w, "printed name", s.printed_name)
                _attribute(w, "meaning", s.meaning)
                _attribute(w, "signed at", _time(s.signed_at))
                _attribute(w, "signed record", f"{s.signed_record.table}/{s.signed_record.uid}")
                _attribute(w, "signed hash", s.signed_hash)
        for o in record.overrides:
            with w.node("Event"):
                _entry(w, o.uid, "Event", o.at, descriptions=(f"Supervisor override of {o.reason_code}",))
                w.leaf("EventType", "Operator")
                w.leaf("EventSubType", "Other", OtherValue="Override")
                _value(w, "Value", o.reason_code)
                w.leaf("MessageText", o.reason)
                w.leaf("PersonID", o.supervisor)
                if o.step_id:
                    w.leaf("ProceduralElementReference", o.step_id)
                w.leaf("Category", o.reason_code)
                for associated in (o.refusal_uid, o.deviation_uid, o.signature_uid):
                    if associated:
                        w.leaf("AssociatedEventID", associated)
        if h.completed_at is not None:
            with w.node("Event"):
                _entry(
                    w, f"{h.batch_id}/complete", "Event", h.completed_at, descriptions=("Batch completed",)
                )
                w.leaf("EventType", "Control Recipe")
                w.leaf("EventSubType", "State Change")
                w.leaf("EquipmentID", h.station)
                _value(w, "Value", "completed")
                _value(w, "PreviousValue", "in_progress")


def _execution_event(
    w: _Writer,
    record: BatchRecord,
    step_id: str,
    e: StepExecution,
    audit: Mapping[str, Any] | None,
    consumption: LotConsumption | None,
    equipment: EquipmentUse | None,
    measurement: Measurement | None,
) -> None:
    kind = _EVENT_KIND.get(e.event, ("Procedural Execution", "Other"))
    with w.node("Event"):
        _entry(
            w,
            e.uid,
            "Event",
            e.at,
            reference=str(audit["hash"]) if audit else None,
            descriptions=(f"{step_id}: {e.action} by {record.name_of(e.user_id)}, {e.outcome}",),
        )
        w.leaf("EventType", kind[0])
        if kind[1] == "Other":
            w.leaf("EventSubType", "Other", OtherValue=e.action)
        else:
            w.leaf("EventSubType", kind[1])
        if equipment is not None:
            w.leaf("EquipmentID", equipment.equipment_id)
        elif consumption is not None and consumption.scale_id:
            w.leaf("EquipmentID", consumption.scale_id)
        if consumption is not None:
            _value(w, "Value", _num(consumption.net), "decimal", consumption.unit)
        elif measurement is not None:
            _value(w, "Value", _num(measurement.value), "decimal", measurement.unit)
        elif e.result:
            _value(w, "Value", e.result)
        w.leaf("MessageText", e.result or e.action)
        if e.user_id:
            w.leaf("PersonID", e.user_id)
        w.leaf("ProceduralElementReference", step_id)
        if audit is not None:
            if audit.get("reason"):
                w.leaf("Category", str(audit["reason"]))
            w.leaf("AssociatedEventID", str(audit["uid"]))
        if consumption is not None:
            c = consumption
            _attribute(w, "material", c.material_code)
            _attribute(w, "lot", c.lot)
            _attribute(w, "lot status at use", c.lot_status)
            _attribute(w, "lot expiry", c.lot_expiry.isoformat() if c.lot_expiry else None)
            _attribute(w, "gross", _num(c.gross))
            _attribute(w, "tare", _num(c.tare))
            _attribute(w, "scale serial number", c.scale_serial)
            _attribute(w, "source", c.source)


def _personnel(w: _Writer, record: BatchRecord) -> None:
    with w.node("PersonnelIdentification"):
        for p in record.personnel:
            with w.node("PersonnelIdentificationManifest"):
                _entry(
                    w,
                    p.user_id,
                    "Personnel Identification Manifest",
                    descriptions=(f"roles: {', '.join(p.roles)}",),
                )
                w.leaf("RecordReference", p.user_id)
                w.leaf("Name", p.name)
                w.leaf("ChangeIndication", "unchanged")


def _qualifications(w: _Writer, record: BatchRecord) -> None:
    on = record.header.started_at.date()

    def manifest(
        entry: str,
        when: dt.datetime | None,
        reference: str,
        resource: str,
        use: str,
        kind: str,
        status: str,
        effective: dt.datetime | dt.date | None,
        expires: dt.datetime | dt.date | None,
        description: str,
    ) -> None:
        with w.node("ResourceQualificationsManifest"):
            _entry(w, entry, "Resource Definition Manifest", when, descriptions=(description,))
            w.leaf("RecordReference", reference)
            w.leaf("ResourceID", resource)
            w.leaf("ResourceUse", use)
            w.leaf("ResourceType", kind)
            w.leaf("QualificationStatus", status)
            if effective is not None:
                w.leaf("EffectiveTimeStamp", _time(effective))
            if expires is not None:
                w.leaf("ExpirationTimeStamp", _time(expires))

    with w.node("ResourceQualifications"):
        for p in record.personnel:
            for t in p.training:
                in_force = t.current_revision in (None, t.revision)
                current = in_force and (t.expires is None or t.expires >= on)
                manifest(
                    f"{p.user_id}/{t.document}/{t.revision}",
                    None,
                    p.user_id,
                    p.user_id,
                    f"{t.document} rev {t.revision}",
                    "Personnel",
                    "qualified" if current else "not qualified",
                    t.trained_on,
                    t.expires,
                    f"Training of {p.name} on {t.document} revision {t.revision}"
                    + ("" if in_force else f" (revision {t.current_revision} in force)"),
                )
        for e in record.equipment:
            checks = (
                ("calibration", e.calibrated_until),
                ("cleaning", e.clean_until),
                ("daily check", e.daily_check_until),
            )
            for use, until in checks:
                if until is None:
                    continue
                valid = (until.date() if isinstance(until, dt.datetime) else until) >= e.used_at.date()
                manifest(
                    f"{e.uid}/{use}",
                    e.used_at,
                    e.step_id,
                    e.equipment_id,
                    use,
                    "Equipment",
                    "valid" if valid else "expired",
                    e.used_at,
                    until,
                    f"{e.equipment_id} ({e.name}, {e.equipment_class}) status {e.status} when bound at {e.step_id}",
                )
        seen: set[tuple[str, str]] = set()
        for c in record.consumptions:
            if (c.material_code, c.lot) in seen:
                continue
            seen.add((c.material_code, c.lot))
            manifest(
                f"{c.material_code}/{c.lot}",
                c.weighed_at,
                c.step_id,
                c.lot,
                c.material_code,
                "Material Lot",
                c.lot_status,
                c.weighed_at,
                c.lot_expiry,
                f"Lot {c.lot} of {c.material_code} {c.material_name}: {c.lot_status} at use"
                + (f", retest {c.lot_retest.isoformat()}" if c.lot_retest else ""),
            )


# ---------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


def validate_batchml(data: bytes) -> list[str]:
    """The schema errors of a BatchML document (``line N: message``); empty when it is valid."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        document = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: not well-formed XML: {exc.msg}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
