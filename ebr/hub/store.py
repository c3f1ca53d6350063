"""The hub's store: take a run into a chain, or refuse it and say why.

Everything a push does happens in one transaction that holds the chain's row lock
(``SELECT ... FOR UPDATE``), so two hub processes never append to one chain at once, and a
run is stored whole or not at all. A refusal that is more than bad input (a run whose hashes
differ from what the hub holds: a fork or a tampered store; a chain pushed by another station)
is written to ``hub_alarms`` in a transaction of its own, so it stays when the run does not.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ebr import clock
from ebr.chain import GENESIS, canonical, utc_iso
from ebr.database import Database
from ebr.hub import deviations
from ebr.sync import receipts
from ebr.sync.protocol import Run, RunInvalid, check_run
from ebr.sync_models import HubAlarm, HubChain, HubEvent

log = logging.getLogger(__name__)


class Refused(Exception):
    """A push refused: the HTTP status and one line that says why. (Not a frozen dataclass: an
    exception raised inside a ``with`` block gets its traceback assigned on the way out.)"""

    def __init__(self, status: int, message: str, alarm: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.alarm = alarm  # the alarm kind raised, if any

    def __str__(self) -> str:
        return self.message


def _now() -> str:
    return utc_iso(clock.utc_now())


def raise_alarm(db: Database, chain_id: str, station_id: str, kind: str, detail: str) -> None:
    with db.unit_of_work() as uow:
        uow.connection.execute(
            insert(HubAlarm),
            {
                "chain_id": chain_id,
                "station_id": station_id,
                "kind": kind,
                "detail": detail,
                "raised_at": _now(),
            },
        )
        uow.commit()
    log.warning("alarm %s on chain %s (station %s): %s", kind, chain_id, station_id, detail)


def _lock_chain(uow: Any, run: Run, station_id: str) -> tuple[str, int, str]:
    connection = uow.connection
    values = {
        "chain_id": run.chain_id,
        "station_id": station_id,
        "head_seq": 0,
        "head_hash": GENESIS,
        "created_at": _now(),
    }
    statement: Any
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(HubChain).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(HubChain).values(values).on_conflict_do_nothing()
    connection.execute(statement)
    row = connection.execute(
        select(HubChain.station_id, HubChain.head_seq, HubChain.head_hash)
        .where(HubChain.chain_id == run.chain_id)
        .with_for_update()
    ).one()
    return str(row[0]), int(row[1]), str(row[2])


def ingest(
    db: Database, run: Run, station_id: str, key: Ed25519PrivateKey
) -> tuple[list[receipts.Receipt], list[deviations.CentralNumber]]:
    """Store what of ``run`` the hub does not hold yet; the receipts for the run's last event and
    for the last event of each stream in it, and the central numbers of the deviations opened in
    it (``ebr.hub.deviations``). Raises :class:`Refused`."""
    try:
        check_run(run.events)
    except RunInvalid as exc:
        raise Refused(422, f"run {run.first}..{run.last}: {exc}") from None
    alarm: tuple[str, str] | None = None
    with db.unit_of_work() as uow:
        owner, head_seq, head_hash = _lock_chain(uow, run, station_id)
        if owner != station_id:
            alarm = ("foreign_chain", f"station {station_id} pushed chain {run.chain_id} of station {owner}")
        elif run.first > head_seq + 1:
            raise Refused(
                409,
                f"gap: the hub holds chain {run.chain_id} up to seq {head_seq}, the run starts at {run.first}",
            )
        else:
            held = _held_hashes(uow, run, head_seq)
            for event in run.events:
                seq = event["seq"]
                if seq <= head_seq and held.get(seq) != event["hash"]:
                    alarm = (
                        "fork",
                        f"seq {seq}: the hub holds hash {held.get(seq)}, the station sent {event['hash']}",
                    )
                    break
            else:
                before = run.first - 1
                known = (
                    head_hash if before == head_seq else held.get(before, GENESIS if before == 0 else None)
                )
                if known != run.events[0]["prev_hash"]:
                    alarm = (
                        "fork",
                        f"seq {run.first}: prev_hash differs from the hub's seq {before} ({known})",
                    )
        if alarm is None:
            received_at = _now()
            fresh = [e for e in run.events if e["seq"] > head_seq]
            if fresh:
                uow.connection.execute(
                    insert(HubEvent),
                    [
                        {
                            "chain_id": run.chain_id,
                            "seq": e["seq"],
                            "uid": e["uid"],
                            "stream": e["stream"],
                            "action": e["action"],
                            "hash": e["hash"],
                            "received_at": received_at,
                            "body": canonical(e),
                        }
                        for e in fresh
                    ],
                )
                deviations.assign(uow.connection, run.chain_id, fresh, received_at)
                uow.connection.execute(
                    text("UPDATE hub_chains SET head_seq = :seq, head_hash = :hash WHERE chain_id = :chain"),
                    {"seq": fresh[-1]["seq"], "hash": fresh[-1]["hash"], "chain": run.chain_id},
                )
            wanted = _receipt_seqs(run.events)
            stamps = _received_at(uow, run.chain_id, wanted, {e["seq"]: received_at for e in fresh})
            numbers = deviations.signed_numbers(uow.connection, run.chain_id, run.events, key)
            uow.commit()
            hashes = {e["seq"]: e["hash"] for e in run.events}
            given = [
                receipts.sign(key, run.chain_id, seq, hashes[seq], stamps[seq]) for seq in sorted(wanted)
            ]
            return given, numbers
    kind, detail = alarm
    raise_alarm(db, run.chain_id, station_id, kind, detail)
    status = 403 if kind == "foreign_chain" else 409
    raise Refused(status, f"{kind}: {detail}", alarm=kind)


def _held_hashes(uow: Any, run: Run, head_seq: int) -> dict[int, str]:
    low, high = max(run.first - 1, 1), min(run.last, head_seq)
    if high < low:
        return {}
    rows = uow.connection.execute(
        select(HubEvent.seq, HubEvent.hash).where(
            HubEvent.chain_id == run.chain_id, HubEvent.seq >= low, HubEvent.seq <= high
        )
    )
    return {int(seq): str(hash_) for seq, hash_ in rows}


def _receipt_seqs(events: list[dict[str, Any]]) -> set[int]:
    last_of_stream: dict[str, int] = {}
    for event in events:
        last_of_stream[event["stream"]] = event["seq"]
    return {events[-1]["seq"], *last_of_stream.values()}


def _received_at(uow: Any, chain_id: str, seqs: set[int], fresh: dict[int, str]) -> dict[int, str]:
    stamps = {seq: fresh[seq] for seq in seqs if seq in fresh}
    rest = [seq for seq in seqs if seq not in stamps]
    if rest:
        rows = uow.connection.execute(
            select(HubEvent.seq, HubEvent.received_at).where(
                HubEvent.chain_id == chain_id, HubEvent.seq.in_(rest)
            )
        )
        stamps.update({int(seq): str(at) for seq, at in rows})
    return stamps
