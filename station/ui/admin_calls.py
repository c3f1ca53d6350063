"""The users page's and the site audit-trail page's reads, on the engine thread (posted with
``EngineClient.call``; never on the GUI thread). Qt-free: they read through the record store's
unit of work, as ``mes-station audit show`` does, with the same query (``ebr.trail``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the record store loads on the engine thread, when first used
    from ebr.trail import TrailLine


@dataclass(frozen=True)
class UserRow:
    """A user account and its state: ``deactivated``, ``locked``, ``must_change`` (initial,
    reset or expired password) or ``active``."""

    id: str
    name: str
    roles: tuple[str, ...]
    state: str


def user_rows(engine: Any) -> list[UserRow]:
    with engine.db.unit_of_work(read_only=True) as uow:
        people = uow.users()
    rows = []
    for p in people:
        if not p.active:
            state = "deactivated"
        elif p.locked:
            state = "locked"
        elif p.must_change_password:
            state = "must_change"
        else:
            state = "active"
        rows.append(UserRow(p.id, p.name, tuple(p.roles), state))
    return rows


@dataclass(frozen=True)
class TrailQuery:
    """One page of the site stream: the filters, and where the page starts (``before``: the
    events older than the event of that seq; None: the newest)."""

    user: str | None = None
    actions: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    before: int | None = None
    size: int = 50


@dataclass(frozen=True)
class TrailPage:
    lines: tuple[TrailLine, ...]  # oldest first, as the store gives them
    has_older: bool
    has_newer: bool
    names: dict[str, str]  # user id -> name, for who did it
    timezone: str


def trail_page(query: TrailQuery) -> Callable[[Any], TrailPage]:
    """A page of the site's audit trail: one read more than the page, to know whether the trail
    goes on beyond it."""

    def run(engine: Any) -> TrailPage:
        from station.composition import DEFAULT_SITE_TZ

        with engine.db.unit_of_work(read_only=True) as uow:
            lines = uow.trail(
                stream="site",
                user_id=query.user,
                actions=list(query.actions),
                since=query.since,
                until=query.until,
                limit=query.size + 1,
                before=query.before,
            )
            names = {p.id: p.name for p in uow.users()}
        more = len(lines) > query.size
        page = lines[1:] if more else lines  # oldest first: the one read beyond is the first
        has_older, has_newer = more, query.before is not None
        zone = getattr(engine, "site_tz", None)
        return TrailPage(tuple(page), has_older, has_newer, names, str(zone) if zone else DEFAULT_SITE_TZ)

    return run
