"""The chain's identity: the id the migration gave it, and its genesis event for the hub."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select, text

from ebr.audit import SITE_STREAM
from ebr.events import ChainIdentified
from ebr.sync_models import ChainIdentity
from ebr.uow import UnitOfWork


def chain_id(uow: UnitOfWork) -> str:
    return str(uow.session.scalars(select(ChainIdentity.chain_id).where(ChainIdentity.id == 1)).one())


#: Store URL -> (seq, hash, station) of its genesis event: the sync asks before every push, and
#: finding the event means reading the trail up to it (a station may have written for years
#: before its first sync); a store replaced under its name no longer holds that seq and hash.
_FOUND: dict[str, tuple[int, str, str]] = {}
_FOUND_LOCK = threading.Lock()


def genesis_station(uow: UnitOfWork) -> str | None:
    """The station id the genesis event recorded (None before the first sync)."""
    key = str(uow.connection.engine.url)
    with _FOUND_LOCK:
        found = _FOUND.get(key)
    if found is not None:
        still = uow.connection.execute(
            text("SELECT hash FROM audit_events WHERE seq = :seq"), {"seq": found[0]}
        ).first()
        if still is not None and still[0] == found[1]:
            return found[2]
    row = uow.connection.execute(
        text("SELECT seq, hash, new_value FROM audit_events WHERE action = :action ORDER BY seq LIMIT 1"),
        {"action": ChainIdentified.ACTION},
    ).first()
    if row is None:
        return None
    station = str(json.loads(row[2])["station"])
    with _FOUND_LOCK:
        _FOUND[key] = (int(row[0]), str(row[1]), station)
    return station


def ensure_genesis(uow: UnitOfWork, station_id: str) -> str:
    """Record the genesis event once (the caller commits); the station id it holds. A store
    already identified keeps its station id: a chain never changes hands."""
    found = genesis_station(uow)
    if found is not None:
        return found
    uow.write(ChainIdentified(chain_id=chain_id(uow), station=station_id), stream=SITE_STREAM, user_id=None)
    return station_id
