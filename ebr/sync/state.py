"""The sync's state as the station shows it, read from the store alone, and the one sender.

The header of the touchscreen shows this whichever process sends (its own worker thread, or
``mes-station sync`` as a service): what is unsent, how old the oldest unsent event is, and
any alarm raised since the hub last acknowledged something. Reading it is cheap (a few
indexed rows), so it can be polled every second or two while a batch runs.

One chain has one sender: ``SenderLock`` is held by whichever process pushes. Two senders would
not corrupt anything (the hub answers a resent run with the same receipts) but would double the
traffic and race for the cursor; the lock makes the second one watch instead.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text

from ebr import clock, outbox
from ebr.database import Database
from ebr.uow import UnitOfWork


@dataclass(frozen=True)
class Alarm:
    kind: str  # fork, foreign_chain, receipt_invalid, refused
    detail: str
    raised_at: dt.datetime


@dataclass(frozen=True)
class SyncSnapshot:
    unsent: int
    oldest_unsent_at: dt.datetime | None
    last_acknowledged_at: dt.datetime | None  # when this station last stored a receipt
    alarms: tuple[Alarm, ...]  # raised since the last acknowledgement, oldest first

    def oldest_unsent_age(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        if self.oldest_unsent_at is None:
            return None
        return max(dt.timedelta(0), (now or clock.utc_now()) - self.oldest_unsent_at)


def _parse(moment: Any) -> dt.datetime | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def oldest_unsent_at(uow: UnitOfWork) -> dt.datetime | None:
    """When the oldest event the hub has not acknowledged was written (None: all acknowledged).
    Events are numbered without gaps, so the oldest unsent is the one right after the cursor."""
    row = uow.connection.execute(
        text("SELECT occurred_at FROM audit_events WHERE seq > :c ORDER BY seq LIMIT 1"),
        {"c": outbox.cursor(uow)},
    ).first()
    return None if row is None else _parse(row[0])


def snapshot(uow: UnitOfWork) -> SyncSnapshot:
    state = uow.connection.execute(text("SELECT acked_seq, acked_at FROM sync_state WHERE id = 1")).one()
    head = uow.connection.execute(text("SELECT last_seq FROM chain_head WHERE id = 1")).first()
    acked_seq, acked_at = int(state[0]), _parse(state[1])
    unsent = max(0, (int(head[0]) if head is not None else 0) - acked_seq)
    alarms = tuple(
        Alarm(str(kind), str(detail), _parse(raised) or clock.utc_now())
        for kind, detail, raised in uow.connection.execute(
            text("SELECT kind, detail, raised_at FROM sync_alarms ORDER BY id")
        )
    )
    if acked_at is not None:  # an alarm the hub has since been answering past is history
        alarms = tuple(a for a in alarms if a.raised_at > acked_at)
    return SyncSnapshot(unsent, oldest_unsent_at(uow) if unsent else None, acked_at, alarms)


def read_snapshot(db: Database) -> SyncSnapshot:
    with db.unit_of_work(read_only=True) as uow:
        return snapshot(uow)


class SenderLock:
    """Held by the one process that pushes this store's chain to the hub.

    A SQLite store: an advisory lock (``flock``) on ``STORE.sync-sender.lock`` beside it, gone
    with the process however it ends. A PostgreSQL store: a session advisory lock, held by a
    connection of its own."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._file: IO[str] | None = None
        self._connection: Any = None

    def path(self) -> Path | None:
        if self._db.dialect != "sqlite":
            return None
        database = self._db.url.database or ""
        return None if database in ("", ":memory:") else Path(f"{database}.sync-sender.lock")

    def acquire(self) -> bool:
        """True when this process is now the sender; False when another one is."""
        if self._file is not None or self._connection is not None:
            return True
        if self._db.dialect == "postgresql":
            connection = self._db.engine.connect()
            taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(7153001)")).scalar())
            connection.commit()
            if not taken:
                connection.close()
                return False
            self._connection = connection
            return True
        path = self.path()
        if path is None:  # an in-memory store has one process by definition
            return True
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.close()  # a session lock ends with its session
            self._connection = None
