"""The QA page of the site's audit trail, without Qt: filters (who, what, since when) as touch
choices, a page of lines newest first, and paging by the events' own numbers (so the hundredth
page of a long trail opens as fast as the first)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .review_queue import local_time
from .text import translate

if TYPE_CHECKING:
    from ebr.trail import TrailLine
    from station.ui.admin_calls import TrailPage, TrailQuery

# What the page filters by, each a set of actions (exact, or a prefix ending in ".").
KINDS: dict[str, tuple[str, ...]] = {
    "all": (),
    "logins": ("login.", "logout"),
    "failed": ("login.failed", "signature.auth_failed"),
    "lockouts": ("user.locked", "user.unlocked", "user.failed_attempts_reset"),
    "users": ("user.", "command.refused", "password.change.refused"),
    "master": ("master.",),
}
# How far back, in hours (None: the whole trail).
PERIODS: dict[str, int | None] = {"day": 24, "week": 24 * 7, "month": 24 * 30, "all": None}
PAGE_SIZE = 50


def kind_label(kind: str) -> str:
    return {
        "all": translate("SiteTrail", "All"),
        "logins": translate("SiteTrail", "Logins"),
        "failed": translate("SiteTrail", "Failed"),
        "lockouts": translate("SiteTrail", "Lockouts"),
        "users": translate("SiteTrail", "Users"),
        "master": translate("SiteTrail", "Master data"),
    }.get(kind, kind)


def period_label(period: str) -> str:
    return {
        "day": translate("SiteTrail", "24 hours"),
        "week": translate("SiteTrail", "7 days"),
        "month": translate("SiteTrail", "30 days"),
        "all": translate("SiteTrail", "All time"),
    }.get(period, period)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items() if k != "seal")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


@dataclass
class SiteTrailVM:
    kind: str = "all"
    period: str = "week"
    user: str | None = None  # None: everyone
    users: list[tuple[str, str]] = field(default_factory=list)  # (id, name) to choose from
    lines: list[TrailLine] = field(default_factory=list)  # newest first
    names: dict[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    has_older: bool = False
    has_newer: bool = False
    page: int = 1
    # Where each page shown so far starts (the ``before`` of its query; None: the newest), so
    # that going back to newer pages asks exactly what was asked for them.
    starts: list[int | None] = field(default_factory=lambda: [None])
    loading: bool = False
    message: str = ""

    def query(self, *, before: int | None = None) -> TrailQuery:
        from station.ui.admin_calls import TrailQuery

        hours = PERIODS.get(self.period)
        since = None if hours is None else dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
        return TrailQuery(
            user=self.user, actions=KINDS.get(self.kind, ()), since=since, before=before, size=PAGE_SIZE
        )  # fmt: skip

    def first_page(self) -> TrailQuery:
        self.page, self.starts = 1, [None]
        return self.query()

    def older(self) -> TrailQuery | None:
        if not self.has_older or not self.lines:
            return None
        self.page += 1
        del self.starts[self.page - 1 :]
        self.starts.append(self.lines[-1].seq)
        return self.query(before=self.starts[-1])

    def newer(self) -> TrailQuery | None:
        """The page before this one (the first page: the newest, with what was recorded since)."""
        if not self.has_newer or self.page <= 1:
            return None
        self.page -= 1
        return self.query(before=self.starts[self.page - 1])

    def show(self, page: TrailPage) -> None:
        self.lines = list(reversed(page.lines))
        self.names = dict(page.names)
        self.users = sorted(self.names.items(), key=lambda item: item[1])
        self.timezone = page.timezone
        self.has_older, self.has_newer = page.has_older, page.has_newer
        self.loading = False
        self.message = "" if self.lines else translate("SiteTrail", "No events match the filters.")

    def failed(self, error: str) -> None:
        self.loading = False
        self.message = error

    def set_filters(
        self, *, kind: str | None = None, period: str | None = None, user: str | bool | None = False
    ) -> None:
        if kind is not None:
            self.kind = kind
        if period is not None:
            self.period = period
        if user is not False:
            self.user = user if isinstance(user, str) and user else None

    @property
    def position(self) -> str:
        return (
            translate("SiteTrail", "Page %1 · newest first · times in %2")
            .replace("%1", str(self.page))
            .replace("%2", self.timezone)
        )

    def who(self, line: TrailLine) -> str:
        if line.user_id is None:
            return translate("SiteTrail", "(no user)")
        name = self.names.get(line.user_id)
        return f"{name} ({line.user_id})" if name else line.user_id

    def describe(self, line: TrailLine) -> str:
        """One event as two or three lines: when, who, what and on what; the reason; the
        values before and after for a change."""
        entity = f"{line.entity_type} {line.entity_id}" if line.entity_id else line.entity_type
        outcome = "" if line.outcome == "accepted" else f" · {line.outcome.upper()}"
        text = f"{local_time(line.at, self.timezone)} · {self.who(line)} · {line.action}{outcome} · {entity}"
        if line.reason:
            text += "\n" + translate("SiteTrail", "Reason: %1").replace("%1", line.reason)
        if line.old_value is not None or line.new_value is not None:
            before = "—" if line.old_value is None else _value(line.old_value)
            after = "—" if line.new_value is None else _value(line.new_value)
            text += "\n" + translate("SiteTrail", "Before: %1 → after: %2").replace("%1", before).replace(
                "%2", after
            )
        return text

    def refused(self, line: TrailLine) -> bool:
        return line.outcome == "refused"

    def user_choices(self) -> Sequence[tuple[str, str]]:
        return [
            ("", translate("SiteTrail", "Everyone")),
            *((uid, f"{name} ({uid})") for uid, name in self.users),
        ]
