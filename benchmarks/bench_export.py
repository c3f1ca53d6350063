"""Export times and memory for a large synthetic batch: 500 steps, 5,000 audit events.

    .venv/bin/python benchmarks/bench_export.py [--steps 500] [--events 5000] [--repeat 3]

The batch is recorded by the real engine into a SQLite file of its own (a recipe of that many
steps, driven step by step with refusals, re-weighs, a deviation and holds: see
tests/engine_batches.py), then read back by the loader (the replay of its stream) and exported.
Targets: PDF < 3 s, JSON < 0.5 s, BatchML with validation < 2 s, peak memory < 300 MB.
Times are the best of --repeat runs, wall clock and CPU (on a busy machine the CPU time is
the fair figure; the first run also pays for font loading, shown separately); memory is the
process's peak resident set size, and the peak of Python allocations during each job
(tracemalloc, a separate run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from ebr.database import Database  # noqa: E402
from ebr.export.batchml import export_batchml, validate_batchml  # noqa: E402
from ebr.export.json_export import export_json  # noqa: E402
from ebr.export.json_verify import verify_export  # noqa: E402
from ebr.export.loader import load_batch_record  # noqa: E402
from ebr.export.pdf_export import export_pdf  # noqa: E402
from ebr.export.record import BatchRecord  # noqa: E402
from station.composition import open_store  # noqa: E402
from tests import engine_batches  # noqa: E402

PRINTED_AT = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
BATCH = "B-2699-999"


def _record(folder: Path, steps: int, events: int) -> str:
    """The synthetic batch recorded by the engine into a new store; its URL."""
    url = engine_batches.copy_of(engine_batches.build_template(folder / "template.db"), folder)
    engine_batches.add_recipe(url, engine_batches.synthetic_recipe(steps))
    engine_batches.drive(url, engine_batches.synthetic_batch(steps, events))
    return url


def _load(db: Database) -> BatchRecord:
    with db.unit_of_work(read_only=True) as uow:
        return load_batch_record(uow.session, BATCH, chain_verified=True, site_timezone="Europe/Berlin")


def _jobs(db: Database, record: BatchRecord) -> dict[str, tuple[Callable[[], object], float]]:
    def batchml() -> bytes:
        data = export_batchml(record)
        errors = validate_batchml(data)
        if errors:
            raise SystemExit(f"BatchML invalid: {errors[0]}")
        return data

    json_bytes = export_json(record)
    return {
        "load (replay)": (lambda: _load(db), float("inf")),
        "PDF": (lambda: export_pdf(record, "qa.dubois", PRINTED_AT), 3.0),
        "JSON": (lambda: export_json(record), 0.5),
        "BatchML + validation": (batchml, 2.0),
        "JSON verify (offline)": (lambda: verify_export(json_bytes), float("inf")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        started = time.perf_counter()
        url = _record(folder, args.steps, args.events)
        recorded = time.perf_counter() - started
        db = open_store(url)
        try:
            return _measure(db, args.repeat, recorded)
        finally:
            db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(db: Database, repeat: int, recorded: float) -> int:
    record = _load(db)
    steps = sum(len(o.steps) for o in record.operations)
    print(
        f"synthetic batch: {steps} steps, {len(record.events)} audit events, {len(record.records)} records, "
        f"{len(record.consumptions)} weighings, {len(record.refusals)} refusals "
        f"(recorded by the engine in {recorded:.1f} s)"
    )
    failed = False
    sizes: dict[str, int] = {}
    for name, (job, target) in _jobs(db, record).items():
        times, cpu = [], []
        for _ in range(repeat):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            out = job()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        if isinstance(out, bytes):
            sizes[name] = len(out)
        best = min(times)
        verdict = (
            "" if target == float("inf") else (" ok" if best < target else f" OVER the {target:g} s target")
        )
        failed |= best >= target
        size = f", {sizes[name] / 1e6:.1f} MB" if name in sizes else ""
        print(
            f"{name:24s} best {best:6.3f} s wall, {min(cpu):6.3f} s CPU  (first {times[0]:.3f} s){size}{verdict}"
        )
    for name, (job, _) in _jobs(db, record).items():
        gc.collect()
        tracemalloc.start()
        job()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{name:24s} peak Python allocations {peak / 1e6:6.1f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        f"peak resident memory of the whole run: {rss:.0f} MB {'ok' if rss < 300 else 'OVER the 300 MB target'}"
    )
    failed |= rss >= 300
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
