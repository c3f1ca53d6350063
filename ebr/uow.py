"""The unit of work: one transaction, rolled back unless committed.

    with db.unit_of_work() as uow:
        actor = uow.user("op.alvarez")
        ...
        uow.commit()

Everything the engine reads comes back as plain frozen data (``ebr.facts``); the
session is there for the store's own modules (``uow.session``) and never needs to
leave ``ebr``.

A unit of work is a transaction on one connection. The ORM session is made on first
use, on that connection and in that transaction: a station's step action reads its
facts from the engine's caches and appends through ``ebr.audit``, which talks to the
connection, so most actions never make one (it costs more than their own SQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ebr import audit, chain, clock, facts
from ebr.events import AuditedEvent, decode_row
from ebr.models import (
    RECORD_MODELS,
    AuditEvent,
    Base,
    Batch,
    BatchStatusChange,
    Document,
    Equipment,
    Lot,
    Material,
    Recipe,
    Signature,
    TrainingRecord,
    User,
    record_content,
)
from ebr.replay import Recorded

if TYPE_CHECKING:
    from ebr.database import Database

#: The meaning of the e-signature that approves a master recipe for execution.
RECIPE_APPROVAL_MEANING = "Recipe approved for execution"

_AUDIT_COLUMNS = cast(Table, AuditEvent.__table__).c


class UnitOfWork:
    def __init__(self, connection: Connection, db: Database, *, read_only: bool = False) -> None:
        self.connection = connection
        self.db = db
        self.read_only = read_only
        self.committed = False
        #: After a commit: the last seq it made durable and the last stream_seq of each
        #: stream it appended to (``ebr.audit.written``).
        self.last_commit: tuple[int, dict[str, int]] | None = None
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The ORM session of this unit of work, made on first use. It takes the
        connection's transaction as its own (``control_fully``): its commit is this
        unit of work's commit, and after one it begins the next transaction itself."""
        if self._session is None:
            self._session = Session(
                bind=self.connection,
                join_transaction_mode="control_fully",
                expire_on_commit=False,
                autoflush=True,
            )
        return self._session

    # ---------------------------------------------------------------- transaction

    def commit(self) -> None:
        """Make everything written so far durable (the unit of work may go on after it)."""
        written = audit.written(self.connection)
        if self._session is not None:
            self._session.commit()
        else:
            self.connection.commit()
        self.committed = True
        self.last_commit = written

    def chain_seq(self) -> int:
        """The last seq of the audit trail, as this transaction sees it. In a write unit of
        work the head is locked by this read (see ``ebr.audit``), so it stays so."""
        return audit.chain_head(self.connection)[0]

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        else:
            self.connection.rollback()

    def end(self) -> None:
        """Roll back whatever was not committed and let go of the session (the database's
        ``unit_of_work`` calls it on leaving; the connection stays open)."""
        try:
            self.rollback()
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    # ---------------------------------------------------------------- writing

    def write(
        self, event: AuditedEvent, *, stream: str, user_id: str | None
    ) -> tuple[audit.EventInfo, Base | None]:
        """Record one typed event, and the typed record row it vouches for, in this unit of
        work: the one way anything is written into the record (``docs/architecture.md``).
        The event's class names its action, outcome, entity, reason and payload; ``stream``
        is the batch id or ``ebr.audit.SITE_STREAM``; ``user_id`` who did it (authenticated
        by the caller). Returns what the chain wrote and the row (holding its content exactly
        as stored, so a signature over it signs what was stored), or None without one."""
        self._flush()
        stored = event.stored()
        row = event.row(stream=stream, user_id=user_id, now=clock.utc_now())
        fields: dict[str, Any] = {
            "stream": stream,
            "user_id": user_id,
            "action": stored.action,
            "outcome": stored.outcome,
            "entity_type": stored.entity_type,
            "entity_id": stored.entity_id,
            "old_value": stored.old_value,
            "new_value": stored.new_value,
            "reason": stored.reason,
        }
        if row is None:
            if event.RECORD is not None:
                raise ValueError(f"{type(event).__name__} vouches for a {event.RECORD.__name__} row")
            return audit.append_event(self.connection, **fields), None
        return audit.add_record(self.connection, row, **fields), row

    def _flush(self) -> None:
        # What the session holds goes to the database before the event that speaks of it
        # (the ORM would flush before its own next statement; the chain's statements do
        # not pass through it).
        if self._session is not None and (self._session.new or self._session.dirty or self._session.deleted):
            self._session.flush()

    # ---------------------------------------------------------------- streams

    def stream(self, stream: str, after: int = 0) -> Iterator[Recorded[AuditedEvent]]:
        """The events of a stream after ``stream_seq`` ``after``, in order, as typed events
        (``ebr.events``) with their time, user and place in the stream."""
        a = _AUDIT_COLUMNS
        rows = self.connection.execute(
            select(
                a.stream_seq,
                a.action,
                a.outcome,
                a.user_id,
                a.entity_type,
                a.entity_id,
                a.old_value,
                a.new_value,
                a.reason,
                a.occurred_at,
            )
            .where(a.stream == stream, a.stream_seq > after)
            .order_by(a.stream_seq)
        ).mappings()
        for row in rows:
            yield Recorded(decode_row(row), row["occurred_at"], row["user_id"], int(row["stream_seq"]))  # fmt: skip

    def stream_heads(self, *streams: str) -> dict[str, int]:
        """The last ``stream_seq`` of each stream, in one query (0 for a stream with no events)."""
        a = _AUDIT_COLUMNS
        # One scalar subquery per stream: each is an index seek on (stream, stream_seq), where a
        # GROUP BY over the streams would scan every event of a long site stream.
        heads = [select(func.max(a.stream_seq)).where(a.stream == s).scalar_subquery() for s in streams]
        row = self.connection.execute(select(*heads)).one()
        return {s: int(seq or 0) for s, seq in zip(streams, row, strict=True)}

    def actions_since(self, stream: str, after: int, limit: int) -> list[str]:
        """The action names of a stream's events after ``stream_seq`` ``after``, the first ``limit``."""
        a = _AUDIT_COLUMNS
        rows = self.connection.execute(
            select(a.action)
            .where(a.stream == stream, a.stream_seq > after)
            .order_by(a.stream_seq)
            .limit(limit)
        )
        return [action for (action,) in rows]

    # ---------------------------------------------------------------- master data

    def user(self, id_or_badge: str) -> facts.Actor | None:
        """A user by id, or else by badge; None if neither matches."""
        row = self.user_row(id_or_badge)
        return None if row is None else actor_of(row)

    def user_row(self, id_or_badge: str) -> User | None:
        row = self.session.scalars(select(User).where(User.id == id_or_badge)).one_or_none()
        if row is None:
            row = self.session.scalars(select(User).where(User.badge == id_or_badge)).one_or_none()
        return row

    def users(self) -> tuple[facts.Actor, ...]:
        return tuple(actor_of(u) for u in self.session.scalars(select(User).order_by(User.id)))

    def training_of(self, user_id: str) -> tuple[facts.TrainingRecord, ...]:
        rows = self.session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.user_id == user_id)
            .order_by(TrainingRecord.document_code, TrainingRecord.revision)
        )
        return tuple(
            facts.TrainingRecord(r.user_id, r.document_code, r.revision, r.trained_on, r.expires)
            for r in rows
        )

    def documents(self) -> tuple[facts.Document, ...]:
        rows = self.session.scalars(select(Document).order_by(Document.code))
        return tuple(facts.Document(r.code, r.revision, r.title) for r in rows)

    def document(self, code: str) -> facts.Document | None:
        r = self.session.scalars(select(Document).where(Document.code == code)).one_or_none()
        return None if r is None else facts.Document(r.code, r.revision, r.title)

    def material(self, code: str) -> facts.Material | None:
        return self._material(select(Material).where(Material.code == code))

    def material_by_gtin(self, gtin: str) -> facts.Material | None:
        return self._material(select(Material).where(Material.gtin == gtin))

    def _material(self, query: Select[Material]) -> facts.Material | None:
        r = self.session.scalars(query).one_or_none()
        return None if r is None else facts.Material(r.code, r.name, r.gtin)

    def lot(self, material_code: str, lot: str) -> facts.Lot | None:
        r = self.session.scalars(
            select(Lot).where(Lot.material_code == material_code, Lot.lot == lot)
        ).one_or_none()
        return None if r is None else lot_of(r)

    def lots_by_id(self, lot: str) -> tuple[facts.Lot, ...]:
        """Every lot with this lot id (one per material at most; usually one in all)."""
        rows = self.session.scalars(select(Lot).where(Lot.lot == lot).order_by(Lot.material_code))
        return tuple(lot_of(r) for r in rows)

    def equipment(self, equipment_id: str) -> facts.Equipment | None:
        r = self.session.scalars(select(Equipment).where(Equipment.id == equipment_id)).one_or_none()
        return None if r is None else equipment_of(r)

    # ---------------------------------------------------------------- recipes

    def recipe(self, code: str, version: int) -> facts.StoredRecipe | None:
        r = self.session.scalars(
            select(Recipe).where(Recipe.code == code, Recipe.version == version)
        ).one_or_none()
        return None if r is None else self._stored_recipe(r)

    def recipes(self) -> tuple[facts.StoredRecipe, ...]:
        rows = self.session.scalars(select(Recipe).order_by(Recipe.code, Recipe.version))
        return tuple(self._stored_recipe(r) for r in rows)

    def _stored_recipe(self, r: Recipe) -> facts.StoredRecipe:
        approval = self.recipe_approval(r)
        return facts.StoredRecipe(
            uid=r.uid,
            code=r.code,
            version=r.version,
            title=r.title,
            product_code=r.product_code,
            product_name=r.product_name,
            content_hash=r.content_hash,
            source_text=r.source_text,
            imported_by=r.imported_by,
            imported_at=r.imported_at,
            status="approved" if approval else "imported",
            approved_by=approval.signer_id if approval else None,
            approved_at=approval.signed_at if approval else None,
        )

    def recipe_approval(self, recipe: Recipe) -> Signature | None:
        """The valid approval signature of a recipe row, if any: status is derived from it."""
        signatures = self.session.scalars(
            select(Signature)
            .where(
                Signature.record_table == "recipes",
                Signature.record_uid == recipe.uid,
                Signature.meaning == RECIPE_APPROVAL_MEANING,
            )
            .order_by(Signature.signed_at)
        )
        current = chain.record_hash(record_content(recipe))
        for signature in signatures:
            if signature.signed_hash == current:
                return signature
        return None

    # ---------------------------------------------------------------- batches

    def batch(self, batch_id: str) -> facts.BatchInfo | None:
        row = self.session.scalars(select(Batch).where(Batch.batch_id == batch_id)).one_or_none()
        return None if row is None else self._batch_info(row)

    def batches(self) -> tuple[facts.BatchInfo, ...]:
        rows = self.session.scalars(select(Batch).order_by(Batch.started_at))
        return tuple(self._batch_info(r) for r in rows)

    def _batch_info(self, row: Batch) -> facts.BatchInfo:
        last = self.session.scalars(
            select(BatchStatusChange.status)
            .join(AuditEvent, AuditEvent.record_uid == BatchStatusChange.uid)
            .where(BatchStatusChange.batch_id == row.batch_id)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).one_or_none()
        return facts.BatchInfo(
            uid=row.uid,
            batch_id=row.batch_id,
            recipe_code=row.recipe_code,
            recipe_version=row.recipe_version,
            recipe_content_hash=row.recipe_content_hash,
            size=row.size,
            unit=row.unit,
            control_recipe=row.control_recipe,
            started_by=row.started_by,
            started_at=row.started_at,
            station=row.station,
            status=last or "in_progress",
        )

    def batch_records(self, batch_id: str) -> facts.BatchRecords | None:
        """Every typed record of the batch, in the order written (for the engine to replay)."""
        info = self.batch(batch_id)
        if info is None:
            return None
        collected: list[facts.BatchRecord] = []
        for model in RECORD_MODELS:
            if model in (Recipe, Batch):
                continue
            table = model.__table__
            query = (
                select(model, AuditEvent.seq, AuditEvent.action, AuditEvent.user_id)
                .join(AuditEvent, AuditEvent.record_uid == table.c.uid)
                .where(table.c.batch_id == batch_id)
            )
            for row, seq, action, user_id in self.session.execute(query):
                data = record_content(row)
                collected.append(
                    facts.BatchRecord(
                        seq=seq,
                        table=model.__tablename__,
                        uid=str(data["uid"]),
                        action=action,
                        user_id=user_id,
                        data=data,
                    )
                )
        collected.sort(key=lambda r: r.seq)
        return facts.BatchRecords(info, tuple(collected))


def actor_of(row: User) -> facts.Actor:
    return facts.Actor(
        id=row.id,
        name=row.name,
        roles=tuple(row.roles),
        badge=row.badge,
        active=row.active,
        locked=row.locked,
        must_change_password=row.must_change_password,
    )


def lot_of(r: Lot) -> facts.Lot:
    return facts.Lot(r.material_code, r.lot, r.status, r.expiry, r.retest)


def equipment_of(r: Equipment) -> facts.Equipment:
    scale = None
    if r.scale_capacity is not None and r.scale_readability is not None and r.scale_unit:
        scale = facts.ScaleInfo(r.scale_capacity, r.scale_readability, r.scale_unit)
    return facts.Equipment(
        id=r.id,
        equipment_class=r.equipment_class,
        name=r.name,
        status=r.status,
        calibrated_until=r.calibrated_until,
        clean_until=r.clean_until,
        daily_check_until=r.daily_check_until,
        scale=scale,
    )
