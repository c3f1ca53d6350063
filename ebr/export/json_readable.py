"""The readable part of a JSON export (``batch_record``) checked against its hashed part.

The hashes vouch for ``audit_events`` and ``records``; the seal over the whole file carries no
secret, so an edit of the readable part with the seal recomputed would pass steps 1-6 of the
verification. This step rebuilds what a reviewer reads first from the hashed content and
compares: every weighing (net, gross, tare, lot, source, who weighed), override, deviation,
measurement, refusal and review the readable part lists must be one the hashed part holds, and
every one the hashed part holds must be listed; the exceptions are recomputed from them; a
batch the header calls completed must hold its completion. What remains is an edit of the
hashed records themselves, which the chain catches, or dropping whole events from the end,
which only a copy held elsewhere shows (the QMS's receipt, or the station's record hash).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ebr import events as ev

Records = Mapping[tuple[str, str], Mapping[str, Any]]

#: Fields of a readable row that must equal the hashed record's (readable name -> record name).
_SAME: dict[str, dict[str, str]] = {
    "consumptions": {
        "step_id": "step_id",
        "lot": "lot",
        "gross": "gross",
        "tare": "tare",
        "net": "net",
        "unit": "unit",
        "source": "source",
        "weighed_by": "weighed_by",
        "material_code": "material_code",
    },
    "overrides": {
        "step_id": "step_id",
        "supervisor": "supervisor",
        "reason": "reason_text",
        "reason_code": "reason_code",
    },
    "deviations": {
        "step_id": "step_id",
        "category": "category",
        "text": "text",
        "opened_by": "opened_by",
        "origin": "origin",
    },
    "measurements": {"step_id": "step_id", "value": "value", "unit": "unit"},
    "reviews": {"decision": "outcome", "reviewer": "reviewer", "comment": "comment"},
}
_TABLE = {
    "consumptions": "lot_consumptions",
    "overrides": "overrides",
    "deviations": "deviations",
    "measurements": "measurements",
    "reviews": "reviews",
}


class ReadableMismatch(Exception):
    """The readable part says something the hashed part does not."""


def check_readable(document: Mapping[str, Any], records: Records, events: list[Mapping[str, Any]]) -> None:
    body = _mapping(document.get("batch_record"), "batch_record")
    header = _mapping(document.get("header"), "header")
    for section, table in _TABLE.items():
        rows = _rows(body, section)
        if section == "consumptions":  # a refused weighing is an event, not a record
            rows = [r for r in rows if r.get("accepted") is not False]
        _same_rows(section, rows, {uid: content for (t, uid), content in records.items() if t == table})
    refused = {str(e["uid"]): e for e in events if _is(e, ev.ActionRefused)}
    listed = {str(r.get("uid")) for r in _rows(body, "refusals")}
    if listed != set(refused):
        raise ReadableMismatch(_differ("refusals", listed, set(refused)))
    weighings = {uid for uid, e in refused.items() if _attempted(e) == ev.Attempt.WEIGHING}
    refused_weighings = {str(c.get("uid")) for c in _rows(body, "consumptions") if c.get("accepted") is False}
    if refused_weighings != weighings:
        raise ReadableMismatch(_differ("refused weighings", refused_weighings, weighings))
    _check_exceptions(body)
    if header.get("status") == "completed" and not any(_is(e, ev.BatchCompleted) for e in events):
        raise ReadableMismatch(
            "the header says completed, but the audit trail holds no batch.completed event"
        )


def _same_rows(section: str, rows: list[Mapping[str, Any]], hashed: Mapping[str, Mapping[str, Any]]) -> None:
    by_uid = {str(r.get("uid")): r for r in rows}
    if set(by_uid) != set(hashed):
        raise ReadableMismatch(_differ(section, set(by_uid), set(hashed)))
    for uid, row in by_uid.items():
        content = hashed[uid]
        for shown, stored in _SAME[section].items():
            if shown in row and stored in content and str(row[shown]) != str(content[stored]):
                raise ReadableMismatch(
                    f"batch_record.{section} {uid}: {shown} reads {row[shown]!r}, the hashed record "
                    f"holds {content[stored]!r}"
                )


def _check_exceptions(body: Mapping[str, Any]) -> None:
    """The exceptions recomputed from the (now checked) sections, as the export makes them."""
    found = _mapping(body.get("exceptions"), "batch_record.exceptions")
    consumptions = _rows(body, "consumptions")
    overrides = _rows(body, "overrides")
    overridden = {str(o.get("refusal_uid")) for o in overrides if o.get("refusal_uid")}
    refused_weighings = [str(c.get("uid")) for c in consumptions if c.get("accepted") is False]
    refusals = [str(r.get("uid")) for r in _rows(body, "refusals")]
    deviations = _rows(body, "deviations")
    expected: dict[str, list[str]] = {
        "overridden_refusals": [r for r in refusals if r in overridden],
        "other_refusals": [r for r in refusals if r not in overridden and r not in refused_weighings],
        "deviations": [str(d.get("uid")) for d in deviations],
        "open_deviations": [str(d.get("uid")) for d in deviations if not d.get("closed_by")],
        "out_of_limits": [
            str(m.get("uid")) for m in _rows(body, "measurements") if m.get("in_limits") is False
        ],
        "refused_weighings": refused_weighings,
        "overrides": [str(o.get("uid")) for o in overrides],
        "manual_weighings": [
            str(c.get("uid"))
            for c in consumptions
            if c.get("accepted") is not False and c.get("source") != "scale"
        ],
    }
    for name, uids in expected.items():
        if name not in found:
            if name == "manual_weighings":  # exports made before the field was added lack it
                continue
            raise ReadableMismatch(f"batch_record.exceptions.{name} is missing")
        if sorted(map(str, found[name])) != sorted(uids):
            raise ReadableMismatch(f"batch_record.exceptions.{name} does not match the record")
    counted = sum(len(uids) for name, uids in expected.items() if name != "open_deviations" and name in found)
    if found.get("count") != counted:
        raise ReadableMismatch(
            f"batch_record.exceptions.count is {found.get('count')!r}; the record has {counted}"
        )


def _is(event: Mapping[str, Any], cls: type[ev.AuditedEvent]) -> bool:
    """Whether an exported event is of the vocabulary's class ``cls`` (by its stored action)."""
    try:
        return ev.event_class(str(event.get("action"))) is cls
    except ev.UnknownAction:
        return False


def _attempted(event: Mapping[str, Any]) -> str | None:
    value = event.get("new_value")
    return str(value.get("action")) if isinstance(value, Mapping) and value.get("action") else None


def _differ(section: str, listed: set[str], hashed: set[str]) -> str:
    missing, extra = sorted(hashed - listed), sorted(listed - hashed)
    parts = []
    if missing:
        parts.append(f"leaves out {len(missing)} the hashed part holds (first {missing[0]})")
    if extra:
        parts.append(f"lists {len(extra)} the hashed part does not hold (first {extra[0]})")
    return f"batch_record.{section} " + " and ".join(parts)


def _rows(body: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    value = body.get(section)
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ReadableMismatch(f"batch_record.{section} is not a list of objects")
    return value


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ReadableMismatch(f"{what} is not an object")
    return value
