"""Master data at the hub: a file imported under a QA or admin user's e-signature, kept as a
signed, versioned delta that stations pull (``ebr.sync.masterdelta``).

The hub's store has the station's schema, so an import into the hub is the station's import
(``ebr.masterdata``): the same validation, the same role rules (users are an administrator's,
a lot's release QA's), the same audit events in the hub's own trail, and the first import into
a hub without users is the bootstrap. What the import changed becomes the next delta, signed
with the hub's key and stored insert-only in the same transaction: a delta exists exactly when
its changes were committed, and versions have no gap (the import holds the audit chain's head
lock, so two imports at once are numbered one after the other).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, insert, select, text

from ebr import clock, users
from ebr.chain import utc_iso
from ebr.database import Database
from ebr.errors import NotAllowed
from ebr.master_seal import BY_NAME
from ebr.masterdata import (
    BOOTSTRAP,
    Importer,
    ImportRefused,
    ImportReport,
    _values,
    bootstrap_allowed,
    import_master_data,
    prepare,
    read_all,
)
from ebr.models import User
from ebr.sync import masterdelta
from ebr.sync.receipts import key_id
from ebr.sync_models import HubMasterDelta

#: At most this many deltas in one answer to a station's pull, and past the first of them at
#: most this many bytes of bodies (a bootstrap of a large site is one delta of many megabytes).
PAGE = 20
PAGE_BYTES = 8 << 20


class HubImportRefused(Exception):
    """The import is refused (authentication, role, or bootstrap rules): one line, the exit code."""

    def __init__(self, message: str, code: int = 1, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.problems = problems or [message]


@dataclass(frozen=True)
class HubImport:
    report: ImportReport
    version: int | None  # the delta made, None when the file changed nothing


def has_users(db: Database) -> bool:
    with db.unit_of_work(read_only=True) as uow:
        return not bootstrap_allowed(uow)


def _entity(kind: str, item: Any) -> str:
    return BY_NAME[kind].entity_of(_values(kind, item))


def import_into_hub(
    db: Database, path: str | Path, key: Ed25519PrivateKey, *, user: str | None, password: str | None
) -> HubImport:
    """Import one master-data file into the hub and keep what it changed as the next signed
    delta. ``user`` None is the bootstrap (a hub without users). Raises MasterDataInvalid
    (the file's problems) or HubImportRefused; a refusal for who signs is on the hub's record."""
    (read,) = prepare(db, read_all([path]))
    checked = None if user is None else users.check_password(db, user, password or "")
    refused: list[str] = []
    with db.unit_of_work() as uow:
        if user is None:
            if not bootstrap_allowed(uow):
                raise HubImportRefused("hub master import: the hub has users: name who signs with --user", 2)
            importer, signer = BOOTSTRAP, None
        else:
            try:
                actor = users.authenticate_actor(
                    uow,
                    user,
                    password or "",
                    roles=("qa", "admin"),
                    what="import master data into the hub",
                    checked=checked,
                )
            except NotAllowed as exc:
                uow.commit()  # the refused attempt is on the hub's record
                raise HubImportRefused(str(exc)) from None
            importer = Importer(actor.id, frozenset(actor.roles))
            signer = {"id": actor.id, "name": actor.name, "roles": sorted(actor.roles)}
        before = uow.chain_seq()  # takes the chain head's lock: imports are numbered in turn
        try:
            report = import_master_data(uow, read, importer)
        except ImportRefused as exc:
            refused = exc.problems
        if refused:
            pass  # nothing of the file is written; the refusal is recorded below
        elif report.events == 0:
            uow.commit()
            return HubImport(report, None)
        else:
            return HubImport(report, _keep_delta(uow, read, before, signer, key, path))
    _record_refused(db, user, Path(path).name, refused)
    raise HubImportRefused(refused[0], 1, refused)


def _keep_delta(
    uow: Any,
    read: Any,
    before: int,
    signer: dict[str, Any] | None,
    key: Ed25519PrivateKey,
    path: str | Path,
) -> int:
    """Sign what the import changed as the next delta and store it (then commit)."""
    changes = _changes(uow, before)
    keep: dict[str, set[str]] = {}
    for change in changes:
        keep.setdefault(change["kind"], set()).add(change["entity"])
    added_users = [c["entity"] for c in changes if c["kind"] == "user" and c["change"] == "added"]
    hashes = dict(
        uow.connection.execute(
            select(User.id, User.password_hash).where(
                User.id.in_(added_users), User.password_hash.is_not(None)
            )
        ).all()
    )
    version = (
        int(uow.connection.execute(select(func.coalesce(func.max(HubMasterDelta.version), 0))).scalar_one())
        + 1
    )
    signed_at = utc_iso(clock.utc_now())
    delta = masterdelta.Delta(
        version=version,
        signed_at=signed_at,
        signer_id=None if signer is None else signer["id"],
        signer_name=None if signer is None else signer["name"],
        signer_roles=() if signer is None else tuple(signer["roles"]),
        source_file=Path(path).name,
        source_sha256=read.sha256,
        changes=tuple(changes),
        document=masterdelta.site_yaml(read.site, keep, _entity),
        password_hashes={str(k): str(v) for k, v in hashes.items()},
        key_id=key_id(key.public_key()),
    )
    body = delta.body()
    uow.connection.execute(
        insert(HubMasterDelta),
        {
            "version": version,
            "signed_at": signed_at,
            "signer_id": delta.signer_id,
            "key_id": delta.key_id,
            "body": body,
            "signature": masterdelta.sign(key, body),
        },
    )
    uow.commit()
    return version


def _changes(uow: Any, after: int) -> list[dict[str, Any]]:
    """What the import wrote in the hub's trail: each master-data event after ``after``."""
    rows = uow.connection.execute(
        text(
            "SELECT entity_type, entity_id, action, new_value FROM audit_events "
            "WHERE seq > :after AND action LIKE 'master.%' ORDER BY seq"
        ),
        {"after": after},
    )
    changes = []
    for kind, entity, action, new_value in rows:
        after_values = json.loads(new_value) if new_value else {}
        fields = sorted(k for k in after_values if k != "seal")
        changes.append(
            {
                "kind": str(kind),
                "entity": str(entity),
                "change": str(action).rsplit(".", 1)[1],
                "fields": fields,
            }
        )
    return changes


def _record_refused(db: Database, user: str | None, name: str, problems: list[str]) -> None:
    from ebr import events as ev

    with db.unit_of_work() as uow:
        users.record_refused(
            uow,
            user,
            tuple(("role_required", line) for line in problems[:20]),
            {"files": [name], "refused_changes": len(problems), "at": "hub"},
            attempted=ev.Attempt.MASTER_IMPORT,
            subject_type="master_data",
            subject=name,
        )
        uow.commit()


def deltas_after(db: Database, after: int, limit: int = PAGE) -> list[dict[str, Any]]:
    """The stored deltas after version ``after``, oldest first, as stored (body and signature)."""
    with db.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(HubMasterDelta.version, HubMasterDelta.body, HubMasterDelta.signature)
            .where(HubMasterDelta.version > after)
            .order_by(HubMasterDelta.version)
            .limit(limit)
        )
        page: list[dict[str, Any]] = []
        size = 0
        for version, body, signature in rows:
            size += len(body)
            if page and size > PAGE_BYTES:
                break
            page.append({"version": int(version), "body": str(body), "signature": str(signature)})
        return page
