"""Export times and memory for a large synthetic batch: 500 steps, 5,000 audit events.

    .venv/bin/python benchmarks/bench_export.py [--steps 500] [--events 5000] [--repeat 3]

Targets: PDF < 3 s, JSON < 0.5 s, BatchML with validation < 2 s, peak memory < 300 MB.
Times are the best of --repeat runs, wall clock and CPU (on a busy machine the CPU time is
the fair figure; the first run also pays for font loading, shown separately); memory is the process's peak resident set size, and the peak of Python
allocations during each export (tracemalloc, a separate run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "export")]

from export_samples import synthetic  # noqa: E402

from ebr.export.batchml import export_batchml, validate_batchml  # noqa: E402
from ebr.export.json_export import export_json  # noqa: E402
from ebr.export.json_verify import verify_export  # noqa: E402
from ebr.export.pdf_export import export_pdf  # noqa: E402
from ebr.export.record import BatchRecord  # noqa: E402

PRINTED_AT = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


def _jobs(record: BatchRecord) -> dict[str, tuple[Callable[[], object], float]]:
    def batchml() -> bytes:
        data = export_batchml(record)
        errors = validate_batchml(data)
        if errors:
            raise SystemExit(f"BatchML invalid: {errors[0]}")
        return data

    json_bytes = export_json(record)
    return {
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

    started = time.perf_counter()
    record = synthetic(n_steps=args.steps, n_events=args.events)
    steps = sum(len(o.steps) for o in record.operations)
    print(
        f"synthetic batch: {steps} steps, {len(record.events)} audit events, {len(record.records)} records, "
        f"{len(record.consumptions)} weighings, {len(record.refusals)} refusals "
        f"(built in {time.perf_counter() - started:.2f} s)"
    )
    failed = False
    sizes: dict[str, int] = {}
    for name, (job, target) in _jobs(record).items():
        times, cpu = [], []
        for _ in range(args.repeat):
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
    for name, (job, _) in _jobs(record).items():
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
