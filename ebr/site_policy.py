"""Site policies kept in the record: set by an authenticated QA person or administrator, each
change an audit event (``site.policy.changed``) with the value before and after.

A policy's value is its newest event, so it needs no table of its own: the hash chain vouches
for it as for everything else, and a value edited behind the station's back would break the
chain. Why here and not in ``station.toml``: the file is plant IT's and changes without a
trace; a rule that refuses work at the line belongs to QA and must say who set it and when.

``sync_stale_limit``: how old the oldest event the central hub has not acknowledged may be
before the station refuses to start a new batch (``sync_stale``). Off by default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from ebr.audit import SITE_STREAM
from ebr.events import SitePolicyChanged
from ebr.uow import UnitOfWork

SYNC_STALE_LIMIT = "sync_stale_limit"

_UNITS = {"min": 60, "h": 3600, "d": 86400}


class PolicyInvalid(ValueError):
    """A policy name or value the station does not know."""


def parse_duration(value: str) -> dt.timedelta:
    """``30min``, ``8h``, ``2d``: at least 5 minutes, at most 365 days."""
    found = re.fullmatch(r"\s*(\d{1,6})\s*(min|h|d)\s*", value)
    if found is None:
        raise PolicyInvalid(f"{value!r} is not a duration (e.g. 30min, 8h, 2d)")
    span = dt.timedelta(seconds=int(found.group(1)) * _UNITS[found.group(2)])
    if not dt.timedelta(minutes=5) <= span <= dt.timedelta(days=365):
        raise PolicyInvalid(f"{value!r} is out of range (5min to 365d)")
    return span


#: Each policy and the check of its value (a value of "off" clears it).
POLICIES: dict[str, Callable[[str], object]] = {SYNC_STALE_LIMIT: parse_duration}


def normalise(policy: str, value: str) -> str | None:
    """The value as stored (None: off); raises PolicyInvalid."""
    if policy not in POLICIES:
        raise PolicyInvalid(f"{policy!r} is not a site policy (known: {', '.join(sorted(POLICIES))})")
    if value.strip().lower() == "off":
        return None
    POLICIES[policy](value)
    return value.strip().replace(" ", "")


@dataclass
class _Seen:
    """The policies as of one event of one store, remembered so that the next read looks only at
    what came after it (a store's trail only grows; ``hash`` tells a store restored since)."""

    seq: int
    hash: str
    values: dict[str, str | None] = field(default_factory=dict)


_SEEN: dict[str, _Seen] = {}
_SEEN_LOCK = threading.Lock()


def current(uow: UnitOfWork, policy: str) -> str | None:
    """The policy's value as its newest event set it (None: off, or never set).

    Read every second by the touchscreen's sync watcher and at every StartBatch: the first read
    in a process scans the trail once, each later one only the events written since."""
    key = str(uow.connection.engine.url)
    with _SEEN_LOCK:
        seen = _SEEN.get(key)
    if seen is not None:
        still = uow.connection.execute(
            text("SELECT hash FROM audit_events WHERE seq = :seq"), {"seq": seen.seq}
        ).first()
        if still is None or still[0] != seen.hash:
            seen = None  # another store under the same name (restored): read it from the start
    # The head first: an event committed while the trail is read is left to the next read.
    head = uow.connection.execute(text("SELECT last_seq, last_hash FROM chain_head WHERE id = 1")).first()
    if head is None:
        return None
    values = dict(seen.values) if seen is not None else {}
    rows = uow.connection.execute(
        text(
            "SELECT entity_id, new_value FROM audit_events "
            "WHERE seq > :after AND seq <= :head AND action = :action ORDER BY seq"
        ),
        {
            "after": seen.seq if seen is not None else 0,
            "head": int(head[0]),
            "action": SitePolicyChanged.ACTION,
        },
    )
    for name, new_value in rows:
        value = json.loads(new_value).get("value") if new_value else None
        values[str(name)] = None if value is None else str(value)
    with _SEEN_LOCK:
        _SEEN[key] = _Seen(int(head[0]), str(head[1]), values)
    return values.get(policy)


def sync_stale_limit(uow: UnitOfWork) -> dt.timedelta | None:
    value = current(uow, SYNC_STALE_LIMIT)
    return None if value is None else parse_duration(value)


def set_policy(uow: UnitOfWork, policy: str, value: str, *, user_id: str, note: str | None) -> bool:
    """Record the new value (the caller authenticated the person and commits); False when the
    policy already has that value (nothing is written)."""
    wanted = normalise(policy, value)
    was = current(uow, policy)
    if was == wanted:
        return False
    changed = SitePolicyChanged(policy=policy, value=wanted, was=was, note=note)
    uow.write(changed, stream=SITE_STREAM, user_id=user_id)
    return True
