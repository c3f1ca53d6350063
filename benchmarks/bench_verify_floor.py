"""How fast can ``ebr verify`` be on this machine? The cost of its unavoidable parts.

    python benchmarks/bench_verify_floor.py [--db sqlite:///PATH] [--events 200000] [--sample 200000]

Whatever else ``ebr verify`` does, for every audit event and for every record row an
event vouches for it must (1) turn the stored columns into the canonical text that was
hashed and (2) compute one SHA-256 over that text. This benchmark times those two parts
alone, each the cheapest way this stack offers:

- building: SQLite itself assembles the canonical text (``ebr.verify.canonical_sql``) and
  only sums the lengths, so no row reaches Python (``SELECT sum(length(...))``);
- hashing: ``hashlib.sha256`` over texts already in memory, the digest compared with the
  stored one.

It then reads the same texts as Python rows, which any check written in Python pays too,
and divides the machine's cores by the sum: the ceiling of a verifier that does nothing
else, scaled perfectly. Last, the texts are stored verbatim beside their hashes in a
file of their own and read back and hashed: the ceiling of a design in which the hashed
text is stored as it is and nothing has to be built. The real ``ebr verify`` (``bench_store.py``) is also run on the
same database for comparison. With no ``--db`` it builds a site-sized database of
``--events`` events first (``bench_store.build``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url

from benchmarks.bench_store import build
from ebr import verify as ebr_verify
from ebr.database import open_database


def _cpu_us_per(count: int, started: float) -> float:
    return (time.process_time() - started) / max(count, 1) * 1e6


def _connect(path: str) -> sqlite3.Connection:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw.execute(f"PRAGMA cache_size = -{ebr_verify.SQLITE_CACHE_KIB}")
    return raw


def _parts(raw: sqlite3.Connection, table: str, payload: str, order: str, sample: int) -> dict[str, float]:
    """CPU-µs per row, for up to ``sample`` rows: building ``payload`` in SQLite alone; building
    it and reading it into Python (``fetch``); hashing it."""
    source = f"SELECT {payload} AS p, {order} AS o FROM {table} ORDER BY {order} LIMIT {sample}"
    raw.execute(f"SELECT sum(length(p)) FROM ({source})").fetchone()  # warm the page cache
    started = time.process_time()
    count, total = raw.execute(f"SELECT count(*), sum(length(p)) FROM ({source})").fetchone()
    build_us = _cpu_us_per(count, started)
    started = time.process_time()
    texts = [row[0] for row in raw.execute(source)]
    read_us = _cpu_us_per(count, started)
    digests = [hashlib.sha256(text).hexdigest() for text in texts]
    sha256 = hashlib.sha256
    started = time.process_time()
    wrong = sum(1 for text, digest in zip(texts, digests, strict=True) if sha256(text).hexdigest() != digest)
    hash_us = _cpu_us_per(count, started)
    assert wrong == 0
    stored_us = _stored(texts, digests)
    return {
        "rows": count,
        "bytes": (total or 0) / max(count, 1),
        "build": build_us,
        "fetch": read_us,
        "hash": hash_us,
        "stored": stored_us,
    }


def _stored(texts: list[bytes], digests: list[str]) -> float:
    """CPU-µs per row of reading each text, as stored verbatim in a row beside its hash,
    and hashing it: what a verifier would pay if the hashed text were itself the record."""
    with tempfile.TemporaryDirectory(prefix="mes-bench-stored-") as folder:
        path = str(Path(folder) / "stored.db")
        writer = sqlite3.connect(path)
        writer.execute("PRAGMA page_size = 2048")
        writer.execute("CREATE TABLE stored (seq INTEGER PRIMARY KEY, hash TEXT, text BLOB)")
        writer.executemany("INSERT INTO stored (hash, text) VALUES (?, ?)", zip(digests, texts, strict=True))
        writer.commit()
        writer.close()
        raw = _connect(path)
        sha256 = hashlib.sha256
        started = time.process_time()
        count = wrong = 0
        for _seq, digest, text in raw.execute("SELECT seq, hash, text FROM stored ORDER BY seq"):
            count += 1
            wrong += sha256(text).hexdigest() != digest
        cost = _cpu_us_per(count, started)
        raw.close()
    assert wrong == 0
    return cost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a SQLite database URL (default: build one in a temporary directory)")
    parser.add_argument("--events", type=int, default=200_000, help="events to build when no --db is given")
    parser.add_argument("--sample", type=int, default=200_000, help="rows timed per table, at most")
    args = parser.parse_args(argv)
    workdir = None
    url = args.db
    if url is None:
        workdir = tempfile.mkdtemp(prefix="mes-bench-floor-")
        url = f"sqlite:///{Path(workdir) / 'floor.db'}"
        started = time.perf_counter()
        build(url, events=args.events, lots=20_000, users=2_000, training=10_000, equipment=500).dispose()
        print(f"built {args.events:,} events in {time.perf_counter() - started:.1f} s")
    path = make_url(url).database or ""
    raw = _connect(path)
    events = raw.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    event_parts = _parts(raw, "audit_events e", ebr_verify._event_payload_sql("sqlite"), "e.seq", args.sample)
    per_event = {key: event_parts[key] for key in ("build", "fetch", "hash", "stored")}
    print(
        f"audit events ({events:,}; {event_parts['rows']:,} timed, {event_parts['bytes']:.0f} bytes of text each): "
        f"built in SQLite {event_parts['build']:.2f}, built and read into Python {event_parts['fetch']:.2f}, "
        f"SHA-256 {event_parts['hash']:.2f}; stored text read and hashed {event_parts['stored']:.2f} CPU-µs per event"
    )
    records = 0
    for name, table in ebr_verify._TABLES.items():
        rows = raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if not rows:
            continue
        records += rows
        parts = _parts(
            raw, f"{name} t", ebr_verify._record_payload_sql(table, "sqlite", "t"), "t.rowid", args.sample
        )
        share = rows / events  # this table's rows per audit event
        for key in per_event:
            per_event[key] += parts[key] * share
        print(
            f"  {name} ({rows:,} rows, {parts['bytes']:.0f} bytes): build {parts['build']:.2f}, "
            f"fetch {parts['fetch']:.2f}, SHA-256 {parts['hash']:.2f}, stored {parts['stored']:.2f} CPU-µs per row"
        )
    raw.close()
    cores = os.cpu_count() or 1
    floor = per_event["build"] + per_event["hash"]
    fetched = per_event["fetch"] + per_event["hash"]
    print(
        f"per audit event, its record included ({records / events:.2f} records per event): "
        f"built in SQLite {per_event['build']:.2f} + SHA-256 {per_event['hash']:.2f} = {floor:.2f} CPU-µs; "
        f"built and read into Python {per_event['fetch']:.2f} + SHA-256 = {fetched:.2f} CPU-µs"
    )
    print(
        f"ceiling on {cores} cores, perfectly parallel: {cores / floor * 1e6:,.0f} events/s with nothing "
        f"but building and hashing, {cores / fetched * 1e6:,.0f} events/s with the reads into Python"
    )
    print(
        f"if the hashed text were stored as it is (no building): {per_event['stored']:.2f} CPU-µs per event, "
        f"ceiling {cores / per_event['stored'] * 1e6:,.0f} events/s on {cores} cores"
    )
    db = open_database(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = ebr_verify.verify(db, workers=1)
    elapsed = time.perf_counter() - started
    cpu_us = (time.process_time() - cpu_started) / events * 1e6
    db.dispose()
    print(
        f"ebr verify in one process: {report}; {events / elapsed:,.0f} events/s, {cpu_us:.2f} CPU-µs per event"
    )
    if workdir:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
