"""The batch record as one self-verifying JSON document (see JSON_FORMAT.md).

``export_json(record)`` writes the read model, the typed records exactly as stored, the
batch's audit events with their chain hashes, a summary of the chain and a seal over the
whole document. ``ebr.export.json_verify.verify_export`` checks it offline. The same record
always gives the same bytes (no export time is written).
"""

from __future__ import annotations

import json
from typing import Any

from ebr import chain
from ebr.export._common import to_plain
from ebr.export.record import BatchRecord, events_in_order, find_exceptions
from ebr.software import software_name

FORMAT_NAME = "mes-station/batch-record"
FORMAT_VERSION = 1
SEAL_ALGORITHM = "sha256-canonical-json"

#: The verification algorithm, written into every export so that the file explains itself.
VERIFICATION_STEPS: tuple[str, ...] = (
    "Canonical JSON of a value: UTF-8, object keys sorted, separators ',' and ':' without spaces, "
    "non-ASCII characters written as themselves, no NaN/Infinity; numbers are integers and every "
    "decimal is a string. sha256 is written in lower-case hex.",
    "1. Parse the file as UTF-8 JSON; an object with a repeated key is an error. 'format' must be "
    f"'{FORMAT_NAME}' and 'format_version' {FORMAT_VERSION}.",
    "2. Events: 'audit_events' lists the batch stream's events in ascending 'seq'. Each event has exactly "
    "the fields seq, uid, stream, stream_seq, occurred_at, user_id, action, outcome, entity_type, "
    "entity_id, old_value, new_value, reason, record_table, record_uid, record_hash, prev_hash and hash. "
    "For the n-th event (from 1): stream equals header.batch_id; stream_seq equals n; seq is greater "
    "than the previous event's seq; hash equals sha256(prev_hash + '\\n' + canonical(the event without "
    "'hash')); if seq equals the previous event's seq + 1, prev_hash equals the previous event's hash; "
    "if seq is 1, prev_hash is 64 zeros.",
    "3. Records: every item of 'records' is {table, uid, content}; (table, uid) is unique, content.uid "
    "(where present) equals uid, and exactly one event has record_table = table, record_uid = uid and "
    "record_hash = sha256(canonical(content)). Every event that names a record_table has its record here.",
    "4. Signatures: for every item of batch_record.signatures, the signed record (signed_record.table, "
    "signed_record.uid) is in 'records' with sha256(canonical(content)) equal to signed_hash (or, for the "
    "table 'audit_events', is the event with that uid whose hash equals signed_hash); the signature's own "
    "row (ref) is in 'records' and its signer_id, printed_name, meaning, signed_at, record_table, record_uid "
    "and signed_hash equal the signature's user_id, printed_name, meaning, signed_at, signed_record and "
    "signed_hash.",
    "5. Summary: header.audit_trail.event_count equals the number of events, first_seq/last_seq the first "
    "and last event's seq and last_hash the last event's hash (64 zeros when there is none).",
    "6. Seal: seal.value equals sha256(canonical(the whole document without the key 'seal')).",
    "7. Readable: batch_record lists exactly the records and refused events of the hashed part, with "
    "the same values, its exceptions are what those sections give, and a completed batch has its "
    "batch.completed event (JSON_FORMAT.md).",
    "A failed step names the first bad event by its seq where there is one. Steps 2-5 prove the content "
    "is what the station's audit trail holds; step 6 proves nothing else in the file changed; step 7 "
    "that the readable part says what the hashed part holds. The hashes "
    "carry no secret: compare header.audit_trail.last_hash (or seal.value) with the value the station or "
    "the QMS recorded to rule out a file rewritten with recomputed hashes.",
)

_EXPORT_FIELDS = (*chain.EVENT_FIELDS, "hash")
_BODY_SECTIONS = (
    "operations",
    "equipment",
    "consumptions",
    "measurements",
    "refusals",
    "deviations",
    "overrides",
    "signatures",
    "reviews",
    "personnel",
)
# Canonical form (ebr.chain.canonical), built once: the per-event and per-record lines of the file.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=chain._default
)
_READABLE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def export_json(record: BatchRecord) -> bytes:
    """The JSON export (UTF-8): one top-level key per line, one item of the record per line,
    and every typed record and audit event on a line of its own in its canonical form."""
    head, record_lines, event_lines = _parts(record)
    seal = _seal({**head, "records": record_lines, "audit_events": event_lines})
    out = ["{"]
    for key, value in head.items():
        if key == "batch_record":
            out.append(f"{_READABLE.encode(key)}: {{")
            names = list(value)
            for j, name in enumerate(names):
                sep = "," if j < len(names) - 1 else ""
                item = value[name]
                shown = (
                    _lines([_READABLE.encode(v) for v in item], 2)
                    if isinstance(item, list)
                    else _READABLE.encode(item)
                )
                out.append(f" {_READABLE.encode(name)}: {shown}{sep}")
            out.append("},")
        elif isinstance(value, dict):
            out.append(f"{_READABLE.encode(key)}: {{")
            items = list(value.items())
            for j, (k, v) in enumerate(items):
                sep = "," if j < len(items) - 1 else ""
                shown = (
                    _lines([_READABLE.encode(x) for x in v], 2)
                    if isinstance(v, list)
                    else _READABLE.encode(v)
                )
                out.append(f" {_READABLE.encode(k)}: {shown}{sep}")
            out.append("},")
        else:
            out.append(f"{_READABLE.encode(key)}: {_READABLE.encode(value)},")
    out.append(f'"records": {_lines(record_lines, 1)},')
    out.append(f'"audit_events": {_lines(event_lines, 1)},')
    out.append(f'"seal": {_READABLE.encode({"algorithm": SEAL_ALGORITHM, "value": seal})}')
    out.append("}")
    return ("\n".join(out) + "\n").encode("utf-8")


def export_document(record: BatchRecord) -> dict[str, Any]:
    """The export as a JSON value (exactly what ``export_json`` writes)."""
    document: dict[str, Any] = json.loads(export_json(record))
    return document


def seal_of(document: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the document without its "seal"."""
    return chain.sha256_hex(chain.canonical({k: v for k, v in document.items() if k != "seal"}))


# ---------------------------------------------------------------- parts


def _parts(record: BatchRecord) -> tuple[dict[str, Any], list[str], list[str]]:
    ordered = events_in_order(record.events)
    event_lines = [_CANONICAL.encode({f: e.get(f) for f in _EXPORT_FIELDS}) for e in ordered]
    record_lines = [
        _CANONICAL.encode({"table": r.table, "uid": r.uid, "content": r.content}) for r in record.records
    ]
    header = to_plain(record.header)
    header["site_timezone"] = record.site_timezone
    header["written_by"] = software_name()  # which program made this file: the package's version
    first, last = (ordered[0], ordered[-1]) if ordered else (None, None)
    header["audit_trail"] = {
        "stream": record.batch_id,
        "event_count": len(ordered),
        "first_seq": chain.to_json_value(first["seq"]) if first else None,
        "last_seq": chain.to_json_value(last["seq"]) if last else None,
        "last_hash": str(last["hash"]) if last else chain.GENESIS,
    }
    if record.hub_receipt is not None:
        header["audit_trail"]["hub_receipt"] = dict(record.hub_receipt)
    body = {name: to_plain(getattr(record, name)) for name in _BODY_SECTIONS}
    found = find_exceptions(record)
    body["exceptions"] = {
        "count": found.count,
        "overridden_refusals": [r.uid for r, _ in found.overridden_refusals],
        "other_refusals": [r.uid for r in found.other_refusals],
        "deviations": [d.uid for d in found.deviations],
        "open_deviations": [d.uid for d in found.deviations if not d.is_closed],
        "out_of_limits": [m.uid for m in found.out_of_limits],
        "refused_weighings": [c.uid for c in found.refused_weighings],
        "overrides": [o.uid for o in found.overrides],
        "manual_weighings": [c.uid for c in found.manual_weighings],
    }
    head: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "verification": {"algorithm": f"{FORMAT_NAME}/{FORMAT_VERSION}", "steps": list(VERIFICATION_STEPS)},
        "header": header,
        "batch_record": body,
    }
    return head, record_lines, event_lines


def _seal(parts: dict[str, Any]) -> str:
    """The seal from the parts: lists of canonical lines for records and events, JSON values else.
    Equal to ``sha256(canonical(document minus "seal"))``."""
    pieces = []
    for key in sorted(parts):
        value = parts[key]
        text = "[" + ",".join(value) + "]" if key in ("records", "audit_events") else chain.canonical(value)
        pieces.append(f"{chain.canonical(key)}:{text}")
    return chain.sha256_hex("{" + ",".join(pieces) + "}")


def _lines(items: list[str], indent: int) -> str:
    if not items:
        return "[]"
    pad = " " * indent
    inner = (",\n" + pad).join(items)
    return f"[\n{pad}{inner}\n{' ' * (indent - 1)}]"
