"""Forty stations signing at once on one store: password checks outside the write lock.

    python benchmarks/bench_concurrent_signatures.py [--stations 40] [--rounds 3]

Each station is a process of its own with its own engine on the same SQLite file (a station's
database on a shared disk, or stations of one line PC), passwords at production argon2id
cost. Every station logs in, starts its batch and signs OP10.S30 ``--rounds`` times over
(a failed signature is tried again by the next round); every login and signature checks a
password. Run twice in the same go: as the station does it (the slow argon2 check before the
write transaction, ``ebr.users.check_password``) and with that check made useless, so every
password is verified inside the write transaction as before. Prints, for each, the actions
that failed on "database is locked", and the time of a signature (median, p99).
Target: no action fails on the lock with the checks outside it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def station(url: str, n: int, rounds: int, inside: bool, start: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import ebr.users
    from station.composition import build_engine
    from station.engine import api
    from tests.engine_batches import PASSWORDS

    if inside:  # the check made before the transaction never answers: verified inside it
        real = ebr.users.check_password

        def useless(db, user, password):  # type: ignore[no-untyped-def]
            check = real(db, user, password)
            return ebr.users.PasswordCheck(check.fingerprint, "not-the-stored-hash", check.matched)

        ebr.users.check_password = useless  # type: ignore[assignment]
    engine = build_engine(url)
    while time.time() < start:  # every station starts at the same moment
        time.sleep(0.001)
    locked = errors = 0
    signs: list[float] = []

    def do(action: object) -> str:
        nonlocal locked, errors
        outcome = engine.dispatch(action)  # type: ignore[arg-type]
        if outcome.status == "error":
            errors += 1
            locked += "locked" in outcome.message.lower() or "busy" in outcome.message.lower()
        return outcome.status

    for _ in range(rounds):
        if do(api.Login(user="op.alvarez", password=PASSWORDS["op.alvarez"])) == "done":
            break
    do(api.StartBatch(f"B-CONC-{n:03d}", "PARA500-GRAN", 3, Decimal(120), "kg"))
    do(api.Confirm("OP10.S10"))
    do(api.Answer("OP10.S20", True))
    for _ in range(rounds):
        t0 = time.perf_counter()
        status = do(api.Sign("OP10.S30", "sv.nowak", PASSWORDS["sv.nowak"]))
        signs.append(time.perf_counter() - t0)
        if status == "done":
            break
    engine.close()
    out.put((locked, errors, signs))


def run(template: Path, stations: int, rounds: int, inside: bool) -> tuple[int, int, list[float], float]:
    from tests.engine_batches import copy_of

    url = copy_of(template, Path(tempfile.mkdtemp(prefix="mes-bench-conc-")))
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start = time.time() + 3 + stations * 0.15  # time for every process to import and open the store
    procs = [
        context.Process(target=station, args=(url, n, rounds, inside, start, out)) for n in range(stations)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.time() - start
    locked = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    signs = [s for r in results for s in r[2]]
    return locked, errors, signs, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from tests.engine_batches import build_template

    template = build_template(
        Path(tempfile.mkdtemp(prefix="mes-bench-conc-t-")) / "t.db", light_hashing=False
    )
    for inside in (False, True):
        locked, errors, signs, elapsed = run(template, args.stations, args.rounds, inside)
        how = "inside the write lock (as before)" if inside else "before the write lock (the station)"
        print(
            f"{args.stations} stations, passwords checked {how}: {locked} actions failed on the lock "
            f"({errors} errors in all) in {elapsed:.1f} s; signature median "
            f"{statistics.median(signs) * 1000:.0f} ms, p99 {pct(signs, 99) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
