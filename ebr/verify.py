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
import multiprocessing
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Boolean, Column, Integer, Table, distinct, func, select
from sqlalchemy.engine import Connection, make_url

from ebr import chain
from ebr.database import Database, translated_errors
from ebr.errors import NotFound
from ebr.models import RECORD_MODELS, AuditEvent, Batch, ChainHead, JsonText, Signature

_AUDIT = cast(Table, AuditEvent.__table__)
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
    """SQL for one value in canonical JSON; NULL (rendered empty) where the stored value
    cannot be what was hashed, so the row fails the fast check and goes to the reference."""
    ref = f'{alias}."{column.name}"'
    if kind == "bool":
        return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN {ref} THEN 'true' ELSE 'false' END"
    if dialect == "sqlite":
        if kind == "int":
            return f"CASE typeof({ref}) WHEN 'integer' THEN {ref} WHEN 'null' THEN 'null' END"
        if kind == "json":
            return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN json_valid({ref}) THEN {ref} END"
        return f"json_quote({ref})"
    if kind == "int":
        return f"COALESCE(CAST({ref} AS TEXT), 'null')"
    if kind == "json":
        return f"COALESCE({ref}, 'null')"  # validity is checked in Python, see _json_ok
    return f"COALESCE(to_json({ref})::text, 'null')"


def canonical_sql(
    columns: Iterable[Column[Any]], dialect: str, alias: str, json_names: frozenset[str] = frozenset()
) -> str:
    """A SQL expression for ``ebr.chain.canonical`` of the row's columns as a JSON object:
    one ``printf`` (SQLite) or ``format`` (PostgreSQL) call over the escaped values.
    For PostgreSQL the text is meant for a DB-API ``execute`` with parameters (``%%``)."""
    template: list[str] = []
    values: list[str] = []
    for column in sorted(columns, key=lambda c: c.name):
        template.append(chain.canonical(column.name) + ":%s")
        values.append(_value_sql(column, _kind(column, json_names), dialect, alias))
    text = "{" + ",".join(template) + "}"
    if dialect == "sqlite":
        return f"printf('{text}', {', '.join(values)})"
    # psycopg reads % as a placeholder: the query is always run with parameters, so %% is %.
    return f"format('{text.replace('%', '%%')}', {', '.join(values)})"


def _as_bytes(expression: str, dialect: str) -> str:
    return f"CAST({expression} AS BLOB)" if dialect == "sqlite" else f"convert_to({expression}, 'UTF8')"


def _newline(dialect: str) -> str:
    return "char(10)" if dialect == "sqlite" else "chr(10)"


def _event_payload_sql(dialect: str) -> str:
    columns = [_AUDIT.c[name] for name in chain.EVENT_FIELDS]
    canonical = canonical_sql(columns, dialect, "e", _JSON_EVENT_FIELDS)
    return _as_bytes(f"e.prev_hash || {_newline(dialect)} || {canonical}", dialect)


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


# ------------------------------------------------------------------ fast checks on a DB-API connection
#
# These run in the calling process, or in worker processes (one DB-API connection each)
# when the trail is large. They return plain data: problems found for sure, and
# "suspects" that the fast path could not confirm, which the caller checks again with
# the reference implementation.


def _placeholder(dialect: str) -> str:
    return "%s" if dialect == "postgresql" else "?"


@dataclass
class _Partial:
    problems: list[BadEvent] = field(default_factory=list)
    event_suspects: list[int] = field(default_factory=list)  # seq
    record_suspects: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    signature_suspects: list[tuple[str, str, str, str]] = field(default_factory=list)
    events: int = 0
    records: int = 0
    signatures: int = 0
    matched: dict[str, int] = field(default_factory=dict)  # record table -> rows with their event
    duplicated: list[str] = field(default_factory=list)  # record tables with a row vouched for twice


def _rows(raw: Any, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(_FETCH)
            if not chunk:
                return
            yield from chunk
    finally:
        cursor.close()


def _events_task(raw: Any, dialect: str, lo: int, hi: int, prev_hash: str) -> _Partial:
    """Hashes and links of the events lo..hi; ``prev_hash`` is the stored hash before lo."""
    out = _Partial()
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    ph = _placeholder(dialect)
    extra = ", e.old_value, e.new_value" if pg else ""
    sql = (
        f"SELECT e.seq, e.uid, e.hash, {_event_payload_sql(dialect)}{extra} FROM audit_events e "
        f"WHERE e.seq >= {ph} AND e.seq <= {ph} ORDER BY e.seq"
    )
    expected = lo
    last = prev_hash.encode()
    count = 0
    for row in _rows(raw, sql, (lo, hi)):
        seq, uid, stored, payload = row[:4]
        count += 1
        if seq != expected:
            out.problems.append(
                BadEvent(seq, uid, f"seq {seq} where {expected} was expected (events removed)")
            )
        if payload is None:
            out.event_suspects.append(seq)
        else:
            payload = bytes(payload)
            if payload[:64] != last:
                out.problems.append(
                    BadEvent(seq, uid, "prev_hash is not the previous event's hash (chain broken)")
                )
            elif sha256(payload).hexdigest() != stored or (pg and not _json_ok(row[4], row[5])):
                out.event_suspects.append(seq)
        expected = seq + 1
        last = stored.encode()
    out.events = count
    return out


def _records_task(raw: Any, dialect: str, name: str, batch_id: str | None) -> _Partial:
    """Every row of one record table against the event that vouches for it."""
    out = _Partial()
    table: Table = _TABLES[name]
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    json_columns = [c.name for c in table.columns if isinstance(c.type, JsonText)]
    extra = "".join(f', t."{c}"' for c in json_columns) if pg else ""
    where = f" WHERE t.batch_id = {_placeholder(dialect)}" if batch_id is not None else ""
    params = (batch_id,) if batch_id is not None else ()
    sql = (
        f"SELECT t.uid, e.seq, e.uid, e.record_table, e.record_hash, {_record_payload_sql(table, dialect, 't')}"
        f"{extra} FROM {name} t LEFT JOIN audit_events e ON e.record_uid = t.uid{where}"
    )
    lines = matched = 0
    for row in _rows(raw, sql, params):
        uid, seq, event_uid, event_table, event_hash, payload = row[:6]
        lines += 1
        if seq is None:
            out.problems.append(
                BadEvent(None, uid, f"{name} row {uid} is in no audit event (row added or copied)")
            )
            continue
        if event_table != name:
            out.problems.append(
                BadEvent(seq, event_uid, f"the event names {event_table}, row {uid} is in {name}")
            )
            continue
        matched += 1
        if (
            payload is None
            or sha256(bytes(payload)).hexdigest() != event_hash
            or (pg and not _json_ok(*row[6:]))
        ):
            out.record_suspects.append((name, uid, seq, event_uid, event_hash))
    rows_in_table = next(_rows(raw, f"SELECT count(*) FROM {name} t{where}", params))[0]
    if lines > rows_in_table:
        out.duplicated.append(name)
    out.records = rows_in_table
    out.matched[name] = matched
    return out


def _signatures_task(raw: Any, dialect: str, name: str, batch_id: str | None) -> _Partial:
    """Every signature over a row of table ``name`` against that row's content now."""
    out = _Partial()
    table: Table = _TABLES[name]
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    ph = _placeholder(dialect)
    json_columns = [c.name for c in table.columns if isinstance(c.type, JsonText)]
    extra = "".join(f', t."{c}"' for c in json_columns) if pg else ""
    where = f" AND s.batch_id = {ph}" if batch_id is not None else ""
    params = (name, batch_id) if batch_id is not None else (name,)
    sql = (
        f"SELECT s.uid, s.record_uid, s.signed_hash, t.uid, {_record_payload_sql(table, dialect, 't')}{extra} "
        f"FROM signatures s LEFT JOIN {name} t ON t.uid = s.record_uid WHERE s.record_table = {ph}{where}"
    )
    for row in _rows(raw, sql, params):
        uid, record_uid, signed_hash, found, payload = row[:5]
        out.signatures += 1
        if found is None:
            out.signature_suspects.append((uid, name, record_uid, signed_hash))
        elif (
            payload is None
            or sha256(bytes(payload)).hexdigest() != signed_hash
            or (pg and not _json_ok(*row[5:]))
        ):
            out.signature_suspects.append((uid, name, record_uid, signed_hash))
    return out


_TABLES: dict[str, Table] = {m.__tablename__: m.__table__ for m in RECORD_MODELS}  # type: ignore[misc]


def _open_raw(url: str, dialect: str) -> Any:
    parsed = make_url(url)
    if dialect == "sqlite":
        path = parsed.database or ""
        return sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
    import psycopg

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(conninfo, autocommit=False)
    connection.read_only = True
    return connection


def _run_task(url: str, dialect: str, task: tuple[Any, ...]) -> _Partial:
    """A task in a worker process: its own read-only connection."""
    raw = _open_raw(url, dialect)
    try:
        return _dispatch(raw, dialect, task)
    finally:
        raw.close()


def _dispatch(raw: Any, dialect: str, task: tuple[Any, ...]) -> _Partial:
    kind, *args = task
    if kind == "events":
        return _events_task(raw, dialect, *args)
    if kind == "records":
        return _records_task(raw, dialect, *args)
    return _signatures_task(raw, dialect, *args)


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


def _event_of(connection: Connection, record_uid: str) -> tuple[int | None, str]:
    row = connection.execute(
        select(_AUDIT.c.seq, _AUDIT.c.uid).where(_AUDIT.c.record_uid == record_uid)
    ).first()
    return (None, record_uid) if row is None else (int(row.seq), str(row.uid))


# ------------------------------------------------------------------ the whole check

#: Below this many events the check runs in the calling process; above it, in parallel.
PARALLEL_FROM = 200_000


def _plan(
    connection: Connection, dialect: str, last_seq: int, workers: int, batch_id: str | None
) -> list[tuple[Any, ...]]:
    tasks: list[tuple[Any, ...]] = []
    parts = max(1, workers * 2 if workers > 1 else 1)
    step = max(1, -(-last_seq // parts))
    lo = 1
    while lo <= last_seq:
        hi = min(last_seq, lo + step - 1)
        before = connection.execute(
            select(_AUDIT.c.hash).where(_AUDIT.c.seq < lo).order_by(_AUDIT.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        tasks.append(("events", lo, hi, before or chain.GENESIS))
        lo = hi + 1
    for name, table in _TABLES.items():
        if batch_id is None or "batch_id" in table.c:
            tasks.append(("records", name, batch_id))
    for name in _TABLES:
        tasks.append(("signatures", name, batch_id))
    # Big tasks first, so the workers finish together.
    return sorted(tasks, key=lambda t: 0 if t[0] == "events" else 1)


def _check_streams(connection: Connection, problems: list[BadEvent], batch_id: str | None) -> None:
    query = select(
        _AUDIT.c.stream,
        func.count(),
        func.min(_AUDIT.c.stream_seq),
        func.max(_AUDIT.c.stream_seq),
        func.count(distinct(_AUDIT.c.stream_seq)),
    ).group_by(_AUDIT.c.stream)
    if batch_id is not None:
        query = query.where(_AUDIT.c.stream == batch_id)
    for stream, count, low, high, distinct_count in connection.execute(query):
        if low == 1 and high == count == distinct_count:
            continue
        expected = 1
        for seq, uid, stream_seq in connection.execute(
            select(_AUDIT.c.seq, _AUDIT.c.uid, _AUDIT.c.stream_seq)
            .where(_AUDIT.c.stream == stream)
            .order_by(_AUDIT.c.seq)
        ):
            if stream_seq != expected:
                problems.append(
                    BadEvent(
                        seq, uid, f"stream {stream}: stream_seq {stream_seq} where {expected} was expected"
                    )
                )
                break
            expected += 1


def _check_head(connection: Connection, problems: list[BadEvent]) -> int:
    head = connection.execute(
        select(ChainHead.last_seq, ChainHead.last_hash).where(ChainHead.id == 1)
    ).one_or_none()
    last = connection.execute(
        select(_AUDIT.c.seq, _AUDIT.c.uid, _AUDIT.c.hash).order_by(_AUDIT.c.seq.desc()).limit(1)
    ).first()
    last_seq, last_uid, last_hash = (
        (int(last.seq), str(last.uid), str(last.hash)) if last else (0, "", chain.GENESIS)
    )
    if head is None:
        problems.append(BadEvent(last_seq or None, last_uid or "chain_head", "the chain_head row is missing"))
        return last_seq
    if int(head.last_seq) != last_seq or head.last_hash != last_hash:
        problems.append(
            BadEvent(
                min(last_seq, int(head.last_seq)) or None,
                last_uid or "chain_head",
                f"chain_head says the trail ends at seq {head.last_seq}, it ends at seq {last_seq} "
                "(events removed or added at the end)",
            )
        )
    return max(last_seq, int(head.last_seq))


def _resolve(connection: Connection, partial: _Partial, problems: list[BadEvent]) -> None:
    """Check the fast path's suspects with the reference implementation."""
    for seq in partial.event_suspects:
        computed, stored = _reference_event_hash(connection, seq)
        if computed != stored:
            uid = connection.execute(select(_AUDIT.c.uid).where(_AUDIT.c.seq == seq)).scalar_one()
            problems.append(BadEvent(seq, uid, "the event's hash does not match its content (event altered)"))
    for name, uid, seq, event_uid, event_hash in partial.record_suspects:
        if _reference_record_hash(connection, _TABLES[name], uid) != event_hash:
            problems.append(
                BadEvent(seq, event_uid, f"{name} row {uid} differs from what was recorded (row altered)")
            )
    for uid, name, record_uid, signed_hash in partial.signature_suspects:
        current = _reference_record_hash(connection, _TABLES[name], record_uid)
        if current != signed_hash:
            signature_seq, event_uid = _event_of(connection, uid)
            what = "is gone" if current is None else "is not the content it signed (copied or changed)"
            problems.append(
                BadEvent(signature_seq, event_uid, f"signature {uid}: the {name} row {record_uid} {what}")
            )


def _check_references(
    connection: Connection,
    merged: _Partial,
    problems: list[BadEvent],
    batch_id: str | None,
) -> None:
    """Events that vouch for a row that is not there; rows vouched for twice; signatures
    of unknown tables."""
    counts = select(_AUDIT.c.record_table, func.count()).where(_AUDIT.c.record_table.is_not(None))
    if batch_id is not None:
        counts = counts.where(_AUDIT.c.stream == batch_id)
    for name, count in connection.execute(counts.group_by(_AUDIT.c.record_table)):
        table = _TABLES.get(name)
        if table is not None and name in merged.matched and merged.matched[name] >= count:
            continue
        if batch_id is not None and table is not None and name not in merged.matched:
            continue
        query = select(_AUDIT.c.seq, _AUDIT.c.uid, _AUDIT.c.record_uid).where(_AUDIT.c.record_table == name)
        if batch_id is not None:
            query = query.where(_AUDIT.c.stream == batch_id)
        if table is not None:
            query = query.where(~select(table.c.uid).where(table.c.uid == _AUDIT.c.record_uid).exists())
        for seq, uid, record_uid in connection.execute(query.order_by(_AUDIT.c.seq)):
            problems.append(BadEvent(seq, uid, f"the {name} row {record_uid} this event recorded is gone"))
    for name in merged.duplicated:
        table = _TABLES[name]
        query = (
            select(_AUDIT.c.seq, _AUDIT.c.uid, _AUDIT.c.record_uid)
            .join(table, table.c.uid == _AUDIT.c.record_uid)
            .order_by(_AUDIT.c.seq)
        )
        seen: set[str] = set()
        for seq, uid, record_uid in connection.execute(query):
            if record_uid in seen:
                problems.append(BadEvent(seq, uid, f"a second event vouches for {name} row {record_uid}"))
            seen.add(record_uid)
    sig: Table = Signature.__table__  # type: ignore[assignment]
    unknown = select(sig.c.uid, sig.c.record_table).where(sig.c.record_table.not_in(list(_TABLES)))
    if batch_id is not None:
        unknown = unknown.where(sig.c.batch_id == batch_id)
    for uid, name in connection.execute(unknown):
        merged.signatures += 1
        seq, event_uid = _event_of(connection, uid)
        problems.append(BadEvent(seq, event_uid, f"signature {uid} names an unknown table {name!r}"))


def _merge(parts: Iterable[_Partial]) -> _Partial:
    merged = _Partial()
    for part in parts:
        merged.problems += part.problems
        merged.event_suspects += part.event_suspects
        merged.record_suspects += part.record_suspects
        merged.signature_suspects += part.signature_suspects
        merged.events += part.events
        merged.records += part.records
        merged.signatures += part.signatures
        merged.matched.update(part.matched)
        merged.duplicated += part.duplicated
    return merged


def verify(db: Database, batch_id: str | None = None, *, workers: int | None = None) -> VerifyReport:
    """Check the whole audit trail, and the records (all, or those of ``batch_id``).

    The chain is one for all batches, so it is always checked whole; ``batch_id``
    narrows the record and signature checks. NotFound if the batch does not exist.
    ``workers``: processes to use (default: one per CPU, up to 4, for trails of
    ``PARALLEL_FROM`` events or more; 1 = in this process)."""
    db.check_schema()
    problems: list[BadEvent] = []
    with translated_errors(db.url), db.reader().connect() as connection:
        try:
            if batch_id is not None:
                found = connection.execute(select(Batch.uid).where(Batch.batch_id == batch_id)).first()
                if found is None:
                    raise NotFound(f"no batch {batch_id!r} in database {db.shown_url}")
            last_seq = _check_head(connection, problems)
            if workers is None:
                workers = min(os.cpu_count() or 1, 4) if last_seq >= PARALLEL_FROM else 1
            tasks = _plan(connection, db.dialect, last_seq, workers, batch_id)
            if workers > 1 and db.url.database not in (None, "", ":memory:"):
                url = db.url.render_as_string(hide_password=False)
                context = multiprocessing.get_context(
                    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
                )
                with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    parts = list(pool.map(_run_task, [url] * len(tasks), [db.dialect] * len(tasks), tasks))
            else:
                raw = connection.connection.driver_connection
                parts = [_dispatch(raw, db.dialect, task) for task in tasks]
            merged = _merge(parts)
            problems += merged.problems
            _resolve(connection, merged, problems)
            _check_streams(connection, problems, batch_id)
            _check_references(connection, merged, problems, batch_id)
        finally:
            connection.rollback()
    ordered = sorted(set(problems), key=lambda p: (p.seq is None, p.seq or 0, p.uid, p.problem))
    return VerifyReport(
        ok=not ordered,
        events_checked=merged.events,
        first_bad=ordered[0] if ordered else None,
        records_checked=merged.records,
        signatures_checked=merged.signatures,
        problems=tuple(ordered[:20]),
    )
