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
from collections.abc import Callable

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


def current(uow: UnitOfWork, policy: str) -> str | None:
    """The policy's value as its newest event set it (None: off, or never set)."""
    row = uow.connection.execute(
        text(
            # the site stream only (its index): a batch's events never set a policy
            "SELECT new_value FROM audit_events WHERE stream = :stream AND action = :action "
            "AND entity_id = :policy ORDER BY stream_seq DESC LIMIT 1"
        ),
        {"stream": SITE_STREAM, "action": SitePolicyChanged.ACTION, "policy": policy},
    ).first()
    if row is None or row[0] is None:
        return None
    value = json.loads(row[0]).get("value")
    return None if value is None else str(value)


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
