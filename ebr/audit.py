"""Appending to the audit trail: the one way anything is written into the record.

* :func:`append_event` adds one event to the hash chain: it takes the chain head
  (locked: ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite units of work already hold
  the write lock from ``BEGIN IMMEDIATE``), numbers the event globally (``seq``) and
  within its stream (``stream_seq``), stamps it with the system clock
  (``ebr.clock``; a caller cannot pass a time), links and hashes it with ``ebr.chain``.
* :func:`add_record` inserts a typed EBR row and, in the same transaction, the event
  that carries ``record_table``, ``record_uid`` and ``record_hash`` (the hash of the
  row's content as stored), which ``ebr.verify`` checks the row against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ebr import chain, clock
from ebr.models import RECORD_TABLES, AuditEvent, Base, ChainHead, new_uid, record_content

Outcome = Literal["accepted", "refused", "deviation"]
OUTCOMES: tuple[str, ...] = ("accepted", "refused", "deviation")

#: The stream of events that belong to no batch: master data, users, logins, recipes.
SITE_STREAM = "site"

_AUDIT = cast(Table, AuditEvent.__table__)
_HEAD = cast(Table, ChainHead.__table__)
_INSERT_EVENT = insert(_AUDIT)
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)


@dataclass(frozen=True)
class RecordRef:
    """The typed record an event wrote: its table, uid and content hash."""

    table: str
    uid: str
    hash: str


@dataclass(frozen=True)
class EventInfo:
    """What the store wrote for one event (plain data)."""

    seq: int
    uid: str
    stream: str
    stream_seq: int
    occurred_at: str  # ISO 8601 UTC, as hashed
    action: str
    hash: str
    record: RecordRef | None = None


@dataclass
class _ChainState:
    transaction: object
    last_seq: int
    last_hash: str
    streams: dict[str, int]


def _chain_state(session: Session) -> _ChainState:
    """The chain head for this transaction, locked on first use and kept until it ends."""
    transaction = session.get_transaction()
    cached = session.info.get("ebr.chain")
    nested = session.get_nested_transaction() is not None  # a savepoint may roll back: no caching
    if (
        not nested
        and isinstance(cached, _ChainState)
        and cached.transaction is transaction
        and transaction is not None
    ):
        return cached
    row = session.execute(
        select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
    ).one_or_none()
    if row is None:
        raise RuntimeError("chain_head row missing: the schema was not made by the migrations")
    state = _ChainState(None if nested else transaction, int(row.last_seq), str(row.last_hash), {})
    session.info["ebr.chain"] = state
    return state


def _next_stream_seq(session: Session, state: _ChainState, stream: str) -> int:
    if stream not in state.streams:
        current = session.execute(
            select(func.max(_AUDIT.c.stream_seq)).where(_AUDIT.c.stream == stream)
        ).scalar_one_or_none()
        state.streams[stream] = int(current or 0)
    return state.streams[stream] + 1


def append_event(
    session: Session,
    *,
    stream: str,
    user_id: str | None,
    action: str,
    outcome: Outcome,
    entity_type: str,
    entity_id: str | None,
    old_value: Any,
    new_value: Any,
    reason: str | None,
    record: RecordRef | None = None,
) -> EventInfo:
    """Append one event to the audit trail, in the session's transaction."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if not stream or not action or not entity_type:
        raise ValueError("an audit event needs a stream, an action and an entity type")
    if record is not None and record.table not in RECORD_TABLES:
        raise ValueError(f"not a record table: {record.table}")
    state = _chain_state(session)
    stream_seq = _next_stream_seq(session, state, stream)
    event: dict[str, Any] = {
        "seq": state.last_seq + 1,
        "uid": new_uid(),
        "stream": stream,
        "stream_seq": stream_seq,
        "occurred_at": chain.utc_iso(clock.utc_now()),
        "user_id": user_id,
        "action": action,
        "outcome": outcome,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "old_value": chain.to_json_value(old_value),
        "new_value": chain.to_json_value(new_value),
        "reason": reason,
        "record_table": record.table if record else None,
        "record_uid": record.uid if record else None,
        "record_hash": record.hash if record else None,
        "prev_hash": state.last_hash,
    }
    event_hash = chain.event_hash(event)
    stored = dict(event, hash=event_hash)
    stored["old_value"] = None if event["old_value"] is None else chain.canonical(event["old_value"])
    stored["new_value"] = None if event["new_value"] is None else chain.canonical(event["new_value"])
    # Statements built once with bound parameters: constructing them per event cost more than
    # executing them (see benchmarks/bench_engine.py).
    session.execute(_INSERT_EVENT, [stored])
    session.execute(_ADVANCE_HEAD, {"new_seq": event["seq"], "new_hash": event_hash})
    state.last_seq, state.last_hash = event["seq"], event_hash
    state.streams[stream] = stream_seq
    return EventInfo(
        seq=event["seq"],
        uid=event["uid"],
        stream=stream,
        stream_seq=stream_seq,
        occurred_at=event["occurred_at"],
        action=action,
        hash=event_hash,
        record=record,
    )


def add_record(
    session: Session,
    row: Base,
    *,
    stream: str,
    user_id: str | None,
    action: str,
    entity_type: str,
    entity_id: str | None,
    outcome: Outcome = "accepted",
    old_value: Any = None,
    new_value: Any = None,
    reason: str | None = None,
) -> EventInfo:
    """Insert a typed EBR row and the audit event that vouches for it, in one transaction.

    The row is flushed and read back first, so ``record_hash`` covers the content
    exactly as the database stores it."""
    table = row.__tablename__
    if table not in RECORD_TABLES:
        raise ValueError(f"{table} is not a record table")
    if getattr(row, "uid", None) is None:
        setattr(row, "uid", new_uid())  # noqa: B010 - every record model has a uid
    session.add(row)
    session.flush()
    session.refresh(row)
    content = record_content(row)
    ref = RecordRef(table, str(content["uid"]), chain.record_hash(content))
    return append_event(
        session,
        stream=stream,
        user_id=user_id,
        action=action,
        outcome=outcome,
        entity_type=entity_type,
        entity_id=entity_id,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        record=ref,
    )
