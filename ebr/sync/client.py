"""The push client: the outbox to the hub, run by run, each answered by signed receipts.

A run is the events after the cursor (``ebr.outbox``), at most ``batch`` of them. The receipts
that come back are checked against the pinned hub key and against the station's own chain,
then stored with the cursor moved, in one transaction. Nothing is lost or sent twice across a
crash at either end or a response lost after the hub stored the run: the cursor moves only
with the receipts, and the hub answers a resent run with the same receipts.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, text

from ebr import clock, outbox
from ebr.chain import utc_iso
from ebr.database import Database
from ebr.hub.deviations import NumberInvalid
from ebr.sync import anchoring, central_numbers, masterpull
from ebr.sync.identity import chain_id, ensure_genesis, genesis_station
from ebr.sync.protocol import wire_event
from ebr.sync.receipts import Receipt, ReceiptInvalid, check
from ebr.sync.tls import own_certificate_problem, unreachable_hint
from ebr.sync_models import SyncAlarm

log = logging.getLogger(__name__)


class HubUnreachable(Exception):
    """No answer from the hub (down, cut, timed out): try again later, nothing is lost."""


class SyncRefused(Exception):
    """The hub refused a run, or answered with what the station refuses: ``alarm`` names what a
    person must look at (``fork``, ``foreign_chain``, ``receipt_invalid``), None for plain input."""

    def __init__(self, message: str, alarm: str | None = None) -> None:
        super().__init__(message)
        self.alarm = alarm


@dataclass(frozen=True)
class HubLink:
    url: str  # https://host:port (or http:// with insecure)
    hub_key: Ed25519PublicKey
    certificate: Path | None = None
    key: Path | None = None
    ca: Path | None = None
    insecure: bool = False
    timeout_s: float = 10.0

    def client(self) -> httpx.Client:
        if self.url.startswith("http://"):
            if not self.insecure:
                raise SyncRefused("plain HTTP to the hub needs --insecure (a demo only)")
            return httpx.Client(base_url=self.url, timeout=self.timeout_s)
        if self.certificate is None or self.key is None or self.ca is None:
            raise SyncRefused("mutual TLS needs the station's certificate, its key and the hub's CA")
        problem = own_certificate_problem(self.certificate)
        if problem:
            raise SyncRefused(problem)
        context = ssl.create_default_context(cafile=str(self.ca))
        context.load_cert_chain(str(self.certificate), str(self.key))
        return httpx.Client(base_url=self.url, timeout=self.timeout_s, verify=context)


def raise_alarm(db: Database, kind: str, detail: str) -> None:
    with db.unit_of_work() as uow:
        uow.connection.execute(
            insert(SyncAlarm), {"kind": kind, "detail": detail, "raised_at": utc_iso(clock.utc_now())}
        )
        uow.commit()
    log.error("sync alarm %s: %s", kind, detail)


def identify(db: Database, station_id: str) -> str:
    """The genesis event written if it is not yet (once per sync, not per push: it takes the
    store's write lock); the station id the chain holds."""
    with db.unit_of_work(read_only=True) as uow:
        found = genesis_station(uow)
    if found is not None:
        return found
    with db.unit_of_work() as uow:
        station = ensure_genesis(uow, station_id)
        uow.commit()
    return station


def push_once(
    db: Database,
    link: HubLink,
    station_id: str,
    client: httpx.Client,
    batch: int = 500,
    *,
    identified: bool = False,
) -> int:
    """Push one run; the number of events the hub acknowledged (0: nothing was unsent).
    ``identified``: the caller has run :func:`identify`, and ``station_id`` is what it gave."""
    station = station_id if identified else identify(db, station_id)
    with db.unit_of_work(read_only=True) as uow:
        chain = chain_id(uow)
        items = outbox.pending(uow, limit=batch)
    if not items:
        return 0
    events = [wire_event(item.event, item.record) for item in items]
    body = {"chain_id": chain, "station_id": station, "events": events}
    try:
        response = client.post(f"/v1/chains/{chain}/events", json=body)
    except httpx.TransportError as exc:
        hint = unreachable_hint(link.url, exc)
        raise HubUnreachable(f"hub unreachable: {type(exc).__name__}: {exc}{hint}") from None
    if response.status_code in (409, 403):
        message = _error_of(response)
        kind = (
            message.split(":", 1)[0] if message.split(":", 1)[0] in ("fork", "foreign_chain") else "refused"
        )
        raise_alarm(db, kind, f"hub answered {response.status_code}: {message}")
        raise SyncRefused(f"hub refused the run {items[0].seq}..{items[-1].seq}: {message}", alarm=kind)
    if response.status_code >= 500:
        raise HubUnreachable(f"hub answered {response.status_code}: {_error_of(response)}")
    if response.status_code != 200:
        raise SyncRefused(
            f"hub refused the run {items[0].seq}..{items[-1].seq} ({response.status_code}): {_error_of(response)}"
        )
    hashes = {item.seq: item.event["hash"] for item in items}
    try:
        answer = response.json()
        given = [Receipt.from_json(r) for r in answer["receipts"]]
        for receipt in given:
            check(receipt, link.hub_key)
            if receipt.chain_id != chain or hashes.get(receipt.seq) != receipt.hash:
                raise ReceiptInvalid(f"receipt for seq {receipt.seq} does not name this chain's event")
        numbers = central_numbers.checked(answer.get("deviation_numbers", []), chain, items, link.hub_key)
    except (ReceiptInvalid, NumberInvalid, ValueError, KeyError, TypeError) as exc:
        raise_alarm(db, "receipt_invalid", str(exc))
        raise SyncRefused(
            f"the hub's answer is not a valid receipt: {exc}", alarm="receipt_invalid"
        ) from None
    top = max((r.seq for r in given), default=0)
    if top != items[-1].seq:
        raise SyncRefused(f"the hub acknowledged up to {top}, the run ended at {items[-1].seq}")
    with db.unit_of_work() as uow:
        anchoring.store(uow, given)
        central_numbers.store(uow, numbers)
        outbox.acknowledge(uow, top)
        uow.commit()
    return len(items)


def _error_of(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"])
    except Exception:
        return response.text[:200]


def sync_until_caught_up(db: Database, link: HubLink, station_id: str, batch: int = 500) -> int:
    """Push until nothing is unsent, then pull the master data the hub has and the station has
    not applied yet; the number of events acknowledged."""
    total = 0
    with link.client() as client:
        station = identify(db, station_id)
        while True:
            sent = push_once(db, link, station, client, batch, identified=True)
            total += sent
            if sent == 0 and pull_master(db, link, client) == 0:
                return total  # the master data applied is pushed in turn: its events are records


def pull_master(db: Database, link: HubLink, client: httpx.Client) -> int:
    """One page of the hub's master-data deltas applied (``ebr.sync.masterpull``); how many."""
    try:
        return masterpull.pull_once(db, client, link.hub_key)
    except httpx.TransportError as exc:
        raise HubUnreachable(f"hub unreachable: {type(exc).__name__}: {exc}") from None
    except masterpull.DeltaRefused as exc:
        raise SyncRefused(f"master data refused: {exc}", alarm=exc.alarm) from None
    except ValueError as exc:
        raise HubUnreachable(str(exc)) from None


@dataclass(frozen=True)
class SyncStatus:
    chain_id: str
    station_id: str | None
    last_receipt: Receipt | None
    unsent: int
    oldest_unsent_at: str | None
    alarms: list[tuple[str, str, str]]
    #: The last master-data delta applied: (version, signer, signed_at), None before the first.
    master: tuple[int, str | None, str] | None = None

    def oldest_unsent_age_s(self, now: dt.datetime | None = None) -> float | None:
        if self.oldest_unsent_at is None:
            return None
        at = dt.datetime.fromisoformat(self.oldest_unsent_at.replace("Z", "+00:00"))
        return ((now or clock.utc_now()) - at).total_seconds()


def status(db: Database) -> SyncStatus:
    from ebr.sync.identity import genesis_station

    with db.unit_of_work(read_only=True) as uow:
        cursor = outbox.cursor(uow)
        row = uow.connection.execute(
            text("SELECT count(*), min(occurred_at) FROM audit_events WHERE seq > :c"), {"c": cursor}
        ).one()
        alarms = [
            (str(a), str(b), str(c))
            for a, b, c in uow.connection.execute(
                text("SELECT raised_at, kind, detail FROM sync_alarms ORDER BY id")
            )
        ]
        return SyncStatus(
            chain_id(uow),
            genesis_station(uow),
            anchoring.last_receipt(uow),
            int(row[0]),
            row[1],
            alarms,
            masterpull.last_pull(uow),
        )


def run_forever(
    db: Database,
    link: HubLink,
    station_id: str,
    stop: threading.Event,
    *,
    batch: int = 500,
    idle_s: float = 0.2,
    max_backoff_s: float = 60.0,
    pull_every_s: float = 5.0,
    on_error: Callable[[Exception], Any] | None = None,
    on_pushed: Callable[[int], Any] | None = None,
) -> None:
    """The sync service: push whenever there is something unsent, pull master data when idle (at
    most every ``pull_every_s``); on a failure wait with exponential backoff and full jitter (so
    a site's stations do not all return at once). ``on_pushed`` hears of every push the hub
    answered (0: nothing was unsent)."""
    failures = 0
    client = None
    station = None
    next_pull = 0.0
    while not stop.is_set():
        try:
            if client is None:
                client = link.client()
            if station is None:
                station = identify(db, station_id)
            sent = push_once(db, link, station, client, batch, identified=True)
            if sent == 0 and time.monotonic() >= next_pull:
                while pull_master(db, link, client):
                    pass
                next_pull = time.monotonic() + pull_every_s
            failures = 0
            if on_pushed is not None:
                on_pushed(sent)
            if sent == 0:
                stop.wait(idle_s)
        except (HubUnreachable, SyncRefused) as exc:
            failures += 1
            log.warning("sync: %s", exc)
            if on_error is not None:
                on_error(exc)
            if client is not None:
                client.close()
                client = None
            stop.wait(random.uniform(0, min(max_backoff_s, 0.5 * 2**failures)))
    if client is not None:
        client.close()
