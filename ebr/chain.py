"""The audit trail's hash chain: one canonical form and one hash function.

Everything that computes or checks a chain hash goes through this module: the
store when it appends an event, `ebr verify` against the database, and the
offline verifier of a JSON export. A third party can re-implement it from the
docstrings alone:

* canonical JSON: UTF-8, keys sorted, no insignificant white space
  (``separators=(",", ":")``), no NaN/Infinity, decimals written as strings;
* the hash of an event is ``sha256(prev_hash + "\\n" + canonical(payload))`` in
  lower-case hex, where ``payload`` is the event's fields listed in
  ``EVENT_FIELDS`` and ``prev_hash`` the previous event's hash (``GENESIS`` for
  the first event of the chain).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64

#: The fields of an audit event that the chain hash covers, in no particular
#: order (the canonical form sorts keys). ``hash`` itself is not among them.
EVENT_FIELDS: tuple[str, ...] = (
    "seq",  # global position in the chain, 1, 2, 3, ...
    "uid",  # globally unique id of the event (UUID, text)
    "stream",  # the batch id the event belongs to, or "site" for master data, users, recipes
    "stream_seq",  # 1, 2, 3, ... within the stream: a gap or a repeat shows a removed or added event
    "occurred_at",  # UTC from the system clock, ISO 8601 with microseconds and "Z"
    "user_id",  # who did it (None only for the system itself)
    "action",  # e.g. "step.confirm", "master.lot.changed", "login.failed"
    "outcome",  # "accepted", "refused" or "deviation"
    "entity_type",  # e.g. "batch", "step", "lot", "user", "recipe"
    "entity_id",
    "old_value",  # JSON value or None
    "new_value",  # JSON value or None
    "reason",  # free text or a reason code, None where there is none
    "record_table",  # the typed record this event wrote (e.g. "signatures"), or None
    "record_uid",
    "record_hash",  # record_hash() of that row's content when it was written
    "prev_hash",
)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not serialisable in the audit trail: {type(value).__name__}")


def canonical(value: Any) -> str:
    """The canonical JSON text of a value (see the module docstring)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
    )


def to_json_value(value: Any) -> Any:
    """A plain JSON value (dict/list/str/int/float/bool/None) equal in canonical form to ``value``."""
    return json.loads(canonical(value))


def canonical_text(value: Any) -> str:
    """``canonical(to_json_value(value))``: the canonical text of what a reader's ``json.loads``
    of the stored text gives back. A value already made of JSON's own types, with text keys,
    gives that text at once; anything else (dates, decimals, tuples, sets, keys that are not
    text) goes through JSON and back first, since its first encoding need not be canonical:
    ``{10: 1, 9: 2}`` is encoded in number order, its reading in text order."""
    if _plain(value):
        return canonical(value)
    return canonical(to_json_value(value))


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


def utc_iso(moment: dt.datetime) -> str:
    """ISO 8601 UTC text with microseconds and a trailing Z; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the audit trail only takes aware UTC times")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """The part of an event that its hash covers."""
    missing = [f for f in EVENT_FIELDS if f not in event]
    if missing:
        raise KeyError(f"audit event lacks {', '.join(missing)}")
    return {f: event[f] for f in EVENT_FIELDS}


def event_hash(event: Mapping[str, Any]) -> str:
    """The chain hash of an event whose ``prev_hash`` is already set."""
    return sha256_hex(str(event["prev_hash"]) + "\n" + canonical(event_payload(event)))


_SORTED_FIELDS = tuple(sorted(EVENT_FIELDS))
_JSON_FIELDS = frozenset({"old_value", "new_value"})
_json_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) uses


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _json_string(value)
    if type(value) is int:
        return str(value)
    return canonical(value)


def event_hash_of_texts(event: Mapping[str, Any]) -> str:
    """:func:`event_hash` of an event whose ``old_value`` and ``new_value`` are given as their
    canonical JSON text (or None): the same hash, without parsing and re-encoding those
    values. The station's append path uses it; :func:`event_hash` stays the definition."""
    parts = []
    for key in _SORTED_FIELDS:
        value = event[key]
        if key in _JSON_FIELDS:
            text = "null" if value is None else str(value)
        else:
            text = _scalar_text(value)
        parts.append(f'"{key}":{text}')
    return sha256_hex(str(event["prev_hash"]) + "\n{" + ",".join(parts) + "}")


def record_hash(content: Mapping[str, Any]) -> str:
    """The hash of a typed record's content (what a signature or an audit event points at)."""
    return sha256_hex(canonical(content))
