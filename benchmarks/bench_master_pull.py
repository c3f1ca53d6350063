"""Master data through the hub: a site of N lots imported into the hub (one signed delta), then
pulled and applied by a station, against the station's own import of the same file.

The hub (``mes-station hub serve --insecure``, SQLite unless ``--pg URL``) runs as its own
process; the station pulls over HTTP with the sync client's pull (``ebr.sync.masterpull``).
Prints the time of each: the hub's import (validate, write, sign the delta), the station's pull
(fetch, verify the signature, apply through the importer, record the delta), and the station's
local ``master import`` of the same file, measured in the same run.

    .venv/bin/python benchmarks/bench_master_pull.py --lots 10000
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ebr.database import open_database
from ebr.hub.master import import_into_hub
from ebr.masterdata import BOOTSTRAP, import_master_data, prepare
from ebr.migrate import upgrade
from ebr.sync import masterpull
from ebr.sync.receipts import load_public_key, new_private_key

ROOT = Path(__file__).resolve().parents[1]


def _site(path: Path, lots: int) -> None:
    lines = ["documents:", "  - {code: SOP-1, revision: 1, title: Dispensing}", "materials:"]
    materials = max(1, lots // 100)
    lines += [f"  - {{code: RM-{m:05d}, name: Material {m}}}" for m in range(materials)]
    lines.append("lots:")
    lines += [
        f"  - {{material: RM-{n % materials:05d}, lot: L{n:07d}, status: released, expiry: 2030-12-31}}"
        for n in range(lots)
    ]
    path.write_text("\n".join(lines) + "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=10000)
    parser.add_argument("--pg", help="the hub's database (default: a SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-master-"))
    site = folder / "site.yaml"
    _site(site, args.lots)
    key = new_private_key(folder / "hub.key")
    hub_url = args.pg or f"sqlite:///{folder / 'hub.db'}"

    hub = open_database(hub_url, create=True)
    upgrade(hub)
    began = time.perf_counter()
    done = import_into_hub(hub, site, key, user=None, password=None)
    hub_import = time.perf_counter() - began
    hub.dispose()
    assert done.version == 1, done

    local = open_database(f"sqlite:///{folder / 'local.db'}", create=True)
    upgrade(local)
    began = time.perf_counter()
    (read,) = prepare(local, [site])
    with local.unit_of_work() as uow:
        report = import_master_data(uow, read, BOOTSTRAP)
        uow.commit()
    local_import = time.perf_counter() - began
    local.dispose()

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--db", hub_url, "--listen", f"127.0.0.1:{port}",
         "--signing-key", str(folder / "hub.key"), "--insecure"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        station = open_database(f"sqlite:///{folder / 'station.db'}", create=True)
        upgrade(station)
        public = load_public_key(folder / "hub.key.pub")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            began = time.perf_counter()
            applied = masterpull.pull_once(station, client, public)
            pull = time.perf_counter() - began
        assert applied == 1 and masterpull.last_version(station) == 1
        station.dispose()
    finally:
        process.terminate()
        process.wait(timeout=20)
    entities = report.added
    print(f"{args.lots} lots ({entities} entities), hub on {'PostgreSQL' if args.pg else 'SQLite'}")
    print(f"  hub import (validate, write, sign the delta): {hub_import:6.2f} s")
    print(
        f"  station pull (fetch, verify, apply, record):  {pull:6.2f} s  ({entities / pull:,.0f} entities/s)"
    )
    print(
        f"  station's own master import of the file:      {local_import:6.2f} s  ({entities / local_import:,.0f} entities/s)"
    )
    print(f"  pull / local import: {pull / local_import:.2f}x")


if __name__ == "__main__":
    main()
