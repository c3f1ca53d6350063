"""BatchML: the batch's events (one per recorded action, by its class), personnel and their
qualifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ebr.export._bml_writer import _EVENT_KIND, _attribute, _entry, _num, _time, _value, _Writer
from ebr.export.record import (
    BatchRecord,
    EquipmentUse,
    LotConsumption,
    Measurement,
    StepExecution,
    manual_reason_text,
)


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
            if c.accepted and c.source != "scale":  # no instrument vouches for a typed-in weight
                _attribute(w, "exception", "weight entered by hand, not read from the scale")
                _attribute(w, "reason entered by hand", manual_reason_text(c))
                _attribute(w, "witnessed by", c.witness)


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
