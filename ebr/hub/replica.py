"""The hub's copy of a station's chain, read back as the station's own store, so the station's
export code (``ebr.export``) makes the PDF, JSON and BatchML of a batch from what the hub holds.

The hub keeps each pushed event with its typed record (``hub_events.body``). That is all a batch
record is made of: the records (recipes, batches, steps, signatures ...) are insert-only and
travel with the events that wrote them, and master data (users, documents, training, materials)
is current state that the chain's ``master.<kind>.added|changed`` events describe change by
change. :func:`rebuild` replays a chain into an in-memory SQLite database of the station's
schema; ``ebr.export.loader.load_batch_record`` then reads it exactly as it reads a station, so
the hub's export of a batch is the station's, made from the second copy.

The seam is the database, not the loader: the export code stays one, and a station's store and
the hub's copy cannot drift into two readings of the same record.

:func:`verify_chain` re-checks the whole chain the hub holds (every hash recomputed, every link,
every record against its event) with the same check a push goes through.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Boolean, Date, Engine, Integer, Table, create_engine, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from ebr.chain import canonical_text
from ebr.database import Database
from ebr.master_seal import BY_NAME
from ebr.models import AuditEvent, Base, DecimalText, UtcTimestamp, model_for
from ebr.sync.protocol import RunInvalid, check_run
from ebr.sync_models import HubChain, HubEvent

#: The kinds of master data the exports read (who acted, their training, the materials' names).
_MASTER_READ = ("document", "user", "training", "material")


@dataclass(frozen=True)
class ChainCopy:
    """One station's chain as the hub holds it, rebuilt as a station's store. One in-memory
    connection serves it: readers take ``lock`` in turn."""

    chain_id: str
    station_id: str
    head_seq: int
    engine: Engine
    batches: tuple[str, ...]  # batch ids, in the order they were started
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    def session(self) -> Session:
        return Session(self.engine)


def chain_events(db: Database, chain_id: str) -> Iterator[dict[str, Any]]:
    """The events of a chain as pushed (fields, hash and record), in seq order."""
    with db.unit_of_work(read_only=True) as uow:
        result = uow.connection.execute(
            select(HubEvent.body).where(HubEvent.chain_id == chain_id).order_by(HubEvent.seq)
        )
        for (body,) in result:
            yield json.loads(body)


def verify_chain(db: Database, chain_id: str) -> str | None:
    """None when the hub's copy of the chain holds (seq 1 on, every hash recomputed, every link,
    every record, ending at the head the hub recorded); else one line that says what breaks."""
    events = list(chain_events(db, chain_id))
    with db.unit_of_work(read_only=True) as uow:
        head = uow.connection.execute(
            select(HubChain.head_seq, HubChain.head_hash).where(HubChain.chain_id == chain_id)
        ).first()
    if head is None:
        return f"unknown chain {chain_id}"
    if not events:
        return None if head[0] == 0 else f"the head is seq {head[0]} but no event is held"
    if events[0]["seq"] != 1:
        return f"the chain starts at seq {events[0]['seq']}, not 1"
    try:
        check_run(events)
    except RunInvalid as exc:
        return str(exc)
    if (events[-1]["seq"], events[-1]["hash"]) != (head[0], head[1]):
        return f"the last event held (seq {events[-1]['seq']}) is not the head (seq {head[0]})"
    return None


def rebuild(db: Database, chain_id: str) -> ChainCopy:
    """The chain replayed into an in-memory station store (see the module docstring)."""
    with db.unit_of_work(read_only=True) as uow:
        row = uow.connection.execute(
            select(HubChain.station_id, HubChain.head_seq).where(HubChain.chain_id == chain_id)
        ).one()
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    batches: list[str] = []
    audit = cast(Table, AuditEvent.__table__)
    with engine.begin() as connection:
        trail: list[dict[str, Any]] = []
        for event in chain_events(db, chain_id):
            stored = {name: event.get(name) for name in audit.columns.keys()}
            for name in ("old_value", "new_value"):
                stored[name] = None if event[name] is None else canonical_text(event[name])
            trail.append(stored)
            if event["record_table"] and isinstance(event["record"], Mapping):
                table = cast(Table, model_for(event["record_table"]).__table__)
                connection.execute(insert(table), _typed(table, event["record"]))
                if event["record_table"] == "batches":
                    batches.append(str(event["record"]["batch_id"]))
            _apply_master(connection, event)
            if len(trail) >= 1000:
                connection.execute(insert(audit), trail)
                trail = []
        if trail:
            connection.execute(insert(audit), trail)
    return ChainCopy(chain_id, str(row[0]), int(row[1]), engine, tuple(batches))


def _apply_master(connection: Any, event: Mapping[str, Any]) -> None:
    """A ``master.<kind>.added|changed`` event applied to its table: the row as it then stood."""
    parts = str(event["action"]).split(".")
    if len(parts) != 3 or parts[0] != "master" or parts[1] not in _MASTER_READ:
        return
    values = event["new_value"]
    if not isinstance(values, Mapping):
        return
    kind = BY_NAME[parts[1]]
    table = kind.table
    typed = _typed(table, {k: v for k, v in values.items() if k in table.c and k != "uid"})
    if parts[2] == "added":
        if all(k in typed for k in kind.key):
            connection.execute(insert(table), typed)
        return
    key = str(event["entity_id"] or "").split("/")
    if len(key) != len(kind.key) or not typed:
        return
    where = [table.c[k] == _typed(table, {k: v})[k] for k, v in zip(kind.key, key, strict=True)]
    connection.execute(update(table).where(*where).values(**typed))


def _typed(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values (as the chain's canonical form writes them) back into their columns' types."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in table.c:
            continue
        kind = table.c[name].type
        if value is None or isinstance(value, bool):
            out[name] = value
        elif isinstance(kind, UtcTimestamp):
            out[name] = dt.datetime.fromisoformat(str(value))
        elif isinstance(kind, DecimalText):
            out[name] = Decimal(str(value))
        elif isinstance(kind, Date):
            out[name] = dt.date.fromisoformat(str(value))
        elif isinstance(kind, Boolean):
            out[name] = bool(value)
        elif isinstance(kind, Integer) and isinstance(value, str):  # a key part read from entity_id
            out[name] = int(value)
        else:
            out[name] = value
    return out
