"""The record store's tables (SQLAlchemy 2 typed declarative).

Three kinds of table:

* master data (``documents``, ``users``, ``training_records``, ``materials``, ``lots``,
  ``equipment``): the current state replicated from the site systems. Rows may be
  updated, but every change writes an audit event with the old and the new value.
* the electronic batch record (``RECORD_TABLES``) and the recipes: INSERT-ONLY. The
  database itself refuses UPDATE and DELETE on them (triggers made by the migration),
  and every row is referenced, with the hash of its content, by exactly one audit event.
* the audit trail (``audit_events``, a hash chain), its head (``chain_head``) and the
  outbox cursor (``sync_state``).

Every row has a globally unique ``uid`` (UUID4 text). Column values are stored so
that they read back exactly as written, on SQLite and PostgreSQL alike: times as
ISO 8601 UTC text, decimals as text, JSON as canonical JSON text.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ebr import chain


def new_uid() -> str:
    """A fresh globally unique id (UUID4, text)."""
    return str(uuid.uuid4())


class UtcTimestamp(TypeDecorator[dt.datetime]):
    """An aware UTC datetime stored as ``2026-03-01T10:00:00.123456Z`` text.

    Text sorts chronologically, reads back identically on every database and is
    exactly what the audit trail hashes."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"a timestamp must be a datetime, not {type(value).__name__}")
        return chain.utc_iso(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else dt.datetime.fromisoformat(value)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal stored as plain text (``format(value, "f")``)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, float | bool):
            raise TypeError("decimals are stored from Decimal, int or str, never float")
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError("not a finite decimal")
        return format(number, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class JsonText(TypeDecorator[Any]):
    """A JSON value stored as its canonical text (``ebr.chain.canonical``); None is NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else chain.canonical(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Seq = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _uid() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_uid)


# ------------------------------------------------------------------ master data


class Document(Base):
    __tablename__ = "documents"
    uid: Mapped[str] = _uid()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))


class User(Base):
    __tablename__ = "users"
    uid: Mapped[str] = _uid()
    id: Mapped[str] = mapped_column(String(64), unique=True)  # never reused
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JsonText)
    badge: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id, never a password
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TrainingRecord(Base):
    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("user_id", "document_code", "revision"),)
    uid: Mapped[str] = _uid()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    document_code: Mapped[str] = mapped_column(ForeignKey("documents.code"))
    revision: Mapped[int] = mapped_column(Integer)
    trained_on: Mapped[dt.date] = mapped_column(Date)
    expires: Mapped[dt.date | None] = mapped_column(Date)


class Material(Base):
    __tablename__ = "materials"
    uid: Mapped[str] = _uid()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("material_code", "lot"), Index(None, "lot"))
    uid: Mapped[str] = _uid()
    material_code: Mapped[str] = mapped_column(ForeignKey("materials.code"))
    lot: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # released | quarantined | rejected
    expiry: Mapped[dt.date] = mapped_column(Date)
    retest: Mapped[dt.date | None] = mapped_column(Date)


class Equipment(Base):
    __tablename__ = "equipment"
    uid: Mapped[str] = _uid()
    id: Mapped[str] = mapped_column(String(64), unique=True)
    equipment_class: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # in_service | out_of_service
    calibrated_until: Mapped[dt.date | None] = mapped_column(Date)
    clean_until: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    daily_check_until: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    scale_capacity: Mapped[Decimal | None] = mapped_column(DecimalText)
    scale_readability: Mapped[Decimal | None] = mapped_column(DecimalText)
    scale_unit: Mapped[str | None] = mapped_column(String(8))
    # Added in 0002: the serial number the device reports (MT-SICS I4, SBI), checked against
    # the device at the station, and a scale's minimum net weight (USP <41>).
    serial_number: Mapped[str | None] = mapped_column(String(64))
    scale_min_weight: Mapped[Decimal | None] = mapped_column(DecimalText)


# ------------------------------------------------------------------ recipes (insert-only)


class Recipe(Base):
    __tablename__ = "recipes"
    __table_args__ = (UniqueConstraint("code", "version"),)
    uid: Mapped[str] = _uid()
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    product_code: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(64))  # a user id, or "system" for a command-line import
    imported_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


# ------------------------------------------------------------------ the EBR (insert-only)


class Batch(Base):
    __tablename__ = "batches"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = mapped_column(String(64), unique=True)
    recipe_code: Mapped[str] = mapped_column(String(64))
    recipe_version: Mapped[int] = mapped_column(Integer)
    recipe_content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(8))
    control_recipe: Mapped[Any] = mapped_column(JsonText)  # the scaled snapshot the batch runs on
    started_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    station: Mapped[str] = mapped_column(String(64))


def _batch_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("batches.batch_id"), index=True)


class BatchStatusChange(Base):
    __tablename__ = "batch_status_changes"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    status: Mapped[str] = mapped_column(String(20))  # in_progress | on_hold | completed
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class StepExecution(Base):
    __tablename__ = "step_executions"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    performed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    performed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    result: Mapped[Any] = mapped_column(JsonText)


class EquipmentBinding(Base):
    __tablename__ = "equipment_bindings"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str] = mapped_column(String(64))
    bind_name: Mapped[str] = mapped_column(String(64))
    equipment_id: Mapped[str] = mapped_column(String(64))
    status_snapshot: Mapped[Any] = mapped_column(JsonText)  # status, calibrated_until, clean_until ...
    bound_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    bound_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class LotConsumption(Base):
    __tablename__ = "lot_consumptions"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str] = mapped_column(String(64))
    material_code: Mapped[str] = mapped_column(String(64))
    lot: Mapped[str] = mapped_column(String(64))
    lot_status: Mapped[str] = mapped_column(String(20))  # at use
    lot_expiry: Mapped[dt.date | None] = mapped_column(Date)  # at use
    lot_retest: Mapped[dt.date | None] = mapped_column(Date)  # at use
    gross: Mapped[Decimal] = mapped_column(DecimalText)
    tare: Mapped[Decimal] = mapped_column(DecimalText)
    net: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(8))
    device_serial: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # scale | manual
    weighed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    weighed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class Measurement(Base):
    __tablename__ = "measurements"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(16))
    low: Mapped[Decimal | None] = mapped_column(DecimalText)
    high: Mapped[Decimal | None] = mapped_column(DecimalText)
    in_limits: Mapped[bool] = mapped_column(Boolean)
    measured_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    measured_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class Deviation(Base):
    __tablename__ = "deviations"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(32))  # value_out_of_limits | override | manual | ...
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class DeviationClosure(Base):
    __tablename__ = "deviation_closures"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    deviation_uid: Mapped[str] = mapped_column(ForeignKey("deviations.uid"), unique=True)
    resolution: Mapped[str] = mapped_column(Text)
    closed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class Override(Base):
    __tablename__ = "overrides"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    step_id: Mapped[str] = mapped_column(String(64))
    reason_code: Mapped[str] = mapped_column(String(64))  # the refusal overridden
    supervisor: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reason_text: Mapped[str] = mapped_column(Text)
    deviation_uid: Mapped[str | None] = mapped_column(ForeignKey("deviations.uid"))
    overridden_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class Signature(Base):
    __tablename__ = "signatures"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(64))
    signer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(300))
    signed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    record_table: Mapped[str] = mapped_column(String(64))  # what is signed ...
    record_uid: Mapped[str] = mapped_column(String(36), index=True)
    signed_hash: Mapped[str] = mapped_column(String(64))  # ... and the hash of exactly that content


class Review(Base):
    __tablename__ = "reviews"
    uid: Mapped[str] = _uid()
    batch_id: Mapped[str] = _batch_fk()
    reviewer: Mapped[str] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # approved | rejected
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


# ------------------------------------------------------------------ audit trail


class AuditEvent(Base):
    """One link of the hash chain: the fields of ``ebr.chain.EVENT_FIELDS`` plus ``hash``."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("stream", "stream_seq"),)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    stream: Mapped[str] = mapped_column(String(64))
    stream_seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[str] = mapped_column(String(27))  # ISO 8601 UTC text, as hashed
    user_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    old_value: Mapped[str | None] = mapped_column(Text)  # canonical JSON text
    new_value: Mapped[str | None] = mapped_column(Text)  # canonical JSON text
    reason: Mapped[str | None] = mapped_column(Text)
    record_table: Mapped[str | None] = mapped_column(String(64))
    record_uid: Mapped[str | None] = mapped_column(String(36), unique=True)
    record_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The single row (id 1) holding the last event's seq and hash. Appenders lock it."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    last_seq: Mapped[int] = mapped_column(Seq)
    last_hash: Mapped[str] = mapped_column(String(64))


class SyncState(Base):
    """The outbox cursor (row id 1): the last seq the central QMS acknowledged."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    acked_seq: Mapped[int] = mapped_column(Seq)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)


#: The typed records of the EBR (and the recipes), all insert-only, each referenced by
#: exactly one audit event. Signatures may sign a row of any of these tables.
RECORD_MODELS: tuple[type[Base], ...] = (
    Recipe,
    Batch,
    BatchStatusChange,
    StepExecution,
    EquipmentBinding,
    LotConsumption,
    Measurement,
    Deviation,
    DeviationClosure,
    Override,
    Signature,
    Review,
)
RECORD_TABLES: tuple[str, ...] = tuple(m.__tablename__ for m in RECORD_MODELS)

#: Tables the database refuses to UPDATE or DELETE (triggers): the records and the trail.
APPEND_ONLY_TABLES: tuple[str, ...] = (*RECORD_TABLES, "audit_events")

#: Tables whose rows are master data: current state, every change audited.
MASTER_MODELS: tuple[type[Base], ...] = (Document, User, TrainingRecord, Material, Lot, Equipment)


def model_for(table: str) -> type[Base]:
    for model in RECORD_MODELS:
        if model.__tablename__ == table:
            return model
    raise KeyError(f"not a record table: {table}")


def record_content(row: Base) -> dict[str, Any]:
    """The content of a typed record as ``chain.record_hash`` hashes it: every column."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


# The sync's tables and the password policy's share this metadata (one Alembic history).
from ebr import password_models as _password_models  # noqa: E402,F401
from ebr import sync_models as _sync_models  # noqa: E402,F401
