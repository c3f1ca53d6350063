"""``ebr verify``'s fast checks, on a DB-API connection of their own: the ordered pass over the
events (and, on a SQLite file, the records they vouch for), the record, signature and stream
checks, and the worker processes that run them in ``seq`` ranges. Each returns a
``_Partial``: problems found, and suspects the reference checks in ``ebr.verify`` decide."""

from __future__ import annotations

import hashlib
import sqlite3
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Table
from sqlalchemy.engine import make_url

from ebr.models import RECORD_MODELS, JsonText, Signature
from ebr.verify_sql import _event_payload_sql, _json_ok, _record_payload_sql

_SIGNATURES = cast(Table, Signature.__table__)
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
        # A store opened read-only already names its file as a read-only URI (ebr.database).
        uri = path if path.startswith("file:") else f"file:{urllib.parse.quote(path)}?mode=ro"
        lite = sqlite3.connect(uri, uri=True)
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
