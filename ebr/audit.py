"""Appending to the audit trail: the one way anything is written into the record.

* :func:`append_event` adds one event to the hash chain: it takes the chain head
  (locked: ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite units of work already hold
  the write lock from ``BEGIN IMMEDIATE``), numbers the event globally (``seq``) and
  within its stream (``stream_seq``), stamps it with the system clock
  (``ebr.clock``; a caller cannot pass a time), links and hashes it with ``ebr.chain``.
* :func:`add_record` inserts a typed EBR row and, in the same transaction, the event
  that carries ``record_table``, ``record_uid`` and ``record_hash`` (the hash of the
  row's content as stored), which ``ebr.verify`` checks the row against.

Speed
-----

Every step a station records comes through here, so the append path talks to the
driver directly: each statement is SQL text made once per table and database kind,
executed on the unit of work's own connection (the same transaction), with the
column values converted exactly as SQLAlchemy's column types convert them. The ORM
would flush the row, read it back to learn what was stored, and look up the stream's
last number; here the stored content is computed from the converted values (the
types' own bind and result conversions), and the stream numbers are remembered
between transactions, keyed by the chain head they were true at: a transaction that
finds the head where this connection left it knows nobody else has written since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from ebr import chain, clock
from ebr.errors import NotAllowed
from ebr.models import RECORD_TABLES, AuditEvent, Base, ChainHead, new_uid
from gating.rules import CLOCK_TOLERANCE

Outcome = Literal["accepted", "refused", "deviation"]
OUTCOMES: tuple[str, ...] = ("accepted", "refused", "deviation")

#: The stream of events that belong to no batch: master data, users, logins, recipes.
SITE_STREAM = "site"

_AUDIT = cast(Table, AuditEvent.__table__)
_HEAD = cast(Table, ChainHead.__table__)
#: Key, in the info of a driver connection, of the stream numbers this connection knows:
#: ``(last_seq, last_hash, {stream: last stream_seq})``, true while the chain head is that.
_KNOWN_STREAMS = "ebr.known_streams"
#: Key, in the same info, of the chain state of the transaction in progress (``_ChainState``).
_CHAIN = "ebr.chain"


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
    newest_at: str | None = None  # when the head event was recorded (ISO UTC, as hashed)
    written: set[str] = field(default_factory=set)  # streams this transaction appended to


# ------------------------------------------------------------------ SQL on the driver


def _placeholder(dialect: Dialect, name: str) -> str:
    return f"%({name})s" if dialect.name == "postgresql" else f":{name}"


def _insert_sql(table: Table, dialect: Dialect) -> str:
    names = [column.name for column in table.columns]
    quoted = ", ".join('"' + name + '"' for name in names)
    values = ", ".join(_placeholder(dialect, name) for name in names)
    return f"INSERT INTO {table.name} ({quoted}) VALUES ({values})"


@dataclass(frozen=True)
class _Statements:
    """The chain's statements in one database's SQL (driver placeholders), made once."""

    head: str  # the chain head, locked where the database needs a lock for it
    stream: str  # the last stream_seq of a stream
    event: str  # insert one event
    advance: str  # move the head
    occurred: str  # when one event was recorded


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: Dialect) -> _Statements:
    made = _STATEMENTS.get(dialect.name)
    if made is None:
        lock = " FOR UPDATE" if dialect.name == "postgresql" else ""
        made = _STATEMENTS[dialect.name] = _Statements(
            head=f"SELECT last_seq, last_hash FROM {_HEAD.name} WHERE id = 1{lock}",
            stream=f"SELECT max(stream_seq) FROM {_AUDIT.name} WHERE stream = {_placeholder(dialect, 's')}",
            event=_insert_sql(_AUDIT, dialect),
            advance=(
                f"UPDATE {_HEAD.name} SET last_seq = {_placeholder(dialect, 'seq')}, "
                f"last_hash = {_placeholder(dialect, 'hash')} WHERE id = 1"
            ),
            occurred=f"SELECT occurred_at FROM {_AUDIT.name} WHERE seq = {_placeholder(dialect, 's')}",
        )
    return made


def _run(connection: Connection, sql: str, params: dict[str, Any]) -> Any:
    """Execute on the connection's driver connection, in its transaction; driver errors come
    out as SQLAlchemy's, as from any other statement (``ebr.database.translated_errors``)."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    try:
        return driver.execute(sql, params)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, params, exc, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from exc


# ------------------------------------------------------------------ the chain head


def _chain_state(connection: Connection) -> _ChainState:
    """The chain head for this transaction, locked on first use and kept until it ends."""
    if not connection.in_transaction():
        connection.begin()  # a unit of work that goes on after a commit: its next transaction
    transaction = connection.get_transaction()
    nested = connection.in_nested_transaction()  # a savepoint may roll back: no caching
    cached = connection.info.get(_CHAIN)
    if not nested and isinstance(cached, _ChainState) and cached.transaction is transaction:
        return cached
    row = _run(connection, _statements(connection.dialect).head, {}).fetchone()
    if row is None:
        raise RuntimeError("chain_head row missing: the schema was not made by the migrations")
    last_seq, last_hash = int(row[0]), str(row[1])
    known = connection.info.get(_KNOWN_STREAMS)
    if known and known[0] == last_seq and known[1] == last_hash:
        streams, newest_at = dict(known[2]), known[3]
    else:
        streams, newest_at = {}, _recorded_at(connection, last_seq)
    state = _ChainState(None if nested else transaction, last_seq, last_hash, streams, newest_at)
    connection.info[_CHAIN] = state
    return state


def _recorded_at(connection: Connection, seq: int) -> str | None:
    if seq <= 0:
        return None
    row = _run(connection, _statements(connection.dialect).occurred, {"s": seq}).fetchone()
    return None if row is None else str(row[0])


class ClockBehindRecord(NotAllowed):
    """The system clock stands behind the newest record by more than the tolerance: a clock
    set back would pass expired training, lots and calibrations, and the record's times would
    run backwards. Nothing is written until the clock is set right."""

    def __init__(self, now: dt.datetime, newest: str) -> None:
        super().__init__(
            f"the station's clock ({chain.utc_iso(now)}) is behind the newest record ({newest}): "
            "nothing can be recorded until it is set right",
            "clock_behind_record",
        )


def _check_clock(now: dt.datetime, newest_at: str | None) -> None:
    if newest_at is not None and now < dt.datetime.fromisoformat(newest_at) - CLOCK_TOLERANCE:
        raise ClockBehindRecord(now, newest_at)


def chain_head(connection: Connection) -> tuple[int, str]:
    """The chain head (last seq and hash) as this transaction sees it (locked, see above)."""
    state = _chain_state(connection)
    return state.last_seq, state.last_hash


def written(connection: Connection) -> tuple[int, dict[str, int]] | None:
    """What this transaction appended so far: the last seq, and the last ``stream_seq`` of
    each stream it appended to; None if nothing."""
    state = connection.info.get(_CHAIN)
    if (
        not isinstance(state, _ChainState)
        or not state.written
        or state.transaction is None
        or state.transaction is not connection.get_transaction()
    ):
        return None
    return state.last_seq, {stream: state.streams[stream] for stream in state.written}


def _next_stream_seq(connection: Connection, state: _ChainState, stream: str) -> int:
    if stream not in state.streams:
        current = _run(connection, _statements(connection.dialect).stream, {"s": stream}).fetchone()
        state.streams[stream] = int(current[0] or 0) if current else 0
    return state.streams[stream] + 1


def append_event(
    connection: Connection,
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
    """Append one event to the audit trail, in the connection's transaction."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if not stream or not action or not entity_type:
        raise ValueError("an audit event needs a stream, an action and an entity type")
    if record is not None and record.table not in RECORD_TABLES:
        raise ValueError(f"not a record table: {record.table}")
    state = _chain_state(connection)
    now = clock.utc_now()
    _check_clock(now, state.newest_at)
    stream_seq = _next_stream_seq(connection, state, stream)
    # Stored as canonical text; normalised through JSON first, so that the text is what a
    # reader's json.loads of it gives back in canonical form (``chain.to_json_value``).
    old_text = None if old_value is None else chain.canonical_text(old_value)
    new_text = None if new_value is None else chain.canonical_text(new_value)
    event: dict[str, Any] = {
        "seq": state.last_seq + 1,
        "uid": new_uid(),
        "stream": stream,
        "stream_seq": stream_seq,
        "occurred_at": chain.utc_iso(now),
        "user_id": user_id,
        "action": action,
        "outcome": outcome,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "old_value": old_text,
        "new_value": new_text,
        "reason": reason,
        "record_table": record.table if record else None,
        "record_uid": record.uid if record else None,
        "record_hash": record.hash if record else None,
        "prev_hash": state.last_hash,
    }
    event_hash = chain.event_hash_of_texts(event)
    stored = dict(event, hash=event_hash)
    statements = _statements(connection.dialect)
    _run(connection, statements.event, stored)
    _run(connection, statements.advance, {"seq": event["seq"], "hash": event_hash})
    state.last_seq, state.last_hash = event["seq"], event_hash
    state.newest_at = max(event["occurred_at"], state.newest_at or "")
    state.streams[stream] = stream_seq
    state.written.add(stream)
    if state.transaction is not None:
        # True once this transaction commits; if it rolls back, no head will ever match the key.
        connection.info[_KNOWN_STREAMS] = (state.last_seq, state.last_hash, state.streams, state.newest_at)
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


# ------------------------------------------------------------------ typed records

Convert = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _RecordSpec:
    sql: str
    # (attribute key, column name, bind conversion, result conversion, default)
    columns: tuple[tuple[str, str, Convert, Convert, Callable[[], Any] | None], ...]


_SPECS: dict[tuple[str, str], _RecordSpec] = {}


def _record_spec(table: Table, dialect: Dialect) -> _RecordSpec:
    key = (table.name, dialect.name)
    spec = _SPECS.get(key)
    if spec is None:
        columns = []
        for column in table.columns:
            default: Callable[[], Any] | None = None
            if column.default is not None:
                if column.key != "uid":  # records take every value from the caller
                    raise ValueError(f"{table.name}.{column.name}: only uid may have a default")
                default = new_uid
            columns.append(
                (
                    column.key,
                    column.name,
                    column.type.bind_processor(dialect),
                    column.type.result_processor(dialect, None),
                    default,
                )
            )
        spec = _SPECS[key] = _RecordSpec(_insert_sql(table, dialect), tuple(columns))
    return spec


def add_record(
    connection: Connection,
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

    ``record_hash`` covers the content exactly as the database stores it: each value is
    converted by its column type for the database and back, as a read would return it,
    and the row object is given those values (so ``record_content(row)`` is what was
    stored, which is what a signature over it signs). The row is not added to the
    session: a record is written once and never changed."""
    table = cast(Table, row.__table__)
    if table.name not in RECORD_TABLES:
        raise ValueError(f"{table.name} is not a record table")
    _chain_state(connection)  # in a transaction, the head locked
    spec = _record_spec(table, connection.dialect)
    params: dict[str, Any] = {}
    content: dict[str, Any] = {}
    for key, name, to_db, from_db, default in spec.columns:
        value = getattr(row, key)
        if value is None and default is not None:
            value = default()
        stored = value if to_db is None or value is None else to_db(value)
        params[name] = stored
        content[key] = stored if from_db is None or stored is None else from_db(stored)
    _run(connection, spec.sql, params)
    for key, value in content.items():
        current = getattr(row, key)
        if type(current) is not type(value) or current != value:
            setattr(row, key, value)
    ref = RecordRef(table.name, str(content["uid"]), chain.record_hash(content))
    return append_event(
        connection,
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
