"""Reading the audit trail for a person: QA's site audit-trail review and ``mes-station audit show``.

Each event comes back as one ``TrailLine``: when (UTC), which stream, who, what (the action),
about what (entity), the outcome, the reason, and the values before and after, as stored.
Filters: one stream (a batch, or the site stream with its logins, failed signatures,
lockouts and master-data changes), a user, an action (exactly, or every action under a
prefix such as ``master.`` or ``login.``), a time range. The newest ``limit`` lines come
back in the order they were written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ebr.chain import utc_iso
from ebr.models import AuditEvent

_A = cast(Table, AuditEvent.__table__).c


@dataclass(frozen=True)
class TrailLine:
    seq: int
    at: str  # ISO 8601 UTC, as recorded
    stream: str
    user_id: str | None
    action: str
    outcome: str
    entity_type: str
    entity_id: str | None
    reason: str | None
    old_value: Any
    new_value: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "stream": self.stream,
            "user": self.user_id,
            "action": self.action,
            "outcome": self.outcome,
            "entity": f"{self.entity_type}:{self.entity_id}" if self.entity_id else self.entity_type,
            "reason": self.reason,
            "old": self.old_value,
            "new": self.new_value,
        }


def _parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # shown as stored: ebr verify is what judges it


def trail(
    connection: Connection,
    *,
    stream: str | None = None,
    user_id: str | None = None,
    actions: Sequence[str] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
    before: int | None = None,
) -> list[TrailLine]:
    """The newest ``limit`` events that match every filter given, oldest first. An action
    ending in "." matches every action under it (``master.`` for every master-data change).

    Paging (keyset, so a page deep in a long trail costs what the first does): ``before``, the
    newest ``limit`` of those with a smaller ``seq``."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    query = select(
        _A.seq, _A.occurred_at, _A.stream, _A.user_id, _A.action, _A.outcome, _A.entity_type,
        _A.entity_id, _A.reason, _A.old_value, _A.new_value,
    )  # fmt: skip
    if stream is not None:
        query = query.where(_A.stream == stream)
    if user_id is not None:
        query = query.where(_A.user_id == user_id)
    if actions:
        exact = [a for a in actions if not a.endswith(".")]
        prefixes = [a for a in actions if a.endswith(".")]
        conditions: list[ColumnElement[bool]] = [_A.action.in_(exact)] if exact else []
        conditions += [_A.action.startswith(prefix, autoescape=True) for prefix in prefixes]

        query = query.where(or_(*conditions))
    # The stored times are ISO 8601 UTC text of one width: they compare as the instants do.
    if since is not None:
        query = query.where(_A.occurred_at >= utc_iso(since))
    if until is not None:
        query = query.where(_A.occurred_at < utc_iso(until))
    if before is not None:
        query = query.where(_A.seq < before)
    # Within one stream its own numbers run as the global ones do: ordered by them, the newest
    # are read from the end of the (stream, stream_seq) index instead of sorting the stream.
    order = _A.seq if stream is None else _A.stream_seq
    rows = list(connection.execute(query.order_by(order.desc()).limit(limit)).all())
    return [
        TrailLine(
            seq=int(r.seq),
            at=r.occurred_at,
            stream=r.stream,
            user_id=r.user_id,
            action=r.action,
            outcome=r.outcome,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            reason=r.reason,
            old_value=_parsed(r.old_value),
            new_value=_parsed(r.new_value),
        )
        for r in reversed(rows)
    ]
