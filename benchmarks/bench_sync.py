"""Hub ingest: N simulated stations pushing runs of events at once to one hub process.

Each station is a thread with its own chain (hashes made with ebr.chain) and its own HTTP
connection; the hub (``mes-station hub serve --insecure``) checks every hash and stores every
event in PostgreSQL. Prints events/s and the p50/p99 push latency for each station count.

    .venv/bin/python benchmarks/bench_sync.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
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

import httpx
import psycopg
from sqlalchemy.engine import make_url

from ebr.chain import GENESIS, canonical, event_hash, utc_iso

ROOT = Path(__file__).resolve().parents[1]


def _chain(count: int) -> list[dict[str, object]]:
    events, prev = [], GENESIS
    now = utc_iso(__import__("datetime").datetime.now(__import__("datetime").UTC))
    for seq in range(1, count + 1):
        event: dict[str, object] = {
            "seq": seq, "uid": str(uuid.uuid4()), "stream": f"B-{seq // 200}", "stream_seq": seq % 200 + 1,
            "occurred_at": now, "user_id": "op.alvarez", "action": "step.confirm", "outcome": "accepted",
            "entity_type": "step", "entity_id": f"S{seq % 40}", "old_value": None,
            "new_value": {"step": f"S{seq % 40}", "note": "confirmed at the line"}, "reason": None,
            "record_table": None, "record_uid": None, "record_hash": None, "prev_hash": prev,
        }  # fmt: skip
        event["hash"] = event_hash(event)
        event["record"] = None
        prev = str(event["hash"])
        events.append(event)
    return events


def _station(url: str, events: list[dict[str, object]], run: int, latencies: list[float]) -> None:
    chain = str(uuid.uuid4())
    with httpx.Client(base_url=url, timeout=60) as client:
        for start in range(0, len(events), run):
            body = canonical(
                {"chain_id": chain, "station_id": chain[:8], "events": events[start : start + run]}
            )
            began = time.perf_counter()
            answer = client.post(f"/v1/chains/{chain}/events", content=body)
            latencies.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="a PostgreSQL server URL where databases may be made")
    parser.add_argument("--events", type=int, default=4000, help="events per station")
    parser.add_argument("--run", type=int, default=500, help="events per push")
    parser.add_argument("--stations", default="1,5,20")
    args = parser.parse_args()
    name = "bench_hub_" + uuid.uuid4().hex[:8]
    admin = make_url(args.pg).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    db = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key = Path(tempfile.mkdtemp()) / "receipts.key"
    hub = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--insecure", "--db", db, "--signing-key", str(key),
         "--listen", f"127.0.0.1:{port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        chain = _chain(args.events)
        print(f"{args.events} events per station, {args.run} per push, hub: 1 process, PostgreSQL")
        for count in (int(n) for n in args.stations.split(",")):
            latencies: list[float] = []
            threads = [
                threading.Thread(
                    target=_station, args=(f"http://127.0.0.1:{port}", chain, args.run, latencies)
                )
                for _ in range(count)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.perf_counter() - began
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(
                f"{count:3d} stations: {count * args.events / took:8.0f} events/s, push p50 "
                f"{statistics.median(latencies) * 1000:6.0f} ms, p99 {p99 * 1000:6.0f} ms ({len(latencies)} pushes)"
            )
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
