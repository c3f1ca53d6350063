"""Plain, frozen data the store hands out: no SQLAlchemy object ever leaves ``ebr``.

The first group (Actor ... Equipment) are the facts the gates judge a step by;
the rest are the store's views of recipes, batches and the records of a batch,
in the order they were written (``seq`` is the audit event that wrote each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# ------------------------------------------------------------------ facts for the gates


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    roles: tuple[str, ...]
    badge: str | None = None
    active: bool = True
    locked: bool = False
    must_change_password: bool = False

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Document:
    code: str
    revision: int
    title: str


@dataclass(frozen=True)
class TrainingRecord:
    user_id: str
    document: str
    revision: int
    trained_on: dt.date
    expires: dt.date | None


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    gtin: str | None


@dataclass(frozen=True)
class Lot:
    material: str
    lot: str
    status: str  # released | quarantined | rejected
    expiry: dt.date
    retest: dt.date | None = None


@dataclass(frozen=True)
class ScaleInfo:
    capacity: Decimal
    readability: Decimal
    unit: str


@dataclass(frozen=True)
class Equipment:
    id: str
    equipment_class: str
    name: str
    status: str  # in_service | out_of_service
    calibrated_until: dt.date | None
    clean_until: dt.datetime | None
    daily_check_until: dt.datetime | None
    scale: ScaleInfo | None = None


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
