"""Master data under the chain: every change of a master-data row is vouched for by the event
that made it.

Master data (users with their password hashes, roles and lock flags; documents, training,
materials, lots, equipment) is current state, changed in place. What keeps a change in place
honest is the event that made it: each event that adds or changes a master-data row carries
the row's *seal*, the hash of its whole content as stored right after the change
(``chain.record_hash`` over every column, as a read returns it). The seal is inside the
event's hashed payload, so it is chained like everything else.

``ebr verify`` then checks every master-data row against the latest seal of its entity: a
lot released, a calibration extended, a role granted or a password hash replaced in the file
itself leaves a row whose content no event vouches for. Rows that were written before seals
existed are sealed once, as found, by the upgrade that brings this check (``seal_unsealed``,
attributed to no user and saying so), so the check holds from then on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, Table, func, literal_column, select
from sqlalchemy.engine import Connection, Dialect

from ebr import chain
from ebr.models import AuditEvent, Base, Document, Equipment, Lot, Material, TrainingRecord, User
from ebr.password_models import PasswordPolicyRow

if TYPE_CHECKING:
    from ebr.uow import UnitOfWork


@dataclass(frozen=True)
class MasterKind:
    """One kind of master data: its name in the trail (``entity_type``), its table, and the
    columns whose values, joined by "/", name a row in the trail (``entity_id``)."""

    name: str
    model: type[Base]
    key: tuple[str, ...]

    @property
    def table(self) -> Table:
        return cast(Table, self.model.__table__)

    def entity_of(self, values: Any) -> str:
        get = values.get if isinstance(values, dict) else lambda k: getattr(values, k)
        return "/".join(str(get(k)) for k in self.key)


KINDS: tuple[MasterKind, ...] = (
    MasterKind("document", Document, ("code",)),
    MasterKind("user", User, ("id",)),
    MasterKind("training", TrainingRecord, ("user_id", "document_code", "revision")),
    MasterKind("material", Material, ("code",)),
    MasterKind("lot", Lot, ("material_code", "lot")),
    MasterKind("equipment", Equipment, ("id",)),
    MasterKind("password_policy", PasswordPolicyRow, ("id",)),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def seal_of(row: Base, dialect: Dialect) -> str:
    """The seal of a master-data row as it will be stored: each value goes through its column
    type to the database and back, as a later read returns it (the row need not be flushed)."""
    table = cast(Table, row.__table__)
    content: dict[str, Any] = {}
    for column in table.columns:
        value = getattr(row, column.key)
        if value is not None:
            to_db = column.type.bind_processor(dialect)
            from_db = column.type.result_processor(dialect, None)
            stored = value if to_db is None else to_db(value)
            value = stored if from_db is None or stored is None else from_db(stored)
        content[column.key] = value
    return chain.record_hash(content)


def _stored_seal(content: dict[str, Any]) -> str:
    return chain.record_hash(content)


@dataclass(frozen=True)
class Unsealed:
    """A master-data row whose content no event vouches for (or whose latest seal differs)."""

    kind: str
    entity: str
    uid: str
    seq: int | None  # the event with the latest seal of the entity, or None: it has none
    event_uid: str | None

    def problem(self) -> str:
        if self.seq is None:
            return f"master data {self.kind} {self.entity}: no event vouches for this row"
        return (
            f"master data {self.kind} {self.entity}: the row is not what event {self.seq} "
            "recorded (changed outside the station)"
        )


def latest_seals(connection: Connection) -> dict[tuple[str, str], tuple[int, str, str]]:
    """The latest seal of each master-data entity: (kind, entity) -> (seq, event uid, seal)."""
    a = cast(Table, AuditEvent.__table__).c
    if connection.dialect.name == "sqlite":
        seal_of_event: Any = func.json_extract(a.new_value, "$.seal")
    else:
        seal_of_event = a.new_value.cast(JSON)["seal"].as_string()
    rows = connection.execute(
        select(a.seq, a.uid, a.entity_type, a.entity_id, seal_of_event)
        .where(a.stream == "site", a.entity_type.in_(list(BY_NAME)), a.new_value.like('%"seal":%'))
        .order_by(a.seq)
    )
    found: dict[tuple[str, str], tuple[int, str, str]] = {}
    for seq, uid, kind, entity, seal in rows:
        if isinstance(seal, str) and entity is not None:
            found[(kind, entity)] = (int(seq), str(uid), seal)
    return found


def unsealed_rows(connection: Connection) -> Iterator[Unsealed]:
    """Every master-data row whose content is not its entity's latest seal.

    The database writes each row's canonical text (``ebr.verify.canonical_sql``, as for the
    typed records) and Python only hashes it; a row whose text does not give its seal is
    checked again the reference way (the row as SQLAlchemy reads it, through ``ebr.chain``)
    before it is reported, so the fast path never reports a row the reference would pass."""
    from ebr.verify import canonical_sql

    seals = latest_seals(connection)
    dialect = connection.dialect.name
    for kind in KINDS:
        table = kind.table
        keys = [table.c[k] for k in kind.key]
        text_sql = canonical_sql(table.columns, dialect, table.name).replace("%%", "%")
        query = select(table.c.uid, *keys, literal_column(text_sql))
        for uid, *key, canonical in connection.execute(query):
            entity = "/".join(str(v) for v in key)
            latest = seals.get((kind.name, entity))
            if latest is not None and canonical is not None and chain.sha256_hex(canonical) == latest[2]:
                continue
            if latest is not None and _seal_of_stored(connection, kind, str(uid)) == latest[2]:
                continue
            yield Unsealed(
                kind.name, entity, str(uid), latest[0] if latest else None, latest[1] if latest else None
            )


def seal_as_found(uow: UnitOfWork, note: str) -> int:
    """Seal every master-data row that no event vouches for, as it stands now (one
    ``MasterDataSealed`` event each, attributed to no user, ``note`` saying why). Run once, by
    the upgrade that brings seals, on a store whose rows were written before them. Returns how
    many rows it sealed."""
    from ebr.audit import SITE_STREAM
    from ebr.events import MasterDataSealed

    sealed = 0
    for row in list(unsealed_rows(uow.connection)):
        if row.seq is not None:
            continue  # vouched for, and changed since: that is for ``ebr verify`` to report
        seal = _seal_of_stored(uow.connection, BY_NAME[row.kind], row.uid)
        event = MasterDataSealed(kind=row.kind, entity=row.entity, seal=seal, note=note)
        uow.write(event, stream=SITE_STREAM, user_id=None)
        sealed += 1
    return sealed


def _seal_of_stored(connection: Connection, kind: MasterKind, uid: str) -> str:
    columns = list(kind.table.columns)
    row = connection.execute(select(*columns).where(kind.table.c.uid == uid)).one()
    return _stored_seal({column.key: value for column, value in zip(columns, row, strict=True)})
