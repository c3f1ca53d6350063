"""The unit of work: one transaction, rolled back unless committed.

    with db.unit_of_work() as uow:
        actor = uow.user("op.alvarez")
        ...
        uow.commit()

Everything comes back as plain frozen data: the master data the gates judge by as the
gates' own facts (``gating.facts``), accounts, recipes and batches as ``ebr.facts``, the
record as typed events (``ebr.events``) and their replay. The session is there for the
store's own modules (``uow.session``) and never leaves ``ebr``; everything is written
through ``write``.

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
from gating import facts as gf

if TYPE_CHECKING:
    from ebr.database import Database
    from ebr.events import LabelPrinted, ReviewDecided
    from ebr.export.record import BatchRecord
    from ebr.replay import BatchState
    from ebr.trail import TrailLine

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

    def recipe_images(self, code: str, version: int) -> dict[str, bytes]:
        """The instruction images kept with a recipe version at its import, by SHA-256."""
        import base64

        from ebr.events import RecipeImported

        a = _AUDIT_COLUMNS
        query = self._events_query().where(
            a.action == RecipeImported.ACTION, a.entity_id == f"{code}/{version}"
        )
        for found in self._decoded(query):
            if isinstance(found.event, RecipeImported) and found.event.images:
                return {digest: base64.b64decode(text) for digest, text in found.event.images.items()}
        return {}

    def trail(self, **filters: Any) -> list[TrailLine]:
        """Audit-trail lines for a person to read (``ebr.trail.trail``: stream, user, actions,
        since, until, limit)."""
        from ebr.trail import trail

        return trail(self.connection, **filters)

    def last_event(self, stream: str) -> tuple[int, str] | None:
        """The ``seq`` and hash of a stream's last event (None for a stream with no events): a
        batch's record hash, as its exports print it."""
        a = _AUDIT_COLUMNS
        row = self.connection.execute(
            select(a.seq, a.hash).where(a.stream == stream).order_by(a.stream_seq.desc()).limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]))

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

    def training_of(self, user_id: str) -> tuple[gf.TrainingRecord, ...]:
        rows = self.session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.user_id == user_id)
            .order_by(TrainingRecord.document_code, TrainingRecord.revision)
        )
        return tuple(
            gf.TrainingRecord(r.user_id, r.document_code, r.revision, r.trained_on, r.expires) for r in rows
        )

    def documents(self) -> tuple[gf.Document, ...]:
        rows = self.session.scalars(select(Document).order_by(Document.code))
        return tuple(gf.Document(r.code, r.revision, r.title) for r in rows)

    def document(self, code: str) -> gf.Document | None:
        r = self.session.scalars(select(Document).where(Document.code == code)).one_or_none()
        return None if r is None else gf.Document(r.code, r.revision, r.title)

    def material(self, code: str) -> gf.Material | None:
        return self._material(select(Material).where(Material.code == code))

    def material_by_gtin(self, gtin: str) -> gf.Material | None:
        return self._material(select(Material).where(Material.gtin == gtin))

    def _material(self, query: Select[Material]) -> gf.Material | None:
        r = self.session.scalars(query).one_or_none()
        return None if r is None else gf.Material(r.code, r.name, r.gtin)

    def lot(self, material_code: str, lot: str) -> gf.Lot | None:
        r = self.session.scalars(
            select(Lot).where(Lot.material_code == material_code, Lot.lot == lot)
        ).one_or_none()
        return None if r is None else lot_of(r)

    def lots_by_id(self, lot: str) -> tuple[gf.Lot, ...]:
        """Every lot with this lot id (one per material at most; usually one in all)."""
        rows = self.session.scalars(select(Lot).where(Lot.lot == lot).order_by(Lot.material_code))
        return tuple(lot_of(r) for r in rows)

    def equipment(self, equipment_id: str) -> gf.Equipment | None:
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

    # ---------------------------------------------------------------- queries for the station's services
    # What the exports, the QA review and the label printer read, as typed events and frozen
    # data: no query is built outside ``ebr`` (see docs/architecture.md).

    def read_batch_record(
        self, batch_id: str, *, chain_verified: bool | None = None, site_timezone: str = "UTC"
    ) -> BatchRecord:
        """The batch record as the exports read it (``ebr.export.loader``): ``chain_verified``
        is what ``ebr verify`` said of the trail (None: not checked). Raises ``NotFound``."""
        from ebr.export.loader import load_batch_record

        return load_batch_record(
            self.session, batch_id, chain_verified=chain_verified, site_timezone=site_timezone
        )

    def batch_state(self, batch_id: str) -> BatchState | None:
        """The batch as one replay of its own stream leaves it (``ebr.replay``, as the engine
        replays it), in the step order of the recipe it runs; None for a batch not in the
        store. The state is made for the caller, who may keep it."""
        from ebr.errors import StoreError
        from ebr.replay import replay
        from recipes.loader import parse_recipe

        info = self.batch(batch_id)
        if info is None:
            return None
        text = self.session.scalars(
            select(Recipe.source_text).where(
                Recipe.code == info.recipe_code, Recipe.version == info.recipe_version
            )
        ).one()
        order = parse_recipe(text, f"{info.recipe_code}.yaml").step_ids()
        try:
            return replay(self.stream(batch_id), lambda _started: order)
        except ValueError as exc:  # a stream that does not begin with batch.started
            raise StoreError(f"batch {batch_id}: {exc}") from None

    def batch_participants(self, batch_id: str) -> frozenset[str]:
        """Everyone who did or signed anything in the batch: the users of its stream's events,
        but for the refused ones (an attempt a gate refused did nothing) and QA's own reviews
        and their signatures (a reviewer who rejected a record may review its correction)."""
        from ebr.events import ActionRefused, ReviewDecided, SignatureSigned

        return frozenset(
            r.user_id
            for r in self.stream(batch_id)
            if r.user_id is not None
            and not isinstance(r.event, ActionRefused | ReviewDecided)
            and not (isinstance(r.event, SignatureSigned) and r.event.signed_table == "reviews")
        )

    def batch_review(self, batch_id: str) -> Recorded[ReviewDecided] | None:
        """QA's latest review of the batch; None while it has none. (A rejected record may be
        corrected and reviewed again: every review stays in the record.)"""
        found = self._reviews(batch_id)
        return found[-1] if found else None

    def reviews(self) -> tuple[Recorded[ReviewDecided], ...]:
        """The QA review of every reviewed batch (``event.batch_id``), in the order decided."""
        return self._reviews(None)

    def label_prints(self, batch_id: str, step: str) -> tuple[Recorded[LabelPrinted], ...]:
        """The dispense labels printed for the weighing at ``step``, in order: the first print,
        then every reprint."""
        from ebr.events import LabelPrinted

        a = _AUDIT_COLUMNS
        query = self._events_query().where(a.stream == batch_id, a.action.in_(LabelPrinted.actions()))
        return tuple(
            Recorded(r.event, r.at, r.user_id, r.stream_seq)
            for r in self._decoded(query.order_by(a.stream_seq))
            if isinstance(r.event, LabelPrinted) and r.event.step == step
        )

    def _reviews(self, batch_id: str | None) -> tuple[Recorded[ReviewDecided], ...]:
        # Found through their typed rows (few, indexed by batch), not by the action name
        # across the whole trail, which on a site's server holds millions of events.
        from ebr.events import ReviewDecided
        from ebr.models import Review

        a = _AUDIT_COLUMNS
        table = cast(Table, Review.__table__)
        review = table.c
        query = self._events_query().join(table, review.uid == a.record_uid)
        if batch_id is not None:
            query = query.where(review.batch_id == batch_id)
        return tuple(
            Recorded(r.event, r.at, r.user_id, r.stream_seq)
            for r in self._decoded(query.order_by(a.seq))
            if isinstance(r.event, ReviewDecided)
        )

    def _events_query(self) -> Select[Any]:
        a = _AUDIT_COLUMNS
        return select(
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

    def _decoded(self, query: Select[Any]) -> Iterator[Recorded[AuditedEvent]]:
        for row in self.connection.execute(query).mappings():
            yield Recorded(decode_row(row), row["occurred_at"], row["user_id"], int(row["stream_seq"]))


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


def lot_of(r: Lot) -> gf.Lot:
    return gf.Lot(r.material_code, r.lot, r.status, r.expiry, r.retest)


def equipment_of(r: Equipment) -> gf.Equipment:
    # A scale's figures count only all together: a capacity without its unit weighs nothing.
    scale = r.scale_capacity is not None and r.scale_readability is not None and bool(r.scale_unit)
    return gf.Equipment(
        id=r.id,
        equipment_class=r.equipment_class,
        name=r.name,
        status=r.status,
        calibrated_until=r.calibrated_until,
        clean_until=r.clean_until,
        daily_check_until=r.daily_check_until,
        scale_capacity=r.scale_capacity if scale else None,
        scale_readability=r.scale_readability if scale else None,
        scale_unit=r.scale_unit if scale else None,
        scale_min_weight=r.scale_min_weight if scale else None,
        serial_number=r.serial_number,
    )
