"""Catch-up after a week offline: 100k unsent events drained to the hub while the line works.

    .venv/bin/python benchmarks/bench_sync_catchup.py [--pg postgresql+psycopg://...] [--events 100000]

A station store (SQLite) is seeded (in a child process) with the reference site, its recipe and
``--events`` batch events that each vouch for a typed record (``benchmarks.bench_store``): a
week of work that never reached the hub. A hub process (``mes-station hub serve --insecure``)
runs on PostgreSQL (``--pg``, or a throwaway server made with initdb/pg_ctl as the tests do).

1. Idle: the engine runs the happy-path batch as the station does (``build_engine``), timing
   every step action, with one raw SQLite ``synchronous=FULL`` single-row commit timed after
   each (both meet the disk at the same moments; ``bench_engine.RawCommits``).
2. Drain: the sync service (``mes-station sync``, a process of its own as on the line PC) is
   started and pushes everything; meanwhile the engine goes on with step actions, timed the
   same way with their raw commits. The drain ends when the hub's receipt covers the last event.

Prints the drain time and events/s, the sync process's CPU seconds and peak RSS, and the step
action p99 while draining beside the raw commit p99 of the same moments and beside the idle
step action p99. Target: the step action p99 while draining within 3x of the raw commit p99.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_engine import DATA, RawCommits, pct

ROOT = Path(__file__).resolve().parents[1]


def seed(url: str, events: int) -> None:
    from benchmarks.bench_store import ChainWriter, fresh_database, seed_batches, seed_master_data
    from ebr.masterdata import BOOTSTRAP, import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from ebr.users import set_password
    from recipes.loader import parse_recipe
    from station.engine import api
    from station.engine.script import load_script

    db = fresh_database(url)
    with ChainWriter(db) as writer:
        ids = seed_master_data(writer, lots=2_000, users=200, training=1_000, equipment=100, materials=100)
        seed_batches(writer, ids, events=events - writer.seq)
    with db.unit_of_work() as uow:
        import_master_data(uow, DATA / "masterdata" / "site.yaml", BOOTSTRAP)
        uow.commit()
    with db.unit_of_work() as uow:
        for step in load_script(DATA / "scripts" / "oq-setup.yaml").steps:
            if isinstance(step.action, api.ChangePassword):
                a = step.action
                assert set_password(uow, a.user, a.old_password, a.new_password).ok
        uow.commit()
    text = (DATA / "recipes" / "para500-granulation.yaml").read_text(encoding="utf-8")
    with db.unit_of_work() as uow:
        import_recipe(uow, parse_recipe(text, "para500.yaml"), text, "adm.kim")
        uow.commit()
    with db.unit_of_work() as uow:
        approve_recipe(uow, "PARA500-GRAN", 3, "qa.dubois", "Rev1ew-Dubois.26")
        uow.commit()
    db.dispose()


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own on a free port (as tests/ebr/conftest.py makes one)."""
    bindir = next(
        (
            Path(d)
            for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
            if Path(d, "initdb").exists()
        ),
        None,
    )
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: give --pg URL")
    base = Path(tempfile.mkdtemp(prefix="mes-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = base / "data"
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "--no-sync"], check=True, capture_output=True)  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c max_connections=50"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
                    "-w", "start"], check=True, capture_output=True)  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MB) of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = next(
        int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak


class Line:
    """The operator's side: the happy-path batch again and again, every step action timed."""

    def __init__(self, db, folder: Path) -> None:  # type: ignore[no-untyped-def]
        from station.composition import build_engine
        from station.engine.script import load_script

        self.engine = build_engine(db=db)
        self.script = load_script(DATA / "scripts" / "para500-happy-path.yaml")
        self.raw = RawCommits(folder)
        self.batches = 0

    def batch(self, actions: list[float], commits: list[float]) -> None:
        from station.engine import api

        self.batches += 1
        for step in self.script.steps:
            action = step.action
            if isinstance(action, api.StartBatch):
                action = api.StartBatch(f"B-CATCHUP-{self.batches:04d}", action.recipe_code,
                                        action.recipe_version, action.size, action.unit)  # fmt: skip
            started = time.perf_counter()
            outcome = self.engine.dispatch(action)
            elapsed = time.perf_counter() - started
            if outcome.status != "done":
                raise SystemExit(
                    f"unexpected outcome at {step.describe()}: {outcome.status} {outcome.message}"
                )
            if isinstance(action, (api.Sign, api.Login, api.Logout, api.StartBatch)):
                continue  # argon2 checks are slow on purpose; they are not step actions
            actions.append(elapsed)
            self.raw.one()
            commits.append(self.raw.times[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg", help="a PostgreSQL URL where databases may be created (default: a throwaway server)"
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--idle-batches", type=int, default=10)
    parser.add_argument("--seed-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        seed(args.seed_only, args.events)
        return 0
    with contextlib.ExitStack() as stack:
        pg = args.pg or stack.enter_context(throwaway_postgres())
        return run(pg, args)


def run(pg: str, args: argparse.Namespace) -> int:
    import psycopg
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from ebr.database import open_database

    folder = Path(tempfile.mkdtemp(prefix="mes-bench-catchup-"))
    url = f"sqlite:///{folder / 'station.db'}"
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--seed-only", url, "--events", str(args.events)], check=True)
    db = open_database(url)
    with db.unit_of_work(read_only=True) as uow:
        seeded = int(uow.connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())
    print(f"seeded a week offline: {seeded:,} unsent events in {time.perf_counter() - started:.0f} s")

    name = "bench_catchup_" + uuid.uuid4().hex[:8]
    admin = make_url(pg).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    port = _free_port()
    hub_db = make_url(pg).set(database=name).render_as_string(hide_password=False)
    hub = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--insecure", "--signing-key", str(folder / "k"),
         "--db", hub_db, "--listen", f"127.0.0.1:{port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    sync = None
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            time.sleep(0.1)
        line = Line(db, folder)
        idle_actions: list[float] = []
        idle_commits: list[float] = []
        for _ in range(args.idle_batches):
            line.batch(idle_actions, idle_commits)

        config = folder / "station.toml"
        config.write_text(f'[station]\nid = "BENCH-1"\n[hub]\nreceipt_key = "{folder / "k.pub"}"\n')
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
        began = time.perf_counter()
        sync = subprocess.Popen(
            [sys.executable, "-m", "station.cli", "sync", "--insecure", "--hub", f"http://127.0.0.1:{port}",
             "--config", str(config), "--db", url], cwd=ROOT, env=environment,
        )  # fmt: skip
        actions: list[float] = []
        commits: list[float] = []
        cpu = peak = 0.0
        drained_at = None
        while drained_at is None:
            line.batch(actions, commits)
            cpu, peak = _proc(sync.pid)
            with db.unit_of_work(read_only=True) as uow:
                acked = int(uow.connection.execute(text("SELECT acked_seq FROM sync_state")).scalar_one())
            if acked >= seeded:
                drained_at = time.perf_counter()
        drain = drained_at - began
        hub_cpu, hub_peak = _proc(hub.pid)
        ms = 1000.0
        print(f"drained {seeded:,} events in {drain:.1f} s: {seeded / drain:,.0f} events/s "
              f"(the line ran {line.batches - args.idle_batches} batches meanwhile)")  # fmt: skip
        print(f"sync process: {cpu:.1f} CPU s ({cpu / drain * 100:.0f}% of one core), peak RSS {peak:.0f} MB; "
              f"hub process: {hub_cpu:.1f} CPU s, peak RSS {hub_peak:.0f} MB")  # fmt: skip
        a99, c99, i99 = pct(actions, 99) * ms, pct(commits, 99) * ms, pct(idle_actions, 99) * ms
        print(f"step action while draining ({len(actions)}): median {statistics.median(actions) * ms:.2f} ms, "
              f"p99 {a99:.2f} ms")  # fmt: skip
        print(f"raw commit at the same moments ({len(commits)}): median {statistics.median(commits) * ms:.2f} ms, "
              f"p99 {c99:.2f} ms")  # fmt: skip
        print(f"step action idle ({len(idle_actions)}): median {statistics.median(idle_actions) * ms:.2f} ms, "
              f"p99 {i99:.2f} ms; raw commit idle p99 {pct(idle_commits, 99) * ms:.2f} ms")  # fmt: skip
        print(f"ratio while draining, action/raw commit p99: {a99 / c99:.2f}x (target <= 3x); "
              f"action p99 draining/idle: {a99 / i99:.2f}x")  # fmt: skip
    finally:
        if sync is not None:
            sync.terminate()
            sync.wait(timeout=30)
        hub.terminate()
        hub.wait(timeout=30)
        db.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
