"""Importing site master data (users, documents, training, materials, lots, equipment).

The file is read and validated on its own first (``ebr.site_file``), and the initial
passwords of users new to the store are hashed (``prepare``): all the slow work is done
before the import takes the database's write lock, so a large file keeps no station waiting.

Import is idempotent: an entity that is already stored with the same values writes
nothing. A new entity writes ``master.<kind>.added``; a changed one (a lot released, a
calibration renewed) is updated in place and writes ``master.<kind>.changed`` with
the old and the new value of each changed field, and the seal of the row it left
(``ebr.master_seal``). The reason of every event names the file and its SHA-256. Initial
passwords are stored only as argon2id hashes, with ``must_change_password`` set;
re-importing a user never touches their password.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ebr import events as ev
from ebr.audit import SITE_STREAM
from ebr.errors import NotAllowed
from ebr.master_seal import KINDS, seal_of
from ebr.models import Document, Material, User
from ebr.password_policy import SITE, remember
from ebr.site_file import (
    ROLES,
    Known,
    MasterDataInvalid,
    SiteFileRead,
    gtin_valid,
    parse_site_file,
    read_site_file,
)
from ebr.uow import UnitOfWork
from ebr.users import hash_password

if TYPE_CHECKING:
    from ebr.database import Database

__all__ = [
    "BOOTSTRAP",
    "ROLES",
    "ImportRefused",
    "ImportReport",
    "Importer",
    "MasterDataInvalid",
    "bootstrap_allowed",
    "gtin_valid",
    "import_master_data",
    "parse_site_file",
    "prepare",
    "read_site_file",
]


@dataclass(frozen=True)
class ImportReport:
    added: int
    changed: int
    unchanged: int
    sha256: str = ""

    @property
    def events(self) -> int:
        return self.added + self.changed


def read_all(paths: Sequence[str | Path]) -> list[SiteFileRead]:
    """Read and validate master-data files, touching no store: a refused file (bad YAML, an
    alias bomb, too large) neither creates a store nor waits for one. Raises MasterDataInvalid
    with the problems of every file."""
    reads: list[SiteFileRead] = []
    problems = []
    for path in paths:
        try:
            reads.append(read_site_file(path))
        except MasterDataInvalid as invalid:
            problems.extend(invalid.problems)
    if problems:
        raise MasterDataInvalid(problems)
    return reads


def prepare(db: Database, reads: Sequence[SiteFileRead]) -> list[SiteFileRead]:
    """Files read and checked (:func:`read_all`) with the initial passwords of users the store
    does not hold yet hashed: the slow part of an import, outside any write transaction."""
    with db.unit_of_work(read_only=True) as uow:
        existing = frozenset(uow.session.scalars(select(User.id)))
    return [
        dataclasses.replace(
            read,
            password_hashes={
                user.id: hash_password(user.initial_password)
                for user in read.site.users
                if user.id not in existing and user.initial_password
            },
        )
        for read in reads
    ]


# ------------------------------------------------------------------ writing


def _values(kind: str, item: Any) -> dict[str, Any]:
    """The stored columns of one entity of the file (without the user's password)."""
    if kind == "document":
        return {"code": item.code, "revision": item.revision, "title": item.title}
    if kind == "user":
        return {"id": item.id, "name": item.name, "roles": sorted(item.roles), "badge": item.badge}
    if kind == "training":
        return {
            "user_id": item.user,
            "document_code": item.document,
            "revision": item.revision,
            "trained_on": item.trained_on,
            "expires": item.expires,
        }
    if kind == "material":
        gtin = None if item.gtin is None else item.gtin.zfill(14)
        return {"code": item.code, "name": item.name, "gtin": gtin}
    if kind == "lot":
        return {
            "material_code": item.material,
            "lot": item.lot,
            "status": item.status,
            "expiry": item.expiry,
            "retest": item.retest,
        }
    if kind == "password_policy":
        return {
            "id": SITE,
            "min_length": item.min_length,
            "min_classes": item.character_classes,
            "history": item.history,
            "max_age_days": item.max_age_days,
        }
    scale = item.scale
    return {
        "id": item.id,
        "equipment_class": item.equipment_class,
        "name": item.name,
        "status": item.status,
        "calibrated_until": item.calibrated_until,
        "clean_until": None if item.clean_until is None else item.clean_until.astimezone(dt.UTC),
        "daily_check_until": None
        if item.daily_check_until is None
        else item.daily_check_until.astimezone(dt.UTC),
        "scale_capacity": scale.capacity if scale else None,
        "scale_readability": scale.readability if scale else None,
        "scale_unit": scale.unit if scale else None,
        # Columns added later are written only when the file gives them: a file without them
        # (written before they existed) imports as it always has.
        **({"serial_number": item.serial_number} if item.serial_number is not None else {}),
        **({"scale_min_weight": scale.min_weight} if scale and scale.min_weight is not None else {}),
    }


#: Each kind of master data (``ebr.master_seal.KINDS``: table and key) with its section of the file.
_SECTIONS = {"document": "documents", "user": "users", "training": "training", "material": "materials",
             "lot": "lots", "equipment": "equipment", "password_policy": "password_policy"}  # fmt: skip


def _same(old: Any, new: Any) -> bool:
    return bool(old == new)


class ImportRefused(NotAllowed):
    """The importer may not make some of the file's changes (``problems``: one line each,
    naming the file, the entity and the role it needs). Nothing of the file is written."""

    def __init__(self, problems: list[str], code: str = "role_required") -> None:
        super().__init__(problems[0] if problems else "import refused", code)
        self.problems = problems


#: Who may change what: users and their roles, and the password policy, are an administrator's; a lot's status (its
#: release) is QA's decision; the rest of the site's master data is QA's or an administrator's.
def roles_needed(kind: str, fields: Set[str], *, added: bool) -> tuple[str, ...]:
    if kind in ("user", "password_policy"):
        return ("admin",)
    if kind == "lot" and (added or "status" in fields):
        return ("qa",)
    return ("qa", "admin")


@dataclass(frozen=True)
class Importer:
    """Who imports: an authenticated user and their roles, or the bootstrap (``None`` id):
    the very first import into a store without users, which nobody can have signed."""

    user_id: str | None
    roles: frozenset[str] = frozenset()
    #: Where the data comes from when it is not a file imported here: the reason of every
    #: event says it (a hub's signed delta: its version, signer and key).
    source: str | None = None

    @property
    def is_bootstrap(self) -> bool:
        return self.user_id is None


BOOTSTRAP = Importer(None)


def bootstrap_allowed(uow: UnitOfWork) -> bool:
    """Whether the store has no users yet: only then may an import be the bootstrap."""
    return uow.session.scalars(select(User.id).limit(1)).first() is None


def import_master_data(
    uow: UnitOfWork, source: SiteFileRead | str | Path, importer: Importer
) -> ImportReport:
    """Import a master-data file into the store (see the module docstring): one read with
    ``prepare`` before the unit of work began, or a path (read here, inside it). The caller
    commits. Raises ImportRefused when the importer lacks a role a change needs. A bootstrap
    import is for a store without users: check ``bootstrap_allowed`` first, in the same unit
    of work (the files of one bootstrap may follow each other)."""
    read = source if isinstance(source, SiteFileRead) else read_site_file(source)
    session = uow.session
    refused: list[str] = []
    user_id = importer.user_id

    def allowed(kind: str, entity: str, fields: Set[str], *, added: bool) -> bool:
        if importer.is_bootstrap:
            return True
        needed = roles_needed(kind, fields, added=added)
        if importer.roles & set(needed):
            return True
        what = "add" if added else f"change {', '.join(sorted(fields))} of"
        refused.append(
            f"{read.path}: {kind} {entity}: {user_id} may not {what} it: needs the role {' or '.join(needed)}"
        )
        return False

    known = Known(
        users=frozenset(session.scalars(select(User.id))),
        documents=frozenset(session.scalars(select(Document.code))),
        materials=frozenset(session.scalars(select(Material.code))),
    )
    site = read.checked(known)
    digest = read.sha256
    reason = f"master data import {read.path.name} sha256:{digest}"
    if importer.source is not None:
        reason = f"{importer.source} sha256:{digest}"
    elif importer.is_bootstrap:
        reason = f"bootstrap {reason}"
    added = changed = unchanged = 0
    for master in KINDS:
        kind, model, key, table = master.name, master.model, master.key, master.table
        section = getattr(site, _SECTIONS[kind])
        for item in section if isinstance(section, list) else [section] if section else []:
            values = _values(kind, item)
            entity_id = master.entity_of(values)
            row = session.scalars(select(model).where(*(table.c[k] == values[k] for k in key))).one_or_none()
            if row is None:
                if not allowed(kind, entity_id, set(values), added=True):
                    continue
                row = model(**values)
                if kind == "user":
                    password = item.initial_password
                    hashed = read.password_hashes.get(item.id) or (
                        hash_password(password) if password else None
                    )
                    row.password_hash = hashed  # type: ignore[attr-defined]
                    if hashed:
                        remember(session, item.id, hashed)
                    row.must_change_password = True  # type: ignore[attr-defined]
                    row.failed_attempts, row.locked, row.active = 0, False, True  # type: ignore[attr-defined]
                session.add(row)
                session.flush()
                seal = seal_of(row, uow.connection.dialect)
                added_event = ev.MasterDataChanged(
                    kind=kind, entity=entity_id, change="added", after=values, note=reason, seal=seal
                )
                uow.write(added_event, stream=SITE_STREAM, user_id=user_id)
                added += 1
                continue
            old = {k: getattr(row, k) for k in values if not _same(getattr(row, k), values[k])}
            if not old:
                unchanged += 1
                continue
            new = {k: values[k] for k in old}
            if not allowed(kind, entity_id, set(old), added=False):
                continue
            for k, v in new.items():
                setattr(row, k, v)
            session.flush()
            seal = seal_of(row, uow.connection.dialect)
            changed_event = ev.MasterDataChanged(
                kind=kind, entity=entity_id, change="changed", before=old, after=new, note=reason, seal=seal
            )
            uow.write(changed_event, stream=SITE_STREAM, user_id=user_id)
            changed += 1
    if refused:
        raise ImportRefused(refused)
    return ImportReport(added, changed, unchanged, digest)
