"""The station's pull of master data from the hub: signed deltas, verified, applied in order.

``pull_once`` asks the hub for the deltas after the last version the station applied
(``master_pulls``), verifies every one of the page against the pinned hub key and checks that
the versions follow on without a gap before applying any; then applies each in its own
transaction through the station's own importer (``ebr.masterdata``), attributed to the central
user who signed it at the hub (with that user's roles, so the station's role rules hold too) and
naming the hub's delta in every event's reason, and records the delta in ``master_pulls`` in that
same transaction. A delta that does not verify, skips a version, or that the station's importer
refuses is applied not at all, and raised as an alarm (``sync_alarms``).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, insert, select

from ebr import clock
from ebr.chain import utc_iso
from ebr.database import Database
from ebr.masterdata import Importer, ImportRefused, MasterDataInvalid, import_master_data
from ebr.site_file import read_site_text
from ebr.sync.masterdelta import Delta, DeltaInvalid, verified
from ebr.sync_models import MasterPull, SyncAlarm

log = logging.getLogger(__name__)


class DeltaRefused(Exception):
    """A delta refused by the station: ``alarm`` is the kind raised."""

    def __init__(self, message: str, alarm: str) -> None:
        super().__init__(message)
        self.alarm = alarm


def last_version(db: Database) -> int:
    with db.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(select(func.coalesce(func.max(MasterPull.version), 0))).scalar_one()
        )


def last_pull(uow: Any) -> tuple[int, str | None, str] | None:
    """The last delta applied: its version, who signed it at the hub, and when."""
    row = uow.connection.execute(
        select(MasterPull.version, MasterPull.signer_id, MasterPull.signed_at)
        .order_by(MasterPull.version.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), None if row[1] is None else str(row[1]), str(row[2]))


def check_page(items: Any, after: int, hub_key: Ed25519PublicKey) -> list[tuple[Delta, str]]:
    """Every delta of a pull's answer verified, the versions following ``after`` without a gap:
    the deltas with their signatures. Raises DeltaRefused at the first one that fails."""
    if not isinstance(items, list):
        raise DeltaRefused("the hub's answer holds no list of deltas", "delta_invalid")
    page: list[tuple[Delta, str]] = []
    expected = after + 1
    for item in items:
        if not isinstance(item, dict):
            raise DeltaRefused("a delta in the hub's answer is not an object", "delta_invalid")
        try:
            delta = verified(item.get("body"), item.get("signature"), hub_key)
        except DeltaInvalid as exc:
            raise DeltaRefused(f"master-data delta {item.get('version')!r}: {exc}", "delta_invalid") from None
        if delta.version != expected:
            raise DeltaRefused(
                f"master-data delta {delta.version} follows version {expected - 1}: a version is missing",
                "delta_gap",
            )
        page.append((delta, str(item["signature"])))
        expected += 1
    return page


def source_of(delta: Delta) -> str:
    """What every event of an applied delta says of where it came from."""
    who = (
        "the hub's bootstrap import"
        if delta.signer_id is None
        else f"signed at the hub by {delta.signer_id} ({delta.signer_name})"
    )
    return (
        f"hub master data v{delta.version}, {who} at {delta.signed_at} (hub key {delta.key_id}), "
        f"from {delta.source_file} sha256:{delta.source_sha256}; delta"
    )


def apply(db: Database, delta: Delta, signature: str) -> int:
    """Apply one verified delta and record it, in one transaction; the events it wrote.
    Raises DeltaRefused (nothing applied) when the station's importer refuses it."""
    name = f"hub-master-v{delta.version}.yaml"
    try:
        read = read_site_text(delta.document, name)
    except MasterDataInvalid as exc:
        raise DeltaRefused(f"master-data delta {delta.version}: {exc.problems[0]}", "delta_refused") from None
    read = dataclasses.replace(read, password_hashes=dict(delta.password_hashes))
    importer = Importer(delta.signer_id, frozenset(delta.signer_roles), source=source_of(delta))
    with db.unit_of_work() as uow:
        held = uow.connection.execute(select(MasterPull.version).where(MasterPull.version == delta.version))
        if held.first() is not None:  # another sync of this station applied it first
            return 0
        try:
            report = import_master_data(uow, read, importer)
        except (MasterDataInvalid, ImportRefused) as exc:
            first = exc.problems[0] if exc.problems else exc
            raise DeltaRefused(f"master-data delta {delta.version}: {first}", "delta_refused") from None
        uow.connection.execute(
            insert(MasterPull),
            {
                "version": delta.version,
                "sha256": read.sha256,
                "signer_id": delta.signer_id,
                "signed_at": delta.signed_at,
                "key_id": delta.key_id,
                "signature": signature,
                "applied_at": utc_iso(clock.utc_now()),
            },
        )
        uow.commit()
        return report.events


def pull_once(db: Database, client: httpx.Client, hub_key: Ed25519PublicKey) -> int:
    """Fetch and apply one page of deltas; how many were applied (0: the station is current).
    Raises httpx.TransportError (the hub unreachable), DeltaRefused (alarm raised), or
    ValueError for an answer that is not the hub's."""
    after = last_version(db)
    response = client.get("/v1/master/deltas", params={"after": after})
    if response.status_code != 200:
        raise ValueError(f"hub answered {response.status_code} to the master-data pull")
    try:
        items = response.json()["deltas"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("the hub's answer to the master-data pull is not its JSON") from None
    try:
        page = check_page(items, after, hub_key)
        applied = 0
        for delta, signature in page:
            apply(db, delta, signature)
            applied += 1
    except DeltaRefused as exc:
        raise_alarm_once(db, exc.alarm, str(exc))
        raise
    return applied


def raise_alarm_once(db: Database, kind: str, detail: str) -> None:
    """An alarm in ``sync_alarms``, unless the last one raised says the same (a service that
    retries a refused delta does not fill the table)."""
    with db.unit_of_work() as uow:
        last = uow.connection.execute(
            select(SyncAlarm.kind, SyncAlarm.detail).order_by(SyncAlarm.id.desc()).limit(1)
        ).first()
        if last is None or (last[0], last[1]) != (kind, detail):
            uow.connection.execute(
                insert(SyncAlarm), {"kind": kind, "detail": detail, "raised_at": utc_iso(clock.utc_now())}
            )
            log.error("sync alarm %s: %s", kind, detail)
        uow.commit()
