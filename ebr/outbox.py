"""The outbox to the central QMS: audit events after the sync cursor, in order.

Every event carries its ``uid`` (and the uid and table of the record it wrote), so the
QMS applies each exactly once however often it is sent. ``acknowledge(seq)`` moves the
cursor (``sync_state``) forward once the QMS has stored everything up to ``seq``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ebr import clock
from ebr.errors import NotAllowed
from ebr.models import RECORD_TABLES, AuditEvent, SyncState, model_for, record_content
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
    """Up to ``limit`` events after the cursor, oldest first, each with its record."""
    after = cursor(uow)
    rows = uow.session.scalars(
        select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(limit)
    )
    items = []
    for row in rows:
        event = {column.key: getattr(row, column.key) for column in AuditEvent.__table__.columns}
        for name in ("old_value", "new_value"):
            if event[name] is not None:
                event[name] = json.loads(event[name])
        record = None
        if row.record_table in RECORD_TABLES and row.record_uid is not None:
            model = model_for(row.record_table)
            found = uow.session.scalars(
                select(model).where(model.__table__.c.uid == row.record_uid)
            ).one_or_none()
            record = None if found is None else record_content(found)
        items.append(OutboxItem(row.seq, row.uid, event, record))
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
