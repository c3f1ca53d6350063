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

from functools import lru_cache

from lxml import etree

from ebr.export._bml_events import _events, _personnel, _qualifications
from ebr.export._bml_recipe import _control_recipe, _data_sets
from ebr.export._bml_writer import NS, SCHEMA_DIR, SCHEMA_FILE, XSI, _entry, _json, _time, _value, _Writer

__all__ = ["NS", "SCHEMA_DIR", "SCHEMA_FILE", "XSI", "export_batchml", "validate_batchml"]
from ebr.export.json_export import FORMAT_VERSION
from ebr.export.record import BatchRecord

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
