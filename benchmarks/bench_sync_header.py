"""What the touchscreen's sync watcher and the sync_stale check at StartBatch cost on a store.

The watcher reads the sync's state every second while batches run (``ebr.sync.state.snapshot``:
the chain head minus the cursor, the oldest unsent event, the alarms), and the site's limit
(``ebr.site_policy.sync_stale_limit``); StartBatch reads the limit and the oldest unsent event.
Compared in the same run with counting the unsent events as ``mes-station sync status`` does
(``ebr.sync.client.status``); and the sender's check for the chain's genesis event before
each push (``ebr.sync.identity.genesis_station``), remembered vs. read afresh. A SQLite store
of N events (site-stream events, a policy event among the first, the genesis event last),
nothing acknowledged: the worst case, everything unsent.

    .venv/bin/python benchmarks/bench_sync_header.py [--events 10000 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ebr import site_policy
from ebr.audit import SITE_STREAM
from ebr.database import Database, open_database
from ebr.events import LoggedOut
from ebr.migrate import upgrade
from ebr.sync import identity
from ebr.sync.client import status
from ebr.sync.identity import ensure_genesis, genesis_station
from ebr.sync.state import oldest_unsent_at, snapshot


def build(path: Path, events: int) -> None:
    db = open_database(f"sqlite:///{path}", create=True)
    upgrade(db)
    with db.unit_of_work() as uow:
        site_policy.set_policy(uow, site_policy.SYNC_STALE_LIMIT, "8h", user_id="qa.bench", note="bench")
        uow.commit()
    written = 1
    while written < events:
        with db.unit_of_work() as uow:
            for _ in range(min(2000, events - written)):
                uow.write(LoggedOut(user="op.bench", station="BENCH"), stream=SITE_STREAM, user_id="op.bench")
                written += 1
            uow.commit()
    with db.unit_of_work() as uow:  # identified for the hub after all of it: the worst case
        ensure_genesis(uow, "BENCH")
        uow.commit()
    db.dispose()


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"{'events':>8}  {'what':<44} {'median ms':>10} {'p99 ms':>8}")
    for events in args.events:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "store.db"
            build(path, events)
            db = open_database(f"sqlite:///{path}")
            for what, work in _readings(db):
                median, p99 = timed(work, args.repeat)
                print(f"{events:>8}  {what:<44} {median:>10.2f} {p99:>8.2f}")
            db.dispose()


def _readings(db: Database) -> list[tuple[str, Callable[[], object]]]:
    def header() -> object:
        with db.unit_of_work(read_only=True) as uow:
            return snapshot(uow), site_policy.sync_stale_limit(uow)

    def start_batch_check() -> object:
        with db.unit_of_work(read_only=True) as uow:
            return site_policy.sync_stale_limit(uow), oldest_unsent_at(uow)

    def first_read() -> object:  # a new process: the trail is read once in full
        site_policy._SEEN.clear()
        with db.unit_of_work(read_only=True) as uow:
            return site_policy.sync_stale_limit(uow)

    def genesis() -> object:  # before every push of the sender, also when idle (every 0.2 s)
        with db.unit_of_work(read_only=True) as uow:
            return genesis_station(uow)

    def genesis_first() -> object:
        identity._FOUND.clear()
        return genesis()

    return [
        ("sender: genesis check before a push", genesis),
        ("sender: genesis check, first in a process", genesis_first),
        ("header: snapshot + limit (every second)", header),
        ("limit, first read in a process (whole trail)", first_read),
        ("StartBatch: limit + oldest unsent", start_batch_check),
        ("sync status: count(*) of the unsent (compared)", lambda: status(db)),
    ]


if __name__ == "__main__":
    main()
