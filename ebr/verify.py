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

Speed
-----

The canonical text of each event and record is assembled by the database, one string
per row, and Python only hashes and compares. On SQLite that string is one
``json_object`` call with the keys in sorted order: SQLite escapes strings exactly as
``ebr.chain.canonical`` does, writes integers as integers, and embeds the JSON columns
(``json()``, each checked to hold one valid JSON value) as they are. On PostgreSQL it
is one ``format`` call over ``to_json`` values.

The whole trail of a SQLite file (``batch_id`` None) is read in one pass in ``seq``
order, split into ``seq`` ranges for worker processes. Each range also checks the record
each event vouches for: the rows of a record table are read in rowid order, which is the
order in which their events were written, so a row costs no index lookup; a row out of
that order is looked up by uid. A signature is then good when its ``signed_hash`` equals
the ``record_hash`` of the event that vouches for the signed row (one join) and that row
passed its own check. Whether every row has its event is settled by counting rows
against the rows the events found, with a search for the culprits only when the counts
differ (or the database no longer enforces the uniqueness the count relies on).
PostgreSQL and the checks of one batch join each record table with its events instead.

Soundness: the fast path never clears a row it could not prove intact. Whatever it
cannot confirm -- a hash that does not match, a value of an unexpected type, a JSON
column that does not parse -- is checked again with the reference implementation
(``ebr.chain`` over the row as SQLAlchemy reads it), and only the reference reports a
row as altered. The fast path is sound because the text it hashes is unambiguous:
strings are escaped by the database, JSON values are checked to be valid (so each ends
where the next key begins) and keys come from a fixed sorted list, so when the hash
matches, the stored fields are the ones that were hashed.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Boolean, Column, Integer, Table, func, select
from sqlalchemy.engine import Connection, make_url

from ebr import chain
from ebr.database import Database, translated_errors
from ebr.errors import NotFound
from ebr.master_seal import unsealed_rows
from ebr.models import RECORD_MODELS, AuditEvent, Batch, ChainHead, JsonText, Signature
from ebr.timeline import backward_steps

_AUDIT = cast(Table, AuditEvent.__table__)
_SIGNATURES = cast(Table, Signature.__table__)
_JSON_EVENT_FIELDS = frozenset({"old_value", "new_value"})
_FETCH = 20_000
_IN_CHUNK = 500  # values per SQL IN (...) list

#: Page cache of each reading connection (KiB). The indexes the checks look rows up
#: in stay cached; the trail itself is read once, in order.
SQLITE_CACHE_KIB = 32 * 1024


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


def _sqlite_canonical(
    columns: Iterable[Column[Any]], alias: str, json_names: frozenset[str], careful: bool
) -> str:
    """SQLite: ``ebr.chain.canonical`` of the row's columns as a JSON object, or NULL
    where a stored value cannot be what was hashed (the row then goes to the reference).

    ``json_object`` writes text as an escaped JSON string, an integer as an integer, a
    JSON value (``json()``, which parses the column and so proves it one valid JSON value)
    as it is. A boolean that is not 0/1 becomes a string, which no boolean's canonical form
    can equal. ``careful`` (used only after a plain run failed on such a row): also NULL
    for rows whose JSON column does not parse (on which ``json()`` stops the query) or that
    hold a BLOB outside the JSON columns (which ``json_object`` refuses)."""
    values: list[str] = []
    guards: list[str] = []
    for column in sorted(columns, key=lambda c: c.name):
        ref = f'{alias}."{column.name}"'
        kind = _kind(column, json_names)
        if kind == "json":
            if careful:
                guards.append(f"json_valid(coalesce({ref}, 'null'))")
            value = f"json({ref})"
        elif kind == "bool":
            value = (
                f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} = 1 THEN json('true') "
                f"WHEN {ref} = 0 THEN json('false') ELSE 'not a boolean' END"
            )
        else:
            value = ref
        if careful and kind != "json":
            guards.append(f"typeof({ref}) <> 'blob'")
        values.append(f"'{column.name}', {value}")
    body = f"json_object({', '.join(values)})"
    return f"CASE WHEN {' AND '.join(guards)} THEN {body} END" if guards else body


def _pg_value(column: Column[Any], kind: str, alias: str) -> str:
    ref = f'{alias}."{column.name}"'
    if kind == "bool":
        return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN {ref} THEN 'true' ELSE 'false' END"
    if kind == "int":
        return f"COALESCE(CAST({ref} AS TEXT), 'null')"
    if kind == "json":
        return f"COALESCE({ref}, 'null')"  # validity is checked in Python, see _json_ok
    return f"COALESCE(to_json({ref})::text, 'null')"


def canonical_sql(
    columns: Iterable[Column[Any]],
    dialect: str,
    alias: str,
    json_names: frozenset[str] = frozenset(),
    *,
    careful: bool = False,
) -> str:
    """A SQL expression for ``ebr.chain.canonical`` of the row's columns as a JSON object
    (NULL on SQLite where the row cannot match, see :func:`_sqlite_canonical`).
    For PostgreSQL: one ``format`` call, meant for a DB-API ``execute`` with parameters
    (``%%``); its JSON columns must be checked with :func:`_json_ok`."""
    if dialect == "sqlite":
        return _sqlite_canonical(columns, alias, json_names, careful)
    template: list[str] = []
    values: list[str] = []
    for column in sorted(columns, key=lambda c: c.name):
        template.append(chain.canonical(column.name) + ":%s")
        values.append(_pg_value(column, _kind(column, json_names), alias))
    text = "{" + ",".join(template) + "}"
    # psycopg reads % as a placeholder: the query is always run with parameters, so %% is %.
    return f"format('{text.replace('%', '%%')}', {', '.join(values)})"


def _as_bytes(expression: str, dialect: str) -> str:
    return f"CAST({expression} AS BLOB)" if dialect == "sqlite" else f"convert_to({expression}, 'UTF8')"


def _newline(dialect: str) -> str:
    return "char(10)" if dialect == "sqlite" else "chr(10)"


def _event_payload_sql(dialect: str, careful: bool = False) -> str:
    """The bytes an event's hash is computed over: prev_hash, a newline, the canonical payload."""
    columns = [_AUDIT.c[name] for name in chain.EVENT_FIELDS]
    canonical = canonical_sql(columns, dialect, "e", _JSON_EVENT_FIELDS, careful=careful)
    return _as_bytes(f"e.prev_hash || {_newline(dialect)} || {canonical}", dialect)


def _record_payload_sql(table: Table, dialect: str, alias: str, careful: bool = False) -> str:
    return _as_bytes(canonical_sql(table.columns, dialect, alias, careful=careful), dialect)


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
# the reference implementation. Problems found here name the event by seq only; the
# caller fills in the uid.


def _placeholder(dialect: str) -> str:
    return "%s" if dialect == "postgresql" else "?"


@dataclass
class _Partial:
    problems: list[BadEvent] = field(default_factory=list)
    event_suspects: list[int] = field(default_factory=list)  # seq
    record_suspects: list[tuple[str, str, int, str]] = field(default_factory=list)  # table, uid, seq, hash
    signature_suspects: list[tuple[str, str, str, str]] = field(default_factory=list)
    bad_rows: list[tuple[str, str]] = field(default_factory=list)  # (table, uid) found gone or altered
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


def _chunks(items: list[Any], size: int = _IN_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Gone:
    """Marker: the row is not where the merge looked (it is then looked up by uid)."""


_GONE = _Gone()
_LOOKAHEAD = 64  # rows read past an out-of-order row while looking for the one wanted
_MAX_AHEAD = 4096  # rows kept waiting for their event; older ones are looked up by uid instead


class _RowsInOrder:
    """The rows of one record table in rowid order (the order their events were written),
    from the row of the first event that needs one. The caller reads ``cursor`` while
    ``ahead`` is empty and the rows come in order; ``take(uid, row)`` handles the rest.
    A row's content is its canonical bytes, or None if it cannot match (``canonical_sql``)."""

    __slots__ = ("_careful", "_name", "_raw", "ahead", "cursor", "found")

    def __init__(self, raw: sqlite3.Connection, name: str, careful: bool) -> None:
        self._raw = raw
        self._name = name
        self._careful = careful
        self.cursor: sqlite3.Cursor | None = None
        self.ahead: dict[str, bytes | None] = {}
        self.found = 0

    def take(self, uid: str, row: tuple[str, bytes | None] | None) -> bytes | _Gone | None:
        """The content of row ``uid``, or _GONE if it is not where the order says it is
        (it is then looked up by uid). ``row``: a row already read from the cursor."""
        if self.cursor is None:
            start = self._raw.execute(f"SELECT rowid FROM {self._name} WHERE uid = ?", (uid,)).fetchone()
            if start is None:
                return _GONE
            payload = _record_payload_sql(_TABLES[self._name], "sqlite", "t", self._careful)
            self.cursor = self._raw.execute(
                f"SELECT t.uid, {payload} FROM {self._name} t WHERE t.rowid >= ? ORDER BY t.rowid",
                (start[0],),
            )
        ahead = self.ahead
        if row is not None:
            ahead[row[0]] = row[1]
        found = ahead.pop(uid, _GONE)
        if found is not _GONE:
            self.found += 1
            return found
        for _ in range(_LOOKAHEAD):
            row = next(self.cursor, None)
            if row is None:
                return _GONE
            if row[0] == uid:
                self.found += 1
                return cast(bytes | None, row[1])
            ahead[row[0]] = row[1]
            if len(ahead) > _MAX_AHEAD:
                del ahead[next(iter(ahead))]
        return _GONE

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()


def _sqlite_events(
    raw: sqlite3.Connection, lo: int, hi: int, prev_hash: str, with_records: bool, careful: bool
) -> _Partial:
    out = _Partial()
    sha256 = hashlib.sha256
    problems, event_suspects, record_suspects = out.problems, out.event_suspects, out.record_suspects
    sources: dict[str, _RowsInOrder] = {}
    deferred: dict[str, list[tuple[int, str, str]]] = {}
    cursor = raw.execute(
        f"SELECT e.seq, e.hash, e.prev_hash, {_event_payload_sql('sqlite', careful)}, e.record_table, "
        "e.record_uid, e.record_hash FROM audit_events e WHERE e.seq >= ? AND e.seq <= ? ORDER BY e.seq",
        (lo, hi),
    )
    expected, last, count = lo, prev_hash, 0
    try:
        for seq, stored, prev, payload, table, record_uid, record_hash in cursor:
            count += 1
            if seq != expected:
                problems.append(
                    BadEvent(seq, "", f"seq {seq} where {expected} was expected (events removed)")
                )
            if prev != last:
                problems.append(
                    BadEvent(seq, "", "prev_hash is not the previous event's hash (chain broken)")
                )
            elif payload is None or sha256(payload).hexdigest() != stored:
                event_suspects.append(seq)
            expected = seq + 1
            last = stored
            if table is None or not with_records:
                continue
            source = sources.get(table)
            if source is None:
                if table not in _TABLES:
                    problems.append(
                        BadEvent(seq, "", f"the {table} row {record_uid} this event recorded is gone")
                    )
                    continue
                source = sources[table] = _RowsInOrder(raw, table, careful)
            # The usual case, inline: the next row of the table is this event's.
            row = next(source.cursor, None) if source.cursor is not None and not source.ahead else None
            if row is not None and row[0] == record_uid:
                source.found += 1
                content = row[1]
            else:
                content = source.take(record_uid, row)
                if content is _GONE:
                    deferred.setdefault(table, []).append((seq, record_uid, record_hash))
                    continue
            if content is None or sha256(content).hexdigest() != record_hash:
                record_suspects.append((table, record_uid, seq, record_hash))
    finally:
        cursor.close()
        for source in sources.values():
            source.close()
    out.events = count
    out.matched = {name: source.found for name, source in sources.items()}
    for name, waiting in deferred.items():
        payload_sql = _record_payload_sql(_TABLES[name], "sqlite", "t", careful)
        for chunk in _chunks(waiting):
            marks = ", ".join("?" * len(chunk))
            found: dict[str, bytes | None] = dict(
                raw.execute(
                    f"SELECT t.uid, {payload_sql} FROM {name} t WHERE t.uid IN ({marks})",
                    [uid for _, uid, _ in chunk],
                ).fetchall()
            )
            for seq, uid, expected_hash in chunk:
                content = found.get(uid, _GONE)
                if content is _GONE:
                    problems.append(BadEvent(seq, "", f"the {name} row {uid} this event recorded is gone"))
                    out.bad_rows.append((name, uid))
                    continue
                out.matched[name] = out.matched.get(name, 0) + 1
                if content is None or sha256(content).hexdigest() != expected_hash:
                    record_suspects.append((name, uid, seq, expected_hash))
    return out


def _pg_events(raw: Any, lo: int, hi: int, prev_hash: str) -> _Partial:
    out = _Partial()
    sha256 = hashlib.sha256
    sql = (
        f"SELECT e.seq, e.hash, e.prev_hash, {_event_payload_sql('postgresql')}, e.old_value, e.new_value "
        "FROM audit_events e WHERE e.seq >= %s AND e.seq <= %s ORDER BY e.seq"
    )
    expected, last, count = lo, prev_hash, 0
    for seq, stored, prev, payload, old_value, new_value in _rows(raw, sql, (lo, hi)):
        count += 1
        if seq != expected:
            out.problems.append(
                BadEvent(seq, "", f"seq {seq} where {expected} was expected (events removed)")
            )
        if prev != last:
            out.problems.append(
                BadEvent(seq, "", "prev_hash is not the previous event's hash (chain broken)")
            )
        elif sha256(bytes(payload)).hexdigest() != stored or not _json_ok(old_value, new_value):
            out.event_suspects.append(seq)
        expected = seq + 1
        last = stored
    out.events = count
    return out


def _events_task(
    raw: Any, dialect: str, lo: int, hi: int, prev_hash: str, *, with_records: bool = False
) -> _Partial:
    """Hashes and links of the events lo..hi; ``prev_hash`` is the stored hash before lo.
    ``with_records`` (SQLite): also each event's record, read in rowid order."""
    if dialect != "sqlite":
        return _pg_events(raw, lo, hi, prev_hash)
    return _blob_safe(lambda careful: _sqlite_events(raw, lo, hi, prev_hash, with_records, careful))


def _blob_safe(task: Any) -> _Partial:
    """Run a SQLite check; if SQLite stopped at a row it cannot render (a BLOB in a text
    column, a JSON column that does not parse), run it again treating such rows as
    unconfirmed (the reference then reports them)."""
    try:
        return cast(_Partial, task(False))
    except sqlite3.OperationalError as exc:
        if "BLOB" not in str(exc) and "malformed JSON" not in str(exc):
            raise
        return cast(_Partial, task(True))


def _records_task(raw: Any, dialect: str, name: str, batch_id: str | None) -> _Partial:
    """Every row of one record table against the event that vouches for it (a join)."""
    if dialect == "sqlite":
        return _blob_safe(lambda careful: _records_join(raw, dialect, name, batch_id, careful))
    return _records_join(raw, dialect, name, batch_id, False)


def _records_join(raw: Any, dialect: str, name: str, batch_id: str | None, careful: bool) -> _Partial:
    out = _Partial()
    table: Table = _TABLES[name]
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    json_columns = [c.name for c in table.columns if isinstance(c.type, JsonText)]
    extra = "".join(f', t."{c}"' for c in json_columns) if pg else ""
    where = f" WHERE t.batch_id = {_placeholder(dialect)}" if batch_id is not None else ""
    params = (batch_id,) if batch_id is not None else ()
    payload_sql = _record_payload_sql(table, dialect, "t", careful)
    sql = (
        f"SELECT t.uid, e.seq, e.uid, e.record_table, e.record_hash, {payload_sql}"
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
            out.record_suspects.append((name, uid, seq, event_hash))
    rows_in_table = next(_rows(raw, f"SELECT count(*) FROM {name} t{where}", params))[0]
    if lines > rows_in_table:
        out.duplicated.append(name)
    out.records = rows_in_table
    out.matched[name] = matched
    return out


def _signatures_task(raw: Any, dialect: str, name: str, batch_id: str | None) -> _Partial:
    """Every signature over a row of table ``name`` against that row's content now."""
    if dialect == "sqlite":
        return _blob_safe(lambda careful: _signatures_join(raw, dialect, name, batch_id, careful))
    return _signatures_join(raw, dialect, name, batch_id, False)


def _signatures_join(raw: Any, dialect: str, name: str, batch_id: str | None, careful: bool) -> _Partial:
    out = _Partial()
    table: Table = _TABLES[name]
    sha256 = hashlib.sha256
    pg = dialect == "postgresql"
    ph = _placeholder(dialect)
    json_columns = [c.name for c in table.columns if isinstance(c.type, JsonText)]
    extra = "".join(f', t."{c}"' for c in json_columns) if pg else ""
    where = f" AND s.batch_id = {ph}" if batch_id is not None else ""
    params = (name, batch_id) if batch_id is not None else (name,)
    payload_sql = _record_payload_sql(table, dialect, "t", careful)
    sql = (
        f"SELECT s.uid, s.record_uid, s.signed_hash, t.uid, {payload_sql}{extra} "
        f"FROM signatures s LEFT JOIN {name} t ON t.uid = s.record_uid WHERE s.record_table = {ph}{where}"
    )
    for row in _rows(raw, sql, params):
        uid, record_uid, signed_hash, found, payload = row[:5]
        out.signatures += 1
        if (
            found is None
            or payload is None
            or sha256(bytes(payload)).hexdigest() != signed_hash
            or (pg and not _json_ok(*row[5:]))
        ):
            out.signature_suspects.append((uid, name, record_uid, signed_hash))
    return out


def _signed_task(raw: Any, dialect: str) -> _Partial:
    """Every signature against the event that vouches for the row it names: its
    signed_hash must be that event's record_hash (the row itself is checked against the
    same record_hash by the pass over the events). Signatures of unknown tables are
    reported by the caller."""
    out = _Partial()
    differs = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    sql = (
        "SELECT s.uid, s.record_table, s.record_uid, s.signed_hash FROM signatures s "
        "LEFT JOIN audit_events e ON e.record_uid = s.record_uid "
        f"WHERE e.record_hash {differs} s.signed_hash OR e.record_table {differs} s.record_table"
    )
    for uid, name, record_uid, signed_hash in _rows(raw, sql):
        if name in _TABLES:
            out.signature_suspects.append((uid, name, record_uid, signed_hash))
    out.signatures = next(_rows(raw, "SELECT count(*) FROM signatures"))[0]
    return out


def _streams_task(raw: Any, dialect: str, batch_id: str | None) -> _Partial:
    """``stream_seq`` runs 1, 2, 3 ... in every stream (or in ``batch_id``'s)."""
    out = _Partial()
    ph = _placeholder(dialect)
    where = f" WHERE stream = {ph}" if batch_id is not None else ""
    params = (batch_id,) if batch_id is not None else ()
    sql = (
        "SELECT stream, count(*), min(stream_seq), max(stream_seq), count(DISTINCT stream_seq) "
        f"FROM audit_events{where} GROUP BY stream"
    )
    for stream, count, low, high, distinct_count in list(_rows(raw, sql, params)):
        if low == 1 and high == count == distinct_count:
            continue
        expected = 1
        detail = f"SELECT seq, uid, stream_seq FROM audit_events WHERE stream = {ph} ORDER BY seq"
        for seq, uid, stream_seq in _rows(raw, detail, (stream,)):
            if stream_seq != expected:
                out.problems.append(
                    BadEvent(
                        seq, uid, f"stream {stream}: stream_seq {stream_seq} where {expected} was expected"
                    )
                )
                break
            expected += 1
    return out


_TABLES: dict[str, Table] = {m.__tablename__: m.__table__ for m in RECORD_MODELS}  # type: ignore[misc]


def _open_raw(url: str, dialect: str) -> Any:
    """A read-only DB-API connection of its own."""
    parsed = make_url(url)
    if dialect == "sqlite":
        path = parsed.database or ""
        lite = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
        lite.execute("PRAGMA query_only = ON")
        lite.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        return lite
    import psycopg

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(conninfo, autocommit=False)
    connection.read_only = True
    return connection


_worker_raw: Any = None
_worker_dialect = ""


def _worker_start(url: str, dialect: str) -> None:
    """A worker process's one connection, kept for all its tasks (and its page cache)."""
    global _worker_raw, _worker_dialect
    _worker_raw = _open_raw(url, dialect)
    _worker_dialect = dialect


def _worker_task(task: tuple[Any, ...]) -> _Partial:
    try:
        return _dispatch(_worker_raw, _worker_dialect, task)
    finally:
        if _worker_dialect == "postgresql":
            _worker_raw.rollback()


def _dispatch(raw: Any, dialect: str, task: tuple[Any, ...]) -> _Partial:
    kind, *args = task
    if kind == "events":
        lo, hi, prev_hash, with_records = args
        return _events_task(raw, dialect, lo, hi, prev_hash, with_records=with_records)
    if kind == "records":
        return _records_task(raw, dialect, *args)
    if kind == "signatures":
        return _signatures_task(raw, dialect, *args)
    if kind == "signed":
        return _signed_task(raw, dialect)
    return _streams_task(raw, dialect, *args)


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
        row = connection.execute(select(table).where(table.c.uid == uid)).mappings().first()
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
    connection: Connection,
    dialect: str,
    last_seq: int,
    workers: int,
    batch_id: str | None,
    merged_records: bool,
) -> list[tuple[Any, ...]]:
    """The tasks: ``seq`` ranges of the trail first (the big ones), then the rest."""
    tasks: list[tuple[Any, ...]] = []
    parts = workers * 4 if workers > 1 else 1
    step = max(1, -(-last_seq // parts))
    lo = 1
    while lo <= last_seq:
        hi = min(last_seq, lo + step - 1)
        before = connection.execute(
            select(_AUDIT.c.hash).where(_AUDIT.c.seq < lo).order_by(_AUDIT.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        tasks.append(("events", lo, hi, before or chain.GENESIS, merged_records))
        lo = hi + 1
    if merged_records:
        tasks.append(("signed",))
    else:
        for name, table in _TABLES.items():
            if batch_id is None or "batch_id" in table.c:
                tasks.append(("records", name, batch_id))
        for name in _TABLES:
            tasks.append(("signatures", name, batch_id))
    tasks.append(("streams", batch_id))
    return tasks


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
            problems.append(BadEvent(seq, "", "the event's hash does not match its content (event altered)"))
    for name, uid, seq, event_hash in partial.record_suspects:
        if _reference_record_hash(connection, _TABLES[name], uid) != event_hash:
            problems.append(
                BadEvent(seq, "", f"{name} row {uid} differs from what was recorded (row altered)")
            )
            partial.bad_rows.append((name, uid))
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
    """Events that vouch for a row that is not there; rows vouched for twice (after the
    per-table joins)."""
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
        _report_duplicates(connection, name, problems)


def _report_duplicates(connection: Connection, name: str, problems: list[BadEvent]) -> None:
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


def _uniqueness_enforced(connection: Connection) -> bool:
    """SQLite still enforces what the row count relies on: one event per record uid, one
    row per uid in each record table."""

    def unique_on(table: str, column: str) -> bool:
        for row in connection.exec_driver_sql(f"PRAGMA index_list('{table}')").fetchall():
            name, unique, partial = row[1], row[2], row[4]
            if unique and not partial:
                columns = [c[2] for c in connection.exec_driver_sql(f"PRAGMA index_info('{name}')")]
                if columns == [column]:
                    return True
        return False

    return unique_on("audit_events", "record_uid") and all(unique_on(name, "uid") for name in _TABLES)


def _check_row_counts(connection: Connection, merged: _Partial, problems: list[BadEvent]) -> int:
    """After the merged pass: every row of every record table was found by its event.
    Returns the number of rows."""
    enforced = _uniqueness_enforced(connection)
    total = 0
    for name, table in _TABLES.items():
        rows = int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        total += rows
        matched = merged.matched.get(name, 0)
        if rows == matched and enforced:
            continue
        if matched > rows or not enforced:
            _report_duplicates(connection, name, problems)
        before = len(problems)
        stray = (
            select(table.c.uid, _AUDIT.c.seq, _AUDIT.c.uid.label("event_uid"), _AUDIT.c.record_table)
            .outerjoin(_AUDIT, _AUDIT.c.record_uid == table.c.uid)
            .where(_AUDIT.c.seq.is_(None) | _AUDIT.c.record_table.is_distinct_from(name))
        )
        for uid, seq, event_uid, event_table in connection.execute(stray):
            if seq is None:
                problems.append(
                    BadEvent(None, uid, f"{name} row {uid} is in no audit event (row added or copied)")
                )
            else:
                problems.append(
                    BadEvent(seq, event_uid, f"the event names {event_table}, row {uid} is in {name}")
                )
        if len(problems) == before and rows > matched:
            twice = select(table.c.uid).group_by(table.c.uid).having(func.count() > 1)
            for (uid,) in connection.execute(twice):
                seq, event_uid = _event_of(connection, uid)
                problems.append(BadEvent(seq, event_uid, f"{name} row {uid} is stored twice"))
    return total


def _check_signatures_of(connection: Connection, merged: _Partial, problems: list[BadEvent]) -> None:
    """Signatures over rows that failed their own check (the join with the events cannot see that)."""
    failed = sorted({uid for _, uid in merged.bad_rows})
    for chunk in _chunks(failed):
        query = select(
            _SIGNATURES.c.uid, _SIGNATURES.c.record_table, _SIGNATURES.c.record_uid, _SIGNATURES.c.signed_hash
        ).where(_SIGNATURES.c.record_uid.in_(chunk))
        suspects = [(u, t, r, h) for u, t, r, h in connection.execute(query) if t in _TABLES]
        _resolve(connection, _Partial(signature_suspects=suspects), problems)


def _check_unknown_signatures(
    connection: Connection, merged: _Partial, problems: list[BadEvent], batch_id: str | None, counted: bool
) -> None:
    """Signatures naming a table that is not a record table (``counted``: they are in
    ``merged.signatures`` already)."""
    unknown = select(_SIGNATURES.c.uid, _SIGNATURES.c.record_table).where(
        _SIGNATURES.c.record_table.not_in(list(_TABLES))
    )
    if batch_id is not None:
        unknown = unknown.where(_SIGNATURES.c.batch_id == batch_id)
    for uid, name in connection.execute(unknown):
        if not counted:
            merged.signatures += 1
        seq, event_uid = _event_of(connection, uid)
        problems.append(BadEvent(seq, event_uid, f"signature {uid} names an unknown table {name!r}"))


def _named(connection: Connection, problems: list[BadEvent]) -> list[BadEvent]:
    """Problems found by seq only, with their event's uid filled in."""
    missing = sorted({p.seq for p in problems if p.seq is not None and not p.uid})
    uids: dict[int, str] = {}
    for chunk in _chunks(missing):
        uids.update(
            (int(seq), str(uid))
            for seq, uid in connection.execute(
                select(_AUDIT.c.seq, _AUDIT.c.uid).where(_AUDIT.c.seq.in_(chunk))
            )
        )
    return [p._replace(uid=uids.get(p.seq, "?")) if p.seq is not None and not p.uid else p for p in problems]


def _merge(parts: Iterable[_Partial]) -> _Partial:
    merged = _Partial()
    for part in parts:
        merged.problems += part.problems
        merged.event_suspects += part.event_suspects
        merged.record_suspects += part.record_suspects
        merged.signature_suspects += part.signature_suspects
        merged.bad_rows += part.bad_rows
        merged.events += part.events
        merged.records += part.records
        merged.signatures += part.signatures
        for name, count in part.matched.items():
            merged.matched[name] = merged.matched.get(name, 0) + count
        merged.duplicated += part.duplicated
    return merged


def _start_method() -> str:
    """How to start the worker processes. ``fork`` starts them quickest, but is safe only
    while no other thread runs: a thread that is inside SQLite at the moment of the fork (a
    station's WAL checkpointer or worker thread) leaves SQLite's locks held in the child for
    good, and the worker hangs in its first connect. So: ``fork`` in a process of one thread
    (the command line), else ``forkserver`` (or ``spawn``), which start from a clean process."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _run(db: Database, connection: Connection, tasks: list[tuple[Any, ...]], workers: int) -> list[_Partial]:
    file_based = db.url.database not in (None, "", ":memory:")
    url = db.url.render_as_string(hide_password=False)
    if workers > 1 and file_based:
        context = multiprocessing.get_context(_start_method())
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload([__name__])  # workers forked from a server with this loaded
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_start, initargs=(url, db.dialect)
        ) as pool:
            return list(pool.map(_worker_task, tasks))
    if db.dialect == "sqlite" and file_based:
        raw = _open_raw(url, db.dialect)
        try:
            return [_dispatch(raw, db.dialect, task) for task in tasks]
        finally:
            raw.close()
    raw = connection.connection.driver_connection
    return [_dispatch(raw, db.dialect, task) for task in tasks]


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
            # One ordered pass over events and records: SQLite files, whole trail.
            merged_records = db.dialect == "sqlite" and batch_id is None
            tasks = _plan(connection, db.dialect, last_seq, workers, batch_id, merged_records)
            merged = _merge(_run(db, connection, tasks, workers))
            problems += merged.problems
            _resolve(connection, merged, problems)
            if merged_records:
                merged.records = _check_row_counts(connection, merged, problems)
                _check_signatures_of(connection, merged, problems)
            else:
                _check_references(connection, merged, problems, batch_id)
            _check_unknown_signatures(connection, merged, problems, batch_id, counted=merged_records)
            problems += (BadEvent(step.seq, step.uid, step.problem()) for step in backward_steps(connection))
            if batch_id is None:
                problems += (
                    BadEvent(row.seq, row.event_uid or row.uid, row.problem())
                    for row in unsealed_rows(connection)
                )
            problems = _named(connection, problems)
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
