"""Sync lag at operator speed: event committed at the station -> the hub's receipt stored.

A station store (SQLite) writes an event every 0.2 s (an operator working fast) while the sync
worker (``ebr.sync.client.run_forever``, the same loop as ``mes-station sync``) pushes to a hub
process (``mes-station hub serve --insecure``) on PostgreSQL. Prints p50/p99/max lag.

    .venv/bin/python benchmarks/bench_sync_lag.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ebr.audit import SITE_STREAM
from ebr.database import open_database
from ebr.events import LoggedOut
from ebr.migrate import upgrade
from ebr.sync.client import HubLink, run_forever
from ebr.sync.receipts import load_public_key

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True)
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING)
    name = "bench_lag_" + uuid.uuid4().hex[:8]
    admin = make_url(args.pg).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    folder = Path(tempfile.mkdtemp())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hub = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--insecure", "--signing-key", str(folder / "k"),
         "--db", make_url(args.pg).set(database=name).render_as_string(hide_password=False),
         "--listen", f"127.0.0.1:{port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    stop = threading.Event()
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        db = open_database(f"sqlite:///{folder / 'station.db'}", create=True)
        upgrade(db)
        link = HubLink(f"http://127.0.0.1:{port}", load_public_key(folder / "k.pub"), insecure=True)
        worker = threading.Thread(target=run_forever, args=(db, link, "BENCH-1", stop), daemon=True)
        worker.start()
        committed: dict[int, float] = {}
        lags: list[float] = []
        writing = threading.Event()
        writing.set()

        def watch() -> None:  # polls the cursor while the operator works
            while writing.is_set() or committed:
                with db.unit_of_work(read_only=True) as uow:
                    acked = int(uow.connection.execute(text("SELECT acked_seq FROM sync_state")).scalar_one())
                now = time.perf_counter()
                for seq in [s for s in list(committed) if s <= acked]:
                    lags.append(now - committed.pop(seq))
                time.sleep(0.005)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        for _ in range(args.events):
            with db.unit_of_work() as uow:
                info, _row = uow.write(
                    LoggedOut(user="op.bench", station="BENCH-1"), stream=SITE_STREAM, user_id="op.bench"
                )
                uow.commit()
                committed[int(info.seq)] = time.perf_counter()
            time.sleep(args.interval)
        writing.clear()
        watcher.join(timeout=30)
        pending = committed
        stop.set()
        worker.join(timeout=10)
        lags.sort()
        print(f"{len(lags)} events at one per {args.interval} s; {len(pending)} not acknowledged")
        print(
            f"lag commit -> receipt stored: p50 {statistics.median(lags) * 1000:.0f} ms, "
            f"p99 {lags[min(len(lags) - 1, int(len(lags) * 0.99))] * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms"
        )
    finally:
        stop.set()
        hub.terminate()
        hub.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
