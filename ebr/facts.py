"""Plain, frozen data the store hands out: no SQLAlchemy object ever leaves ``ebr``.

The facts the gates judge a step by (documents, training, materials, lots, equipment) are
the gates' own types (``gating.facts``), which the unit of work returns as they are; here
are the user account and the store's views of recipes, batches and the records of a batch,
in the order they were written (``seq`` is the audit event that wrote each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import gating.facts

# ------------------------------------------------------------------ the user account


@dataclass(frozen=True)
class Actor:
    """A user account as the store keeps it. The gates judge a person by less of it (no
    badge, no password state): ``for_gates`` is that person. Documents, training, materials,
    lots and equipment come from the store as the gates' own facts (``gating.facts``)."""

    id: str
    name: str
    roles: tuple[str, ...]
    badge: str | None = None
    active: bool = True
    locked: bool = False
    must_change_password: bool = False

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def for_gates(self) -> gating.facts.Actor:
        """The user as the gates see them: id, name, roles, and whether they may act at all."""
        return gating.facts.Actor(self.id, self.name, frozenset(self.roles), self.active, self.locked)


# ------------------------------------------------------------------ recipes and batches


@dataclass(frozen=True)
class StoredRecipe:
    uid: str
    code: str
    version: int
    title: str
    product_code: str
    product_name: str
    content_hash: str
    source_text: str
    imported_by: str
    imported_at: dt.datetime
    status: str  # imported | approved
    approved_by: str | None = None
    approved_at: dt.datetime | None = None


@dataclass(frozen=True)
class BatchInfo:
    uid: str
    batch_id: str
    recipe_code: str
    recipe_version: int
    recipe_content_hash: str
    size: Decimal
    unit: str
    control_recipe: Any
    started_by: str
    started_at: dt.datetime
    station: str
    status: str  # in_progress | on_hold | completed (the last status change)


# ------------------------------------------------------------------ the records of a batch


@dataclass(frozen=True)
class BatchRecord:
    """One typed record of a batch. ``table`` names its kind (``step_executions``,
    ``measurements`` ...), ``data`` holds its columns (Decimals, aware datetimes, JSON
    values as written), ``seq`` the audit event that wrote it and ``action`` that
    event's action."""

    seq: int
    table: str
    uid: str
    action: str
    user_id: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchRecords:
    batch: BatchInfo
    records: tuple[BatchRecord, ...]  # every record of the batch, in the order written

    def of(self, table: str) -> tuple[BatchRecord, ...]:
        return tuple(r for r in self.records if r.table == table)

    def open_deviations(self) -> tuple[BatchRecord, ...]:
        closed = {r.data["deviation_uid"] for r in self.records if r.table == "deviation_closures"}
        return tuple(r for r in self.records if r.table == "deviations" and r.uid not in closed)
