"""The chain's identity: the id the migration gave it, and its genesis event for the hub."""

from __future__ import annotations

from sqlalchemy import select, text

from ebr.audit import SITE_STREAM
from ebr.events import ChainIdentified
from ebr.sync_models import ChainIdentity
from ebr.uow import UnitOfWork


def chain_id(uow: UnitOfWork) -> str:
    return str(uow.session.scalars(select(ChainIdentity.chain_id).where(ChainIdentity.id == 1)).one())


def genesis_station(uow: UnitOfWork) -> str | None:
    """The station id the genesis event recorded (None before the first sync)."""
    row = uow.connection.execute(
        text("SELECT new_value FROM audit_events WHERE action = :action ORDER BY seq LIMIT 1"),
        {"action": ChainIdentified.ACTION},
    ).first()
    if row is None:
        return None
    import json

    return str(json.loads(row[0])["station"])


def ensure_genesis(uow: UnitOfWork, station_id: str) -> str:
    """Record the genesis event once (the caller commits); the station id it holds. A store
    already identified keeps its station id: a chain never changes hands."""
    found = genesis_station(uow)
    if found is not None:
        return found
    uow.write(ChainIdentified(chain_id=chain_id(uow), station=station_id), stream=SITE_STREAM, user_id=None)
    return station_id
