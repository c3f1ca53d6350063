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

import json
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from ebr import chain
from ebr.database import Database, translated_errors
from ebr.errors import NotFound
from ebr.master_seal import unsealed_rows
from ebr.models import AuditEvent, Batch, ChainHead, Signature
from ebr.timeline import backward_steps
from ebr.verify_scan import (  # the fast checks (and the names tests reach for)
    _TABLES,
    BadEvent,
    _chunks,
    _dispatch,
    _events_task,
    _open_raw,
    _Partial,
    _records_task,
    _worker_start,
    _worker_task,
)
from ebr.verify_sql import _JSON_EVENT_FIELDS, canonical_sql

__all__ = ["BadEvent", "VerifyReport", "_events_task", "_records_task", "canonical_sql", "verify"]

_AUDIT = cast(Table, AuditEvent.__table__)
_SIGNATURES = cast(Table, Signature.__table__)


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
            # Workers are forked from a server with the checks loaded.
            context.set_forkserver_preload([__name__, "ebr.verify_scan"])
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
    with translated_errors(db.named_url), db.reader().connect() as connection:
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
