"""Backup benchmark: ``mes-station db backup`` of a store of a million events.

    python benchmarks/bench_backup.py [--events 1000000] [--db sqlite:///PATH]

Seeds a site-sized SQLite store with bench_store's bulk writer (or uses --db), then runs
``mes-station db backup`` in a fresh process, as the backup timer does, and prints the time
it took, the copy's size, and in the same run a plain file copy of the store (the floor for
copying it at all) and ``ebr verify`` alone (what checking the copy costs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_store import build  # noqa: E402


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env={**os.environ, "MES_STATION_CONFIG": ""})
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing SQLite store (default: seed one)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mes-bench-backup-"))
    try:
        url = args.db
        if url is None:
            url = f"sqlite:///{work / 'station.db'}"
            started = time.perf_counter()
            build(
                url, events=args.events, lots=100_000, users=10_000, training=50_000, equipment=2_000
            ).dispose()
            print(f"seeded {args.events:,} events in {time.perf_counter() - started:.1f} s")
        store = Path(url.removeprefix("sqlite:///"))
        program = str(Path(sys.executable).with_name("mes-station"))
        started = time.perf_counter()
        shutil.copyfile(store, work / "plain-copy.db")
        plain = time.perf_counter() - started
        (work / "plain-copy.db").unlink()
        verify = timed([program, "ebr", "verify", "--db", url])
        backup = timed([program, "db", "backup", str(work / "backup.db"), "--db", url])
        size = (work / "backup.db").stat().st_size
        print(f"store {store.stat().st_size / 1e6:.0f} MB; load average {os.getloadavg()[0]:.2f}")
        print(f"db backup (copy + quick_check + verify + manifest): {backup:.1f} s, {size / 1e6:.0f} MB")
        print(f"  same run: plain file copy {plain:.1f} s; ebr verify alone {verify:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
