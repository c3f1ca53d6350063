"""Record-store benchmark: a site-sized database and ``ebr verify`` over a million events.

    python benchmarks/bench_store.py [--db sqlite:///PATH | postgresql+psycopg://...]
                                     [--events 1000000] [--keep] [--workers N]
    python benchmarks/bench_store.py --verify-only sqlite:///PATH [--workers N]

Builds (bulk, with a correct hash chain) 100k lots, 10k users, 50k training records,
2k equipment and 1M audit events -- the master-data events plus batches whose events
each vouch for a typed record (step executions, weighings, measurements, bindings,
signatures ...) -- then runs ``ebr verify`` in a fresh process and prints events/s, the
CPU time it took (its own and its workers'), its peak RSS and its largest worker's, and
the load average before it started (the machine may be shared: CPU seconds are the
steadier figure).

The seeding functions are meant to be imported by other benchmarks::

    from benchmarks.bench_store import ChainWriter, seed_master_data, seed_batches
    db = fresh_database(url)
    with ChainWriter(db) as writer:
        ids = seed_master_data(writer, lots=..., users=...)
        seed_batches(writer, ids, events=...)

``ChainWriter`` appends events exactly as ``ebr.audit.append_event`` would (same
fields, same hash), but in bulk: it is for seeding only, never for the station.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, insert, update

from ebr import chain
from ebr.database import Database, open_database
from ebr.migrate import upgrade
from ebr.models import (
    AuditEvent,
    Base,
    ChainHead,
    new_uid,
)

#: One argon2id hash shared by every seeded user (hashing 10k passwords would take minutes).
#: The password is "Bench-Password-1".
SEED_PASSWORD = "Bench-Password-1"
_SEED_HASH: str | None = None


def _seed_hash() -> str:
    global _SEED_HASH
    if _SEED_HASH is None:
        from ebr.users import hash_password

        _SEED_HASH = hash_password(SEED_PASSWORD)
    return _SEED_HASH


def fresh_database(url: str) -> Database:
    db = open_database(url)
    upgrade(db)
    return db


class ChainWriter:
    """Bulk appender: events and rows are buffered and written in chunks, one transaction."""

    CHUNK = 20_000

    def __init__(self, db: Database) -> None:
        self.db = db
        self.start = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
        self._tick = 0
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self.last_row: dict[str, Any] = {}  # the last row given to ``row``
        self._events: list[dict[str, Any]] = []
        self._streams: dict[str, int] = {}
        self.seq = 0
        self.last_hash = chain.GENESIS

    def __enter__(self) -> ChainWriter:
        self._connection = self.db.engine.connect()
        self._transaction = self._connection.begin()
        head = self._connection.execute(
            ChainHead.__table__.select().where(ChainHead.__table__.c.id == 1)
        ).one()
        self.seq, self.last_hash = int(head.last_seq), str(head.last_hash)
        if self.seq:
            raise RuntimeError("ChainWriter seeds an empty database only")
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self.flush()
                self._connection.execute(
                    update(ChainHead.__table__)
                    .where(ChainHead.__table__.c.id == 1)
                    .values(last_seq=self.seq, last_hash=self.last_hash)
                )
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()

    def now(self) -> dt.datetime:
        """Seeded time: 50 ms per event from a fixed start (seeding must not take hours of clock)."""
        self._tick += 1
        return self.start + dt.timedelta(microseconds=50_000 * self._tick)

    def row(self, model: type[Base], values: dict[str, Any]) -> dict[str, Any]:
        values.setdefault("uid", new_uid())
        table: Table = model.__table__  # type: ignore[assignment]
        for column in table.columns:  # every column, as a read returns the row
            values.setdefault(column.key, None)
        self._rows.setdefault(table, []).append(values)
        self.last_row = values
        return values

    def event(
        self,
        *,
        stream: str,
        user_id: str | None,
        action: str,
        entity_type: str,
        entity_id: str | None,
        old_value: Any = None,
        new_value: Any = None,
        reason: str | None = None,
        outcome: str = "accepted",
        record: tuple[type[Base], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        stream_seq = self._streams.get(stream, 0) + 1
        self._streams[stream] = stream_seq
        record_table = record_uid = record_hash = None
        if record is not None:
            model, content = record
            for column in model.__table__.columns:
                content.setdefault(column.key, None)
            self.row(model, content)
            record_table, record_uid, record_hash = (
                model.__tablename__,
                content["uid"],
                chain.record_hash(content),
            )
        self.seq += 1
        event = {
            "seq": self.seq,
            "uid": new_uid(),
            "stream": stream,
            "stream_seq": stream_seq,
            "occurred_at": chain.utc_iso(self.now()),
            "user_id": user_id,
            "action": action,
            "outcome": outcome,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "old_value": chain.to_json_value(old_value),
            "new_value": chain.to_json_value(new_value),
            "reason": reason,
            "record_table": record_table,
            "record_uid": record_uid,
            "record_hash": record_hash,
            "prev_hash": self.last_hash,
        }
        event["hash"] = self.last_hash = chain.event_hash(event)
        for name in ("old_value", "new_value"):
            if event[name] is not None:
                event[name] = chain.canonical(event[name])
        self._events.append(event)
        if len(self._events) >= self.CHUNK:
            self.flush()
        return event

    def flush(self) -> None:
        # Parents before children: the model order of the metadata is FK-safe.
        for table in Base.metadata.sorted_tables:
            rows = self._rows.pop(table, None)
            if rows:
                self._connection.execute(insert(table), rows)
        if self._events:
            self._connection.execute(insert(AuditEvent.__table__), self._events)
            self._events = []


@dataclass
class SeededIds:
    users: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    lots: list[tuple[str, str]] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    scales: list[str] = field(default_factory=list)


def seed_master_data(
    writer: ChainWriter,
    *,
    lots: int = 100_000,
    users: int = 10_000,
    training: int = 50_000,
    equipment: int = 2_000,
    materials: int = 1_000,
    documents: int = 200,
    seed: int = 7,
) -> SeededIds:
    """Master data as an import would write it: rows plus one audited "added" event each."""
    from ebr.models import Document, Equipment, Lot, Material, TrainingRecord, User

    rnd = random.Random(seed)
    ids = SeededIds()
    reason = "master import bench.yaml sha256=" + "0" * 64
    admin = "adm.bench"

    def added(kind: str, entity_id: str, value: dict[str, Any]) -> None:
        # Each import event carries the seal of the row it added (ebr.master_seal): the row
        # ``writer.row`` was just given.
        sealed = dict(value, seal=chain.record_hash(writer.last_row))
        writer.event(
            stream="site", user_id=admin, action=f"master.{kind}.added", entity_type=kind,
            entity_id=entity_id, new_value=sealed, reason=reason,
        )  # fmt: skip

    for i in range(documents):
        code = f"SOP-{i:04d}"
        value = {"code": code, "revision": rnd.randint(1, 9), "title": f"Standard operating procedure {i}"}
        writer.row(Document, dict(value))
        added("document", code, value)
        ids.documents.append(code)
    roles_cycle = (["operator"], ["operator"], ["operator"], ["operator", "supervisor"], ["qa"], ["admin"])
    password_hash = _seed_hash()
    for i in range(users):
        user_id = f"user{i:05d}"
        value = {"id": user_id, "name": f"User {i}", "roles": roles_cycle[i % 6], "badge": f"B{i:07d}"}
        writer.row(
            User,
            dict(value, password_hash=password_hash, must_change_password=False, failed_attempts=0,
                 locked=False, active=True),
        )  # fmt: skip
        added("user", user_id, value)
        ids.users.append(user_id)
    seen: set[tuple[str, str, int]] = set()
    while len(seen) < min(training, users * documents):
        key = (rnd.choice(ids.users), rnd.choice(ids.documents), rnd.randint(1, 9))
        if key in seen:
            continue
        seen.add(key)
        trained = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randint(0, 500))
        value = {"user_id": key[0], "document_code": key[1], "revision": key[2], "trained_on": trained,
                 "expires": trained + dt.timedelta(days=730)}  # fmt: skip
        writer.row(TrainingRecord, dict(value))
        added("training", f"{key[0]}/{key[1]}/{key[2]}", value)
    for i in range(materials):
        code = f"RM-{i:05d}"
        value = {"code": code, "name": f"Material {i}", "gtin": f"{4012345000000 + i:014d}"}
        writer.row(Material, dict(value))
        added("material", code, value)
        ids.materials.append(code)
    for i in range(lots):
        material = ids.materials[i % len(ids.materials)]
        lot = f"L{i:07d}"
        value = {"material_code": material, "lot": lot, "status": rnd.choice(("released",) * 8 + ("quarantined", "rejected")),
                 "expiry": dt.date(2030, 1, 1) + dt.timedelta(days=i % 900), "retest": None}  # fmt: skip
        writer.row(Lot, dict(value))
        added("lot", f"{material}/{lot}", value)
        ids.lots.append((material, lot))
    for i in range(equipment):
        is_scale = i % 2 == 0
        equipment_id = f"EQ-{i:05d}"
        value: dict[str, Any] = {
            "id": equipment_id,
            "equipment_class": "FLOOR-SCALE-150KG" if is_scale else "HIGH-SHEAR-GRANULATOR",
            "name": f"Equipment {i}",
            "status": "in_service",
            "calibrated_until": dt.date(2030, 3, 31),
            "clean_until": dt.datetime(2030, 12, 31, tzinfo=dt.UTC),
            "daily_check_until": dt.datetime(2030, 12, 31, tzinfo=dt.UTC),
            "scale_capacity": Decimal("150") if is_scale else None,
            "scale_readability": Decimal("0.01") if is_scale else None,
            "scale_unit": "kg" if is_scale else None,
        }
        writer.row(Equipment, dict(value))
        added("equipment", equipment_id, value)
        ids.equipment.append(equipment_id)
        if is_scale:
            ids.scales.append(equipment_id)
    return ids


def seed_batches(writer: ChainWriter, ids: SeededIds, *, events: int, seed: int = 11) -> int:
    """Batches until ``events`` more events are written; each event vouches for a typed record.

    A batch: start, line clearance (confirm, check, signature), equipment bindings,
    weighings with lot consumptions, measurements (one in ten out of limits, with its
    deviation), signatures. Returns the number of batches."""
    from ebr.models import (
        Batch,
        BatchStatusChange,
        Deviation,
        EquipmentBinding,
        LotConsumption,
        Measurement,
        Signature,
        StepExecution,
    )

    rnd = random.Random(seed)
    target = writer.seq + events
    operators = [u for i, u in enumerate(ids.users) if i % 6 in (0, 1, 2)]
    supervisors = [u for i, u in enumerate(ids.users) if i % 6 == 3]
    number = 0
    while writer.seq < target:
        number += 1
        batch_id = f"B26-{number:06d}"
        operator, supervisor = rnd.choice(operators), rnd.choice(supervisors)

        def write(model: type[Base], content: dict[str, Any], action: str, entity_type: str, entity_id: str,
                  user: str, outcome: str = "accepted", new_value: Any = None,
                  batch_id: str = batch_id) -> dict[str, Any]:  # fmt: skip
            content.setdefault("uid", new_uid())
            content["batch_id"] = batch_id
            writer.event(stream=batch_id, user_id=user, action=action, entity_type=entity_type,
                         entity_id=entity_id, outcome=outcome, new_value=new_value,
                         record=(model, content))  # fmt: skip
            return content

        write(Batch, {"recipe_code": "PARA500-GRAN", "recipe_version": 3, "recipe_content_hash": "a" * 64,
                      "size": Decimal("120"), "unit": "kg", "control_recipe": {"steps": 24, "size": "120"},
                      "started_by": operator, "started_at": writer.now(), "station": "LINE-1"},
              "batch.start", "batch", batch_id, operator)  # fmt: skip
        step = 0
        while writer.seq < target and step < 60:
            step += 1
            step_id = f"OP{10 + step // 10 * 10}.S{step % 10 * 10 + 10}"
            kind = rnd.random()
            if kind < 0.35:
                write(StepExecution, {"step_id": step_id, "kind": "instruction", "performed_by": operator,
                                      "performed_at": writer.now(), "result": {"confirmed": True}},
                      "step.confirm", "step", step_id, operator, new_value={"confirmed": True})  # fmt: skip
            elif kind < 0.5:
                scale = rnd.choice(ids.scales)
                write(EquipmentBinding, {"step_id": step_id, "bind_name": "floor_scale", "equipment_id": scale,
                                         "status_snapshot": {"status": "in_service", "calibrated_until": "2030-03-31",
                                                             "clean_until": "2030-12-31T00:00:00.000000Z"},
                                         "bound_by": operator, "bound_at": writer.now()},
                      "equipment.bind", "step", step_id, operator, new_value={"equipment": scale})  # fmt: skip
            elif kind < 0.7:
                material, lot = rnd.choice(ids.lots)
                gross = Decimal(rnd.randint(50000, 70000)) / 1000
                write(LotConsumption, {"step_id": step_id, "material_code": material, "lot": lot,
                                       "lot_status": "released", "lot_expiry": dt.date(2030, 8, 31), "lot_retest": None,
                                       "gross": gross + Decimal("2.150"), "tare": Decimal("2.150"), "net": gross,
                                       "unit": "kg", "device_serial": "B123456789", "source": "scale",
                                       "weighed_by": operator, "weighed_at": writer.now()},
                      "step.weigh", "step", step_id, operator, new_value={"net": gross, "lot": lot})  # fmt: skip
            elif kind < 0.9:
                value = Decimal(rnd.randint(135, 160))
                in_limits = value >= 140
                write(Measurement, {"step_id": step_id, "name": "Impeller speed", "value": value, "unit": "rpm",
                                    "low": Decimal(140), "high": Decimal(160), "in_limits": in_limits,
                                    "measured_by": operator, "measured_at": writer.now()},
                      "step.enter", "step", step_id, operator,
                      outcome="accepted" if in_limits else "deviation", new_value={"value": value})  # fmt: skip
                if not in_limits and writer.seq < target:
                    write(Deviation, {"step_id": step_id, "category": "process", "text": f"{value} rpm below 140",
                                      "origin": "value_out_of_limits", "opened_by": operator,
                                      "opened_at": writer.now()},
                          "deviation.open", "deviation", step_id, operator, outcome="deviation")  # fmt: skip
            else:
                executed = write(StepExecution, {"step_id": step_id, "kind": "signature", "performed_by": supervisor,
                                                 "performed_at": writer.now(), "result": {"meaning": "Verified"}},
                                 "step.sign", "step", step_id, supervisor)  # fmt: skip
                if writer.seq < target:
                    write(Signature, {"step_id": step_id, "signer_id": supervisor, "printed_name": "Super Visor",
                                      "meaning": "Verified", "signed_at": writer.now(),
                                      "record_table": "step_executions", "record_uid": executed["uid"],
                                      "signed_hash": chain.record_hash(executed)},
                          "signature.add", "signature", step_id, supervisor)  # fmt: skip
        if writer.seq < target:
            write(BatchStatusChange, {"status": "completed", "reason": None, "changed_by": operator,
                                      "changed_at": writer.now()},
                  "batch.complete", "batch", batch_id, operator)  # fmt: skip
    return number


def build(url: str, *, events: int, lots: int, users: int, training: int, equipment: int) -> Database:
    db = fresh_database(url)
    with ChainWriter(db) as writer:
        ids = seed_master_data(writer, lots=lots, users=users, training=training, equipment=equipment)
        remaining = events - writer.seq
        if remaining > 0:
            seed_batches(writer, ids, events=remaining)
    return db


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM where there is /proc: ``ru_maxrss`` carries the
    peak of the process that started us across exec (the seeding run's, here)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _verify_in_this_process(url: str, workers: int | None) -> None:
    from ebr.verify import verify

    db = open_database(url)
    load = os.getloadavg()
    started = time.perf_counter()
    cpu_started = _cpu_seconds(resource.RUSAGE_SELF) + _cpu_seconds(resource.RUSAGE_CHILDREN)
    report = verify(db, workers=workers)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds(resource.RUSAGE_SELF) + _cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_started
    rss_mb = _peak_rss_mb()
    worker_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"ebr verify: {report}")
    print(
        f"ebr verify: {report.events_checked} events + {report.records_checked} records in {elapsed:.2f} s "
        f"= {report.events_checked / elapsed:,.0f} events/s; CPU {cpu:.2f} s "
        f"({report.events_checked / cpu:,.0f} events per CPU-second); peak RSS {rss_mb:.0f} MB "
        + (f"(largest worker {worker_rss_mb:.0f} MB)" if worker_rss_mb else "(no workers)")
        + f"; load average before {load[0]:.2f} on {os.cpu_count()} CPUs"
    )
    if not report.ok:
        sys.exit(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--training", type=int, default=50_000)
    parser.add_argument("--equipment", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument(
        "--verify-only", metavar="URL", help="only run ebr verify on an existing database (e.g. one kept)"
    )
    parser.add_argument("--workers", type=int, help="processes for ebr verify (default: its own choice)")
    args = parser.parse_args(argv)
    if args.verify_only:
        _verify_in_this_process(args.verify_only, args.workers)
        return 0
    workdir = None
    url = args.db
    if url is None:
        workdir = tempfile.mkdtemp(prefix="mes-bench-")
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
    started = time.perf_counter()
    db = build(url, events=args.events, lots=args.lots, users=args.users, training=args.training,
               equipment=args.equipment)  # fmt: skip
    db.dispose()
    print(f"seeded {args.events:,} events ({url}) in {time.perf_counter() - started:.1f} s")
    command = [sys.executable, __file__, "--verify-only", url]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    result = subprocess.run(command, check=False)
    if workdir and not args.keep:
        for name in os.listdir(workdir):
            os.unlink(Path(workdir) / name)
        os.rmdir(workdir)
    elif workdir:
        print(f"kept {url}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
