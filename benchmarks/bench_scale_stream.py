"""An MT-SICS ``SIR`` stream from the simulated balance over a pty, through the driver.

For each baud rate the simulator (in its own process, so that its pacing does not count)
sends ``S D``/``S S`` lines back to back, paced as a UART at that speed; the station side
opens the scale with ``open_scale`` and takes the readings from the stream callback, as
the UI does. Printed per baud rate:

- readings sent (lines the simulator wrote) and parsed (readings delivered), lost (sent - parsed);
- latency from the moment the line's last byte was written to the pty until the reading
  reached the callback: median, p99, max (target p99 < 2 ms); measured from just before
  the write, and (p99 ms*) from just after it, which leaves out the simulator's own delays;
- the part of it spent in the driver (from the read that returned the last byte);
- CPU seconds of the station side per 10,000 readings.

    python benchmarks/bench_scale_stream.py [--readings-9600 1000] [--readings-115200 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hardware.scales import ScaleEvent, open_scale  # noqa: E402
from hardware.simulators import ScaleSimulator  # noqa: E402


def simulator(baudrate: int, connection: Connection) -> None:
    """The balance: streams as fast as the baud rate allows, noisy (every line different)."""
    sim = ScaleSimulator(
        "mt-sics", capacity="150", readability="0.01", unit="kg", serial_number="BENCH1",
        baudrate=baudrate, stream_interval=0, settle_time=0, noise_digits=20, seed=5, record=0,
    )  # fmt: skip
    sim.put("61.27")
    sim.cell.settle_time = 1e9  # from now on it never settles: 61.27 kg with noise, every line different
    sim.put("61.27")
    connection.send(sim.start())
    connection.recv()  # stop
    lines = [(line.data, line.monotonic, line.written) for line in sim.sent if line.data.startswith(b"S ")]
    sim.stop()
    connection.send(lines)


def _p99(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.99))] if values else float("nan")


def run(baudrate: int, readings: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=simulator, args=(baudrate, theirs), daemon=True)
    process.start()
    path = ours.recv()
    scale = open_scale("mt-sics", path, poll_interval=0.05)
    delivered: list[tuple[float, str, float]] = []  # (at the callback, line, when the read returned it)

    def on_event(event: ScaleEvent) -> None:
        if event.raw.startswith("S "):  # a line of the stream: a weight, or S + / S - / S I
            delivered.append((time.monotonic(), event.raw, event.monotonic))

    line_time = 19 * 10 / baudrate
    cpu_before = time.process_time()
    started = time.monotonic()
    handle = scale.stream(on_event)
    deadline = started + readings * line_time * 3 + 5
    while len(delivered) < readings and time.monotonic() < deadline:
        time.sleep(0.05)
    handle.close()  # "@": the balance stops; its I4 reply comes after every line sent before it
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    scale.close()
    ours.send("stop")
    sent: list[tuple[bytes, float, float]] = ours.recv()
    process.join(timeout=10)

    latencies: list[float] = []  # from just before the write of the last byte
    after_write: list[float] = []  # from just after it (0 when the reading came first)
    in_driver: list[float] = []  # from the read that returned the last byte to the callback
    unmatched = 0
    position = 0
    for at, raw, read_at in delivered:
        wanted = raw.encode("latin-1")
        start = position
        while position < len(sent) and sent[position][0].rstrip(b"\r\n") != wanted:
            position += 1
        if position == len(sent):
            unmatched += 1
            position = start
            continue
        latencies.append(at - sent[position][1])
        after_write.append(max(0.0, at - sent[position][2]))
        in_driver.append(at - read_at)
        position += 1
    latencies.sort()
    after_write.sort()
    in_driver.sort()
    p99 = _p99(latencies)
    return {
        "baudrate": baudrate,
        "seconds": round(elapsed, 2),
        "sent": len(sent),
        "parsed": len(delivered),
        "lost": len(sent) - len(delivered),
        "not_matched": unmatched,
        "latency_median_ms": round(statistics.median(latencies) * 1000, 3) if latencies else None,
        "latency_p99_ms": round(p99 * 1000, 3),
        "latency_max_ms": round(latencies[-1] * 1000, 3) if latencies else None,
        "after_write_p99_ms": round(_p99(after_write) * 1000, 3),
        "in_driver_p99_ms": round(_p99(in_driver) * 1000, 3),
        "cpu_s_per_10000": round(cpu / max(1, len(delivered)) * 10000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--readings-9600", type=int, default=1000)
    parser.add_argument("--readings-115200", type=int, default=10000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = [run(9600, args.readings_9600), run(115200, args.readings_115200)]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    header = (
        f"{'baud':>7} {'sent':>6} {'parsed':>6} {'lost':>4} {'median ms':>9} {'p99 ms':>7} "
        f"{'max ms':>7} {'p99 ms*':>7} {'driver p99':>10} {'CPU s/10k':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['baudrate']:>7} {r['sent']:>6} {r['parsed']:>6} {r['lost']:>4} {r['latency_median_ms']:>9} "
            f"{r['latency_p99_ms']:>7} {r['latency_max_ms']:>7} {r['after_write_p99_ms']:>7} "
            f"{r['in_driver_p99_ms']:>10} {r['cpu_s_per_10000']:>9}"
        )
    print("latency: from just before the write of the line's last byte to the reading at the callback;")
    print("p99 ms*: from just after that write returned (the simulator's own scheduling delays excluded)")
    print(
        "driver p99: from the read that returned the last byte to the callback (framing, parsing, dispatch)"
    )
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
