"""QA review by exception, the parts that need no batch record: the completed batches awaiting
review (the QA user's home), the verdict's e-signature form, and how times and decisions read.

Light to import (no record store): the station builds these screens at start; the record's own
shaping (``review``) loads on the engine thread when a review is opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .keyboard import TextBuffer
from .text import translate

#: The meaning of the reviewer's e-signature, as ``station.exports.REVIEW_MEANINGS`` records it.
MEANINGS = {
    True: "Batch record reviewed and approved",
    False: "Batch record reviewed and rejected",
}

Line = tuple[str, str]  # (caption, value)


def meaning_label(approve: bool) -> str:
    """The meaning in the station's language (the record keeps the English wording)."""
    return (
        translate("Review", "Batch record reviewed and approved")
        if approve
        else translate("Review", "Batch record reviewed and rejected")
    )


def review_title(batch_id: str = "") -> str:
    """The header's line above the QA screens: the batch under review, when there is one."""
    if batch_id:
        return translate("Review", "QA review: batch %1").replace("%1", batch_id)
    return translate("Review", "QA review")


def decision_label(decision: str | None) -> str:
    return {
        None: translate("Review", "Awaiting review"),
        "approved": translate("Review", "Approved"),
        "rejected": translate("Review", "Rejected"),
    }.get(decision, decision or "")


def local_time(value: dt.datetime | str | None, timezone: str = "UTC") -> str:
    """A recorded UTC time as the site reads it: ``2026-03-14 10:12`` in the site's time zone."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- the review queue


@dataclass(frozen=True)
class QueueItem:
    """A completed batch at this station and its review, if any."""

    batch_id: str
    product_name: str
    recipe_code: str
    recipe_version: int
    started_at: str  # ISO UTC
    decision: str | None = None  # approved | rejected | None (awaiting review)
    reviewer: str = ""  # printed name
    reviewed_at: str = ""  # ISO UTC


@dataclass
class ReviewQueueVM:
    items: list[QueueItem] = field(default_factory=list)
    message: str = ""
    timezone: str = "UTC"

    def set_items(self, items: list[QueueItem]) -> None:
        self.items = sorted(items, key=lambda i: (i.decision is not None, i.started_at))

    def grouped(self) -> list[tuple[str, list[QueueItem]]]:
        waiting = [i for i in self.items if i.decision is None]
        done = [i for i in self.items if i.decision is not None]
        return [
            (translate("Review", "Awaiting review"), waiting),
            (translate("Review", "Reviewed"), done),
        ]

    def describe(self, item: QueueItem) -> str:
        text = f"{item.batch_id} · {item.product_name} · {item.recipe_code} v{item.recipe_version}"
        if item.decision is not None:
            text += "\n" + translate("Review", "%1 by %2, %3").replace(
                "%1", decision_label(item.decision)
            ).replace("%2", item.reviewer).replace("%3", local_time(item.reviewed_at, self.timezone))
        return text


# ---------------------------------------------------------------- the verdict


@dataclass
class ReviewSignVM:
    """The e-signature form of the verdict: user id or badge, password, mandatory comment."""

    batch_id: str = ""
    approve: bool = True
    user: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=40))
    password: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    comment: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=1000))
    badge: str | None = None
    message: str = ""

    def reset(self, batch_id: str, approve: bool, user: str = "") -> None:
        self.batch_id = batch_id
        self.approve = approve
        self.user.set(user)
        self.password.set("")
        self.comment.set("")
        self.badge = None
        self.message = ""

    def scan_badge(self, plain: str) -> None:
        self.badge = plain
        self.user.set(plain)

    @property
    def meaning(self) -> str:
        """The meaning of the signature as the record keeps it."""
        return MEANINGS[self.approve]

    @property
    def title(self) -> str:
        return (
            translate("Review", "Approve the batch record (e-signature)")
            if self.approve
            else translate("Review", "Reject the batch record (e-signature)")
        )

    @property
    def info(self) -> str:
        return (
            translate("Review", "Batch %1 · meaning of the signature: %2")
            .replace("%1", self.batch_id)
            .replace("%2", meaning_label(self.approve))
        )

    @property
    def submit_label(self) -> str:
        return (
            translate("Review", "SIGN AND APPROVE")
            if self.approve
            else translate("Review", "SIGN AND REJECT")
        )

    @property
    def problem(self) -> str:
        if not self.user.text.strip():
            return translate("Review", "Enter your user id or scan your badge.")
        if not self.password.text:
            return translate("Review", "Enter your password.")
        if not self.comment.text.strip():
            return translate("Review", "A comment is mandatory.")
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def request(self) -> dict[str, object]:
        """The arguments of ``station.exports.review_batch``."""
        return {
            "approve": self.approve,
            "user": self.badge or self.user.text.strip(),
            "password": self.password.text,
            "comment": self.comment.text.strip(),
        }

    def refused(self, message: str) -> None:
        """The service refused: its message plainly, the password typed again."""
        self.password.set("")
        self.message = message

    def signed(self) -> None:
        self.password.set("")
        self.comment.set("")
        self.message = ""
