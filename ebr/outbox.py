"""The outbox to the central QMS: audit events after the sync cursor, in order.

Every event carries its ``uid`` (and the uid and table of the record it wrote), so the
QMS applies each exactly once however often it is sent. ``acknowledge(seq)`` moves the
cursor (``sync_state``) forward once the QMS has stored everything up to ``seq``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select

from ebr import clock
from ebr.errors import NotAllowed
from ebr.models import RECORD_TABLES, AuditEvent, SyncState, model_for
from ebr.uow import UnitOfWork


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    uid: str
    event: dict[str, Any]  # every field of ebr.chain.EVENT_FIELDS plus "hash"; JSON values parsed
    record: dict[str, Any] | None  # the typed record the event wrote (columns), if any


def cursor(uow: UnitOfWork) -> int:
    """The last seq the QMS acknowledged (0: nothing yet)."""
    return int(uow.session.scalars(select(SyncState.acked_seq).where(SyncState.id == 1)).one())


def pending(uow: UnitOfWork, limit: int = 500) -> list[OutboxItem]:
    """Up to ``limit`` events after the cursor, oldest first, each with its record. The records
    are read a table at a time (not one query an event): a week's backlog drains at the speed
    of the link, not of a thousand small reads."""
    after = cursor(uow)
    audit = cast(Table, AuditEvent.__table__)
    rows = (
        uow.connection.execute(select(audit).where(audit.c.seq > after).order_by(audit.c.seq).limit(limit))
        .mappings()
        .all()
    )
    wanted: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["record_table"] in RECORD_TABLES and row["record_uid"] is not None:
            wanted[row["record_table"]].append(row["record_uid"])
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for name, uids in wanted.items():
        table = cast(Table, model_for(name).__table__)
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            for found in uow.connection.execute(select(table).where(table.c.uid.in_(chunk))).mappings():
                records[(name, str(found["uid"]))] = {column.key: found[column] for column in table.columns}
    items = []
    for row in rows:
        event = {column.key: row[column] for column in audit.columns}
        for name in ("old_value", "new_value"):
            if event[name] is not None:
                event[name] = json.loads(event[name])
        record = records.get((str(row["record_table"]), str(row["record_uid"])))
        items.append(OutboxItem(row["seq"], row["uid"], event, record))
    return items


def acknowledge(uow: UnitOfWork, seq: int) -> None:
    """The QMS has stored every event up to ``seq``. The cursor never moves back."""
    state = uow.session.scalars(select(SyncState).where(SyncState.id == 1).with_for_update()).one()
    last = uow.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).first() or 0
    if seq > last:
        raise NotAllowed(f"cannot acknowledge seq {seq}: the trail ends at {last}")
    if seq <= state.acked_seq:
        return
    state.acked_seq = seq
    state.acked_at = clock.utc_now()
    uow.session.flush()
