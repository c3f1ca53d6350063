"""The wire form of a run of events and its check, shared by the station and the hub.

A pushed run is ``{"chain_id", "station_id", "events": [...]}``; each event holds every field of
``ebr.chain.EVENT_FIELDS`` (``old_value``/``new_value`` as JSON values), its ``hash``, and
``record``: the typed record the event vouches for, as the JSON export writes it (None without
one). :func:`check_run` recomputes every hash with the chain's own code: a run is taken only if
each event's hash is what its fields give, each links to the one before it, and each record
hashes to the ``record_hash`` its event names.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ebr.chain import EVENT_FIELDS, GENESIS, event_hash, record_hash

#: At most this many events in one push, and this many bytes in its body.
MAX_RUN = 1000
MAX_BODY = 8 * 1024 * 1024


class RunInvalid(ValueError):
    """A run that is malformed or whose hashes do not hold: refused, nothing stored."""


@dataclass(frozen=True)
class Run:
    chain_id: str
    station_id: str
    events: list[dict[str, Any]]

    @property
    def first(self) -> int:
        return int(self.events[0]["seq"])

    @property
    def last(self) -> int:
        return int(self.events[-1]["seq"])


def wire_event(event: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    from ebr.chain import to_json_value

    wired = {name: event[name] for name in (*EVENT_FIELDS, "hash")}
    wired["record"] = None if record is None else to_json_value(record)
    return wired


def parse_run(body: Any) -> Run:
    """The run in a push body, its shape checked (not yet its hashes)."""
    if not isinstance(body, dict):
        raise RunInvalid("the body is not a JSON object")
    chain_id, station_id, events = body.get("chain_id"), body.get("station_id"), body.get("events")
    if not isinstance(chain_id, str):
        raise RunInvalid("chain_id: missing or not text")
    try:
        uuid.UUID(chain_id)
    except ValueError:
        raise RunInvalid(f"chain_id: {chain_id[:40]!r} is not a UUID") from None
    if not isinstance(station_id, str) or not 0 < len(station_id) <= 64:
        raise RunInvalid("station_id: missing, empty or longer than 64")
    if not isinstance(events, list) or not events:
        raise RunInvalid("events: missing or empty")
    if len(events) > MAX_RUN:
        raise RunInvalid(f"events: {len(events)} in one run, at most {MAX_RUN}")
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise RunInvalid(f"events[{index}]: not an object")
        missing = [name for name in (*EVENT_FIELDS, "hash", "record") if name not in event]
        if missing:
            raise RunInvalid(f"events[{index}]: lacks {', '.join(missing)}")
        if type(event["seq"]) is not int or event["seq"] < 1:
            raise RunInvalid(f"events[{index}]: seq is not a positive whole number")
        for name in ("hash", "prev_hash", "uid", "stream", "action"):
            if not isinstance(event[name], str):
                raise RunInvalid(f"events[{index}] (seq {event['seq']}): {name} is not text")
    return Run(chain_id, station_id, events)


def check_run(events: Sequence[dict[str, Any]]) -> None:
    """Raise RunInvalid unless the run is contiguous and every hash recomputes. The first event's
    ``prev_hash`` is checked against the hub's copy by the caller (GENESIS for seq 1 here)."""
    before: dict[str, Any] | None = None
    for event in events:
        seq = event["seq"]
        if before is not None:
            if seq != before["seq"] + 1:
                raise RunInvalid(f"seq {seq} follows seq {before['seq']}: a run is contiguous")
            if event["prev_hash"] != before["hash"]:
                raise RunInvalid(f"seq {seq}: prev_hash is not the hash of seq {before['seq']}")
        elif seq == 1 and event["prev_hash"] != GENESIS:
            raise RunInvalid("seq 1: prev_hash is not the genesis hash")
        try:
            computed = event_hash(event)
        except (TypeError, ValueError) as exc:
            raise RunInvalid(f"seq {seq}: fields not hashable: {exc}") from None
        if computed != event["hash"]:
            raise RunInvalid(f"seq {seq}: hash does not match its fields (forged or altered)")
        record = event["record"]
        if event["record_table"] is None:
            if record is not None:
                raise RunInvalid(f"seq {seq}: a record without a record_table")
        else:
            if not isinstance(record, dict):
                raise RunInvalid(f"seq {seq}: its {event['record_table']} record is missing")
            if record_hash(record) != event["record_hash"]:
                raise RunInvalid(
                    f"seq {seq}: its {event['record_table']} record does not hash to record_hash"
                )
        before = event
