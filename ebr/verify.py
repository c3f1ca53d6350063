"""``ebr verify``: is the record intact?

Checks, over the whole audit trail:

1. every event's hash (``ebr.chain.event_hash``) and its link to the previous event;
2. ``seq`` runs 1, 2, 3 ... without gap, and ``stream_seq`` does within each stream;
3. ``chain_head`` names the last event;
4. every typed record row (``ebr.models.RECORD_TABLES``) is referenced by exactly one
   audit event, of its own table, whose ``record_hash`` is the hash of the row's content
   as stored now; every event that references a record finds its row;
5. every signature's ``signed_hash`` is the hash of the record it names.

So an edited, deleted, inserted, swapped or copied row is caught, and the report
names the first bad event (lowest ``seq``; a row no event vouches for has none).

Speed: the canonical text of each event and record is assembled by the database
(``json_quote`` / ``to_json``, one string per row), and Python only hashes and
compares. Wherever that fast path disagrees, the row is checked again with the
reference implementation (``ebr.chain`` over the row as SQLAlchemy reads it), so the
fast path can never produce a false alarm, only save time. The fast path is sound:
it hashes an unambiguous JSON text (strings escaped by the database, JSON columns
checked to hold one valid JSON value each), so a match means the stored fields are
the ones that were hashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Column, Integer, Table, select
from sqlalchemy.engine import Connection

from ebr import chain
from ebr.database import Database, translated_errors
from ebr.errors import NotFound
from ebr.models import RECORD_MODELS, RECORD_TABLES, AuditEvent, ChainHead, JsonText, Signature

_AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
_JSON_EVENT_FIELDS = frozenset({"old_value", "new_value"})
_FETCH = 20_000


class BadEvent(NamedTuple):
    """The first thing found wrong: the event's seq and uid (for a row no event vouches
    for: seq None and the row's uid) and what is wrong, in one line."""

    seq: int | None
    uid: str
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq} ({self.uid})" if self.seq is not None else f"row {self.uid}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events_checked: int
    first_bad: BadEvent | None
    records_checked: int = 0
    signatures_checked: int = 0
    problems: tuple[BadEvent, ...] = ()  # the first few, in seq order

    def __str__(self) -> str:
        if self.ok:
            return (
                f"intact: {self.events_checked} events, {self.records_checked} records, "
                f"{self.signatures_checked} signatures"
            )
        return f"TAMPERED: {self.first_bad}"


# ------------------------------------------------------------------ canonical text in SQL


def _kind(column: Column[Any], json_names: frozenset[str]) -> str:
    if column.name in json_names or isinstance(column.type, JsonText):
        return "json"
    if isinstance(column.type, Boolean):
        return "bool"
    if isinstance(column.type, Integer):
        return "int"
    return "text"  # String, Text, Date and the text-stored timestamps and decimals


def _value_sql(column: Column[Any], kind: str, dialect: str, alias: str) -> str:
    ref = f'{alias}."{column.name}"'
    if kind == "bool":
        return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN {ref} THEN 'true' ELSE 'false' END"
    if kind == "int":
        return f"COALESCE(CAST({ref} AS TEXT), 'null')"
    if kind == "json":
        if dialect == "sqlite":
            return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN json_valid({ref}) THEN {ref} END"
        return f"COALESCE({ref}, 'null')"  # validity is checked in Python, see _json_ok
    if dialect == "sqlite":
        return f"json_quote({ref})"
    return f"COALESCE(to_json({ref})::text, 'null')"


def canonical_sql(
    columns: Iterable[Column[Any]], dialect: str, alias: str, json_names: frozenset[str] = frozenset()
) -> str:
    """A SQL expression for ``ebr.chain.canonical`` of the row's columns as a JSON object."""
    pieces: list[str] = []
    for index, column in enumerate(sorted(columns, key=lambda c: c.name)):
        key = chain.canonical(column.name)
        prefix = ("{" if index == 0 else ",") + key + ":"
        pieces.append("'" + prefix.replace("'", "''") + "'")
        pieces.append(_value_sql(column, _kind(column, json_names), dialect, alias))
    pieces.append("'}'")
    return " || ".join(pieces)


def _as_bytes(expression: str, dialect: str) -> str:
    return f"CAST({expression} AS BLOB)" if dialect == "sqlite" else f"convert_to({expression}, 'UTF8')"


def _newline(dialect: str) -> str:
    return "char(10)" if dialect == "sqlite" else "chr(10)"


def _event_payload_sql(dialect: str) -> str:
    columns = [_AUDIT.c[name] for name in chain.EVENT_FIELDS]
    text = f"e.prev_hash || {_newline(dialect)} || " + canonical_sql(columns, dialect, "e", _JSON_EVENT_FIELDS)
    return _as_bytes(text, dialect)


def _record_payload_sql(table: Table, dialect: str, alias: str) -> str:
    return _as_bytes(canonical_sql(table.columns, dialect, alias), dialect)


def _json_ok(*texts: str | None) -> bool:
    for text in texts:
        if text is not None:
            try:
                json.loads(text)
            except ValueError:
                return False
    return True


# ------------------------------------------------------------------ reference checks


def _reference_event_hash(connection: Connection, seq: int) -> tuple[str | None, str | None]:
    """(computed, stored) hash of event ``seq`` by the reference implementation."""
    row = connection.execute(select(_AUDIT).where(_AUDIT.c.seq == seq)).mappings().one_or_none()
    if row is None:
        return None, None
    event = {name: row[name] for name in chain.EVENT_FIELDS}
    try:
        for name in _JSON_EVENT_FIELDS:
            if event[name] is not None:
                event[name] = json.loads(event[name])
        return chain.event_hash(event), row["hash"]
    except (ValueError, TypeError):
        return "unreadable", row["hash"]


def _reference_record_hash(connection: Connection, table: Table, uid: str) -> str | None:
    try:
        row = connection.execute(select(table).where(table.c.uid == uid)).mappings().one_or_none()
        return None if row is None else chain.record_hash(dict(row))
    except (ValueError, TypeError):
        return "unreadable"


# ------------------------------------------------------------------ the check


class _Problems:
    def __init__(self, keep: int = 20) -> None:
        self.items: list[BadEvent] = []
        self.keep = keep

    def add(self, seq: int | None, uid: str, problem: str) -> None:
        self.items.append(BadEvent(seq, uid, problem))
        if len(self.items) > 10 * self.keep:
            self.items = self._sorted()[: self.keep]

    def _sorted(self) -> list[BadEvent]:
        return sorted(self.items, key=lambda p: (p.seq is None, p.seq or 0, p.uid))

    def result(self) -> tuple[BadEvent, ...]:
        return tuple(self._sorted()[: self.keep])


def _placeholder(dialect: str) -> str:
    return "%s" if dialect == "postgresql" else "?"


def _rows(connection: Connection, sql: str, params: tuple[Any, ...] | None = None) -> Iterator[tuple[Any, ...]]:
    cursor = connection.exec_driver_sql(sql, params) if params else connection.exec_driver_sql(sql)
    try:
        while True:
            chunk = cursor.fetchmany(_FETCH)
            if not chunk:
                return
            yield from chunk
    finally:
        cursor.close()


def _check_events(connection: Connection, dialect: str, problems: _Problems) -> tuple[int, dict[str, int]]:
    """Hashes, links, seq and stream_seq, chain head. Returns (events, events per record table)."""
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    extra = ", e.old_value, e.new_value" if pg else ""
    sql = (
        "SELECT e.seq, e.uid, e.stream, e.stream_seq, e.record_table, e.prev_hash, e.hash, "
        f"{_event_payload_sql(dialect)}{extra} FROM audit_events e ORDER BY e.seq"
    )
    expected = 1
    last_hash = chain.GENESIS
    streams: dict[str, int] = {}
    per_table: dict[str, int] = {}
    count = 0
    for row in _rows(connection, sql):
        seq, uid, stream, stream_seq, record_table, prev_hash, stored_hash, payload = row[:8]
        count += 1
        if (
            seq != expected
            or prev_hash != last_hash
            or payload is None
            or sha256(payload).hexdigest() != stored_hash
            or (pg and not _json_ok(row[8], row[9]))
        ):
            if seq != expected:
                problems.add(seq, uid, f"seq {seq} where {expected} was expected (events removed or added)")
            elif prev_hash != last_hash:
                problems.add(seq, uid, "prev_hash does not match the previous event's hash (chain broken)")
            else:
                computed, stored = _reference_event_hash(connection, seq)
                if computed != stored:
                    problems.add(seq, uid, "hash does not match the event's content (event altered)")
        last_seq_in_stream = streams.get(stream, 0)
        if stream_seq != last_seq_in_stream + 1:
            problems.add(
                seq,
                uid,
                f"stream {stream}: stream_seq {stream_seq} where {last_seq_in_stream + 1} was expected",
            )
        streams[stream] = stream_seq
        if record_table is not None:
            per_table[record_table] = per_table.get(record_table, 0) + 1
        expected = seq + 1
        last_hash = stored_hash
    head = connection.execute(select(ChainHead.last_seq, ChainHead.last_hash).where(ChainHead.id == 1)).one_or_none()
    if head is None:
        problems.add(None, "chain_head", "chain_head row is missing")
    elif head.last_seq != expected - 1 or head.last_hash != last_hash:
        problems.add(
            int(head.last_seq) if head.last_seq != expected - 1 else expected - 1,
            "chain_head",
            f"chain_head says seq {head.last_seq}, the trail ends at seq {expected - 1} "
            "(events removed or added at the end)",
        )
    return count, per_table


def _check_records(
    connection: Connection, dialect: str, problems: _Problems, per_table: dict[str, int], batch_id: str | None
) -> int:
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    checked = 0
    for model in RECORD_MODELS:
        table: Table = model.__table__  # type: ignore[assignment]
        name = table.name
        if batch_id is not None and "batch_id" not in table.c:
            continue
        json_columns = [c.name for c in table.columns if isinstance(c.type, JsonText)]
        extra = "".join(f', t."{c}"' for c in json_columns) if pg else ""
        where = f" WHERE t.batch_id = {_placeholder(dialect)}" if batch_id is not None else ""
        params = (batch_id,) if batch_id is not None else None
        sql = (
            f"SELECT t.uid, e.seq, e.uid, e.record_table, e.record_hash, {_record_payload_sql(table, dialect, 't')}"
            f"{extra} FROM {name} t LEFT JOIN audit_events e ON e.record_uid = t.uid{where}"
        )
        lines = 0
        matched = 0
        for row in _rows(connection, sql, params):
            uid, seq, event_uid, event_table, event_hash, payload = row[:6]
            lines += 1
            if seq is None:
                problems.add(None, uid, f"{name} row {uid} is not in the audit trail (row added or copied)")
                continue
            if event_table != name:
                problems.add(seq, event_uid, f"event names {event_table}, the row {uid} is in {name}")
                continue
            matched += 1
            if payload is None or sha256(payload).hexdigest() != event_hash or (pg and not _json_ok(*row[6:])):
                if _reference_record_hash(connection, table, uid) != event_hash:
                    problems.add(seq, event_uid, f"{name} row {uid} differs from what was recorded (row altered)")
        checked += lines
        rows_in_table = next(iter(_rows(connection, f"SELECT count(*) FROM {name} t{where}", params)))[0]
        if lines > rows_in_table:
            _find_duplicates(connection, name, problems)
        if batch_id is None and per_table.get(name, 0) > matched:
            _find_missing_rows(connection, name, problems)
    if batch_id is None:
        for name in set(per_table) - set(RECORD_TABLES):
            _find_missing_rows(connection, name, problems)
    return checked


def _find_duplicates(connection: Connection, table: str, problems: _Problems) -> None:
    sql = (
        f"SELECT e.seq, e.uid, e.record_uid FROM audit_events e JOIN {table} t ON t.uid = e.record_uid "
        "WHERE e.record_uid IN (SELECT record_uid FROM audit_events WHERE record_uid IS NOT NULL "
        "GROUP BY record_uid HAVING count(*) > 1) ORDER BY e.seq"
    )
    seen: set[str] = set()
    for seq, uid, record_uid in _rows(connection, sql):
        if record_uid in seen:
            problems.add(seq, uid, f"a second event vouches for {table} row {record_uid}")
        seen.add(record_uid)


def _find_missing_rows(connection: Connection, table: str, problems: _Problems) -> None:
    ph = _placeholder(connection.dialect.name)
    sql = f"SELECT e.seq, e.uid, e.record_uid, e.record_table FROM audit_events e WHERE e.record_table = {ph}"
    if table in RECORD_TABLES:
        sql += f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.uid = e.record_uid)"
    for seq, uid, record_uid, record_table in _rows(connection, sql, (table,)):
        problems.add(seq, uid, f"the {record_table} row {record_uid} this event recorded is gone (row deleted)")


def _check_signatures(connection: Connection, dialect: str, problems: _Problems, batch_id: str | None) -> int:
    sig: Table = Signature.__table__  # type: ignore[assignment]
    query = select(sig.c.uid, sig.c.record_table, sig.c.record_uid, sig.c.signed_hash)
    if batch_id is not None:
        query = query.where(sig.c.batch_id == batch_id)
    tables = {m.__tablename__: m.__table__ for m in RECORD_MODELS}
    count = 0
    for uid, record_table, record_uid, signed_hash in connection.execute(query):
        count += 1
        table = tables.get(record_table)
        seq, event_uid = _event_of(connection, uid)
        if table is None:
            problems.add(seq, event_uid or uid, f"signature {uid} names an unknown table {record_table!r}")
            continue
        current = _reference_record_hash(connection, table, record_uid)  # type: ignore[arg-type]
        if current is None:
            problems.add(seq, event_uid or uid, f"signature {uid}: the signed {record_table} row is gone")
        elif current != signed_hash:
            problems.add(
                seq, event_uid or uid, f"signature {uid} does not match the {record_table} row it names"
            )
    return count


def _event_of(connection: Connection, record_uid: str) -> tuple[int | None, str | None]:
    row = connection.execute(
        select(_AUDIT.c.seq, _AUDIT.c.uid).where(_AUDIT.c.record_uid == record_uid)
    ).first()
    return (None, None) if row is None else (int(row.seq), str(row.uid))


def verify(db: Database, batch_id: str | None = None) -> VerifyReport:
    """Check the whole audit trail, and the records (all, or those of ``batch_id``).

    The chain is one for all batches, so it is always checked whole; ``batch_id``
    narrows the record and signature checks. NotFound if the batch does not exist."""
    db.check_schema()
    problems = _Problems()
    with translated_errors(db.url), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA query_only = ON")
        try:
            if batch_id is not None:
                found = connection.exec_driver_sql(
                    f"SELECT 1 FROM batches WHERE batch_id = {_placeholder(db.dialect)}", (batch_id,)
                ).first()
                if found is None:
                    raise NotFound(f"no batch {batch_id!r} in database {db.shown_url}")
            events, per_table = _check_events(connection, db.dialect, problems)
            records = _check_records(connection, db.dialect, problems, per_table, batch_id)
            signatures = _check_signatures(connection, db.dialect, problems, batch_id)
        finally:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA query_only = OFF")
            connection.rollback()
    found_problems = problems.result()
    return VerifyReport(
        ok=not found_problems,
        events_checked=events,
        first_bad=found_problems[0] if found_problems else None,
        records_checked=records,
        signatures_checked=signatures,
        problems=found_problems,
    )
