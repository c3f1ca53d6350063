"""Reading a batch's own stream of audit events, in order, for the engine's replay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ebr.models import AuditEvent
from ebr.uow import UnitOfWork

_A = AuditEvent.__table__.c


@dataclass(frozen=True)
class StreamEvent:
    stream_seq: int
    action: str
    outcome: str
    user_id: str | None
    new_value: dict[str, Any]
    occurred_at: str | None = None


def stream_events(uow: UnitOfWork, stream: str, after: int = 0) -> Iterator[StreamEvent]:
    rows = uow.session.execute(
        select(_A.stream_seq, _A.action, _A.outcome, _A.user_id, _A.new_value, _A.occurred_at)
        .where(_A.stream == stream, _A.stream_seq > after)
        .order_by(_A.stream_seq)
    )
    for seq, action, outcome, user_id, new_value, occurred_at in rows:
        value = json.loads(new_value) if new_value else {}
        yield StreamEvent(
            int(seq), action, outcome, user_id, value if isinstance(value, dict) else {}, occurred_at
        )


def stream_head(uow: UnitOfWork, stream: str) -> int:
    found = uow.session.execute(
        select(func.max(_A.stream_seq)).where(_A.stream == stream)
    ).scalar_one_or_none()
    return int(found or 0)


def stream_heads(uow: UnitOfWork, *streams: str) -> dict[str, int]:
    """The last ``stream_seq`` of each stream, in one query (0 for a stream with no events)."""
    # One scalar subquery per stream: each is an index seek on (stream, stream_seq), where a
    # GROUP BY over the streams would scan every event of a long site stream.
    heads = [
        select(func.max(_A.stream_seq)).where(_A.stream == stream).scalar_subquery() for stream in streams
    ]
    row = uow.session.execute(select(*heads)).one()
    return {stream: int(seq or 0) for stream, seq in zip(streams, row, strict=True)}


def actions_since(uow: UnitOfWork, stream: str, after: int, limit: int) -> list[str]:
    """The actions of a stream's events after ``stream_seq`` ``after``, the first ``limit``."""
    rows = uow.session.execute(
        select(_A.action)
        .where(_A.stream == stream, _A.stream_seq > after)
        .order_by(_A.stream_seq)
        .limit(limit)
    )
    return [action for (action,) in rows]
