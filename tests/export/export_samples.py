"""Batch records built by hand, with a valid audit chain, for the export tests and the benchmark.

The records follow the store's tables (``ebr.models``): every typed row is the dict of its
columns, hashed with ``ebr.chain.record_hash``, and written by exactly one audit event of the
batch's stream. Other streams ("site": logins, master data) interleave in the global chain, so
the batch's ``seq`` values have gaps, as they do in a real store.

* :func:`happy_path` — PARA500-GRAN v3, batch B-2611-001 (tests/data/scripts/para500-happy-path.yaml)
  plus the QA review that approved it;
* :func:`refusals` — batch B-2611-002 (tests/data/scripts/para500-refusals.yaml), still in progress;
* :func:`exceptions_batch` — B-2611-003: an override, an out-of-limits value, a manual deviation,
  all closed, and a QA rejection;
* :func:`synthetic` — a large batch for the benchmark.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ebr import chain
from ebr.export.record import (
    BatchHeader,
    BatchRecord,
    Deviation,
    EquipmentUse,
    LotConsumption,
    Measurement,
    Operation,
    Override,
    Person,
    RecordRef,
    Refusal,
    Review,
    Signature,
    Step,
    StepExecution,
    StepParameter,
    StoredRecord,
    TrainingEvidence,
)

UTC = dt.UTC
SITE_TZ = "Europe/Berlin"
STATION = "GRAN-LINE-1-T01"
RECIPE_HASH = "9f1c2a4e6b8d0f13579bdf02468ace13579bdf02468ace13579bdf02468ace1f"

D = Decimal

PEOPLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "op.alvarez": ("Maria Alvarez", ("operator",)),
    "op.chen": ("Wei Chen", ("operator",)),
    "sv.nowak": ("Piotr Nowak", ("operator", "supervisor")),
    "sv.haddad": ("Leila Haddad", ("supervisor",)),
    "qa.dubois": ("Claire Dubois", ("qa",)),
    "qa.berg": ("Anders Berg", ("qa",)),
}
TRAINING: dict[str, list[tuple[str, int, str, str]]] = {
    "op.alvarez": [
        ("SOP-GRAN-012", 4, "2026-02-20", "2030-02-20"),
        ("SOP-DISP-003", 7, "2026-05-11", "2030-05-11"),
        ("SOP-LC-001", 2, "2025-09-01", "2030-09-01"),
    ],
    "op.chen": [
        ("SOP-GRAN-012", 4, "2026-03-02", "2030-03-02"),
        ("SOP-DISP-003", 7, "2026-05-11", "2030-05-11"),
        ("SOP-LC-001", 2, "2025-09-01", "2030-09-01"),
    ],
    "sv.nowak": [
        ("SOP-GRAN-012", 4, "2026-02-20", "2030-02-20"),
        ("SOP-DISP-003", 7, "2026-05-11", "2030-05-11"),
        ("SOP-LC-001", 2, "2025-09-01", "2030-09-01"),
    ],
    "sv.haddad": [
        ("SOP-GRAN-012", 4, "2026-02-20", "2030-02-20"),
        ("SOP-DISP-003", 7, "2026-05-11", "2030-05-11"),
        ("SOP-LC-001", 2, "2025-09-01", "2030-09-01"),
    ],
    "qa.dubois": [("SOP-QA-020", 3, "2026-01-10", "2030-01-10")],
    "qa.berg": [("SOP-QA-020", 3, "2026-01-10", "2030-01-10")],
}
CURRENT_REVISION = {"SOP-GRAN-012": 4, "SOP-DISP-003": 7, "SOP-LC-001": 2, "SOP-QA-020": 3}

MATERIALS = {
    "RM-0101": ("Paracetamol", "04012345000108"),
    "RM-0202": ("Microcrystalline cellulose PH-101", "04012345000207"),
    "RM-0303": ("Povidone K30", "04012345000306"),
    "RM-0505": ("Croscarmellose sodium", "04012345000504"),
}
LOTS = {
    "P24-0817": ("RM-0101", "released", "2030-08-31", None),
    "P24-0502": ("RM-0101", "quarantined", "2030-05-31", None),
    "M24-1130": ("RM-0202", "released", "2030-11-30", None),
    "K24-0220": ("RM-0303", "released", "2030-02-28", "2030-02-28"),
    "K23-0901": ("RM-0303", "released", "2030-09-30", "2026-09-01"),
    "C25-0103": ("RM-0505", "released", "2030-01-31", None),
}
EQUIPMENT: dict[str, dict[str, Any]] = {
    "SCL-150-01": {
        "equipment_class": "FLOOR-SCALE-150KG",
        "name": "Floor scale 150 kg bay 1",
        "status": "in_service",
        "calibrated_until": "2030-03-31",
        "clean_until": "2030-12-31T00:00:00.000000Z",
        "daily_check_until": "2030-12-31T00:00:00.000000Z",
        "serial": "MT-B934211087",
        "readability": "0.01",
    },
    "SCL-150-02": {
        "equipment_class": "FLOOR-SCALE-150KG",
        "name": "Floor scale 150 kg bay 2",
        "status": "in_service",
        "calibrated_until": "2026-10-31",
        "clean_until": "2030-12-31T00:00:00.000000Z",
        "daily_check_until": "2030-12-31T00:00:00.000000Z",
        "serial": "MT-B934211090",
        "readability": "0.01",
    },
    "SCL-006-01": {
        "equipment_class": "BENCH-SCALE-6KG",
        "name": "Bench scale 6 kg",
        "status": "in_service",
        "calibrated_until": "2030-06-30",
        "clean_until": "2030-12-31T00:00:00.000000Z",
        "daily_check_until": "2030-12-31T00:00:00.000000Z",
        "serial": "SA-0037711452",
        "readability": "0.0001",
    },
    "GRN-01": {
        "equipment_class": "HIGH-SHEAR-GRANULATOR",
        "name": "High-shear granulator 300 L",
        "status": "in_service",
        "calibrated_until": "2030-01-31",
        "clean_until": "2030-12-31T00:00:00.000000Z",
        "daily_check_until": None,
        "serial": None,
        "readability": None,
    },
}

# The control recipe of PARA500-GRAN v3 at 120 kg (tests/data/recipes/para500-granulation.yaml).
CONTROL_RECIPE: dict[str, Any] = {
    "code": "PARA500-GRAN",
    "version": 3,
    "title": "Paracetamol 500 mg tablets - wet granulation",
    "product": {"code": "PARA500-GRANULE", "name": "Paracetamol 500 mg granulate"},
    "batch_size": {"quantity": "120", "unit": "kg"},
    "training": ["SOP-GRAN-012"],
    "operations": [
        {
            "id": "OP10",
            "title": "Line clearance",
            "training": ["SOP-LC-001"],
            "steps": [
                {
                    "id": "OP10.S10",
                    "kind": "instruction",
                    "text": "Remove all materials, labels and documents of the previous batch from the room.\n"
                    "Check floor, bins and the granulator bowl for residues.",
                    "confirm": "The room is clear of the previous batch",
                },
                {
                    "id": "OP10.S20",
                    "kind": "check",
                    "question": "Does the granulator carry a CLEAN status label within its clean-hold time?",
                    "expect": "yes",
                },
                {
                    "id": "OP10.S30",
                    "kind": "signature",
                    "meaning": "Line clearance verified",
                    "role": "supervisor",
                    "independent_of": ["OP10.S10"],
                },
            ],
        },
        {
            "id": "OP20",
            "title": "Dispensing",
            "training": ["SOP-DISP-003"],
            "steps": [
                {
                    "id": "OP20.S10",
                    "kind": "equipment",
                    "bind": "floor_scale",
                    "class": "FLOOR-SCALE-150KG",
                    "requires": ["in_service", "calibrated", "clean", "daily_check"],
                },
                {
                    "id": "OP20.S20",
                    "kind": "weigh",
                    "material": "RM-0101",
                    "quantity": {"value": "60.0", "unit": "kg"},
                    "tolerance": {"minus_pct": "0.5", "plus_pct": "0.5"},
                    "scale": "floor_scale",
                    "label": "dispense",
                },
                {
                    "id": "OP20.S30",
                    "kind": "weigh",
                    "material": "RM-0202",
                    "quantity": {"value": "48.0", "unit": "kg"},
                    "tolerance": {"minus_pct": "1.0", "plus_pct": "1.0"},
                    "scale": "floor_scale",
                    "label": "dispense",
                },
                {
                    "id": "OP20.S40",
                    "kind": "equipment",
                    "bind": "bench_scale",
                    "class": "BENCH-SCALE-6KG",
                    "requires": ["in_service", "calibrated", "clean", "daily_check"],
                },
                {
                    "id": "OP20.S50",
                    "kind": "weigh",
                    "material": "RM-0303",
                    "quantity": {"value": "3.6", "unit": "kg"},
                    "tolerance": {"minus_pct": "1.0", "plus_pct": "1.0"},
                    "scale": "bench_scale",
                    "label": "dispense",
                },
                {
                    "id": "OP20.S60",
                    "kind": "weigh",
                    "material": "RM-0505",
                    "quantity": {"value": "2400", "unit": "g"},
                    "tolerance": {"minus_pct": "2.0", "plus_pct": "2.0"},
                    "scale": "bench_scale",
                    "label": "dispense",
                },
                {
                    "id": "OP20.S70",
                    "kind": "signature",
                    "meaning": "Dispensed quantities verified",
                    "role": "supervisor",
                    "independent_of": ["OP20.S20", "OP20.S30", "OP20.S50", "OP20.S60"],
                },
            ],
        },
        {
            "id": "OP30",
            "title": "Granulation",
            "training": ["SOP-GRAN-012"],
            "steps": [
                {
                    "id": "OP30.S10",
                    "kind": "equipment",
                    "bind": "granulator",
                    "class": "HIGH-SHEAR-GRANULATOR",
                    "requires": ["in_service", "clean"],
                },
                {
                    "id": "OP30.S20",
                    "kind": "instruction",
                    "text": "Charge the dispensed paracetamol, MCC and povidone into the granulator bowl. Close the lid.",
                    "confirm": "Materials charged",
                },
                {
                    "id": "OP30.S30",
                    "kind": "measure",
                    "name": "Impeller speed during dry mixing",
                    "unit": "rpm",
                    "limits": {"low": "140", "high": "160"},
                },
                {
                    "id": "OP30.S40",
                    "kind": "measure",
                    "name": "Dry mixing time",
                    "unit": "min",
                    "limits": {"low": "4.5", "high": "5.5"},
                },
                {
                    "id": "OP30.S50",
                    "kind": "measure",
                    "name": "Loss on drying of the dried granulate",
                    "unit": "%",
                    "limits": {"low": "1.0", "high": "2.5"},
                    "decimals": 2,
                },
                {
                    "id": "OP30.S60",
                    "kind": "signature",
                    "meaning": "Granulation performed as instructed",
                    "role": "operator",
                },
            ],
        },
    ],
}

_REQUIRES = {
    "in_service": "in service",
    "calibrated": "calibrated",
    "clean": "clean",
    "daily_check": "daily check",
}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def weigh_limits(step: dict[str, Any], unit: str) -> tuple[Decimal, Decimal, Decimal, str]:
    """Target, low, high (in the scale's unit) and the target's unit of a weigh step."""
    target = D(step["quantity"]["value"])
    target_unit = step["quantity"]["unit"]
    factor = D(1)
    if target_unit == "g" and unit == "kg":
        factor = D("0.001")
    base = target * factor
    low = base * (1 - D(step["tolerance"]["minus_pct"]) / 100)
    high = base * (1 + D(step["tolerance"]["plus_pct"]) / 100)
    return target, low.quantize(D("0.0001")), high.quantize(D("0.0001")), target_unit


def step_view(step: dict[str, Any]) -> tuple[str, tuple[StepParameter, ...]]:
    kind = step["kind"]
    if kind == "instruction":
        return step["text"], (StepParameter(name="Confirmation", value=step["confirm"]),)
    if kind == "check":
        return step["question"], (StepParameter(name="Expected answer", value=step["expect"]),)
    if kind == "signature":
        params = [
            StepParameter(name="Meaning", value=step["meaning"]),
            StepParameter(name="Role", value=step["role"]),
        ]
        if step.get("independent_of"):
            params.append(
                StepParameter(name="Signer independent of", value=", ".join(step["independent_of"]))
            )
        return step["meaning"], tuple(params)
    if kind == "equipment":
        return f"Bind a {step['class']} as {step['bind']}", (
            StepParameter(name="Equipment class", value=step["class"]),
            StepParameter(name="Requires", value=", ".join(_REQUIRES[r] for r in step["requires"])),
        )
    if kind == "weigh":
        name = MATERIALS.get(step["material"], (step["material"], ""))[0]
        target, low, high, unit = weigh_limits(step, "kg")
        return f"Weigh {step['material']} {name}", (
            StepParameter(name="Target", value=str(target), unit=unit),
            StepParameter(
                name="Tolerance",
                value=f"-{step['tolerance']['minus_pct']} % / +{step['tolerance']['plus_pct']} %",
            ),
            StepParameter(name="Accepted net", value=f"{low} – {high}", unit="kg"),
            StepParameter(name="Scale", value=step["scale"]),
        )
    if kind == "measure":
        return step["name"], (
            StepParameter(
                name="Limits", value=f"{step['limits']['low']} – {step['limits']['high']}", unit=step["unit"]
            ),
        )
    raise ValueError(kind)


class Recorder:
    """Writes a batch like the store does: typed rows + one audit event each, in a global chain."""

    def __init__(self, batch_id: str, t0: dt.datetime, *, site_events_before: int = 23) -> None:
        self.batch_id = batch_id
        self.now = t0
        self.all_events: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.records: list[StoredRecord] = []
        self.rows: dict[str, dict[str, Any]] = {}
        self._n = 0
        self.stream_seq: dict[str, int] = {}
        for i in range(site_events_before):
            self.site("master.imported", "adm.kim", "lot", f"L{i:03d}", new={"n": i})

    # ------------------------------------------------------------ plumbing
    def uid(self) -> str:
        self._n += 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mes-station-test/{self.batch_id}/{self._n}"))

    def tick(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now

    def _append(self, stream: str, **fields: Any) -> dict[str, Any]:
        seq = len(self.all_events) + 1
        stream_seq = self.stream_seq.get(stream, 0) + 1
        self.stream_seq[stream] = stream_seq
        event: dict[str, Any] = {
            "seq": seq,
            "uid": self.uid(),
            "stream": stream,
            "stream_seq": stream_seq,
            "occurred_at": chain.utc_iso(self.now),
            "user_id": None,
            "action": "",
            "outcome": "accepted",
            "entity_type": "",
            "entity_id": None,
            "old_value": None,
            "new_value": None,
            "reason": None,
            "record_table": None,
            "record_uid": None,
            "record_hash": None,
            "prev_hash": self.all_events[-1]["hash"] if self.all_events else chain.GENESIS,
        }
        event.update(fields)
        event = chain.to_json_value(event)
        event["hash"] = chain.event_hash(event)
        self.all_events.append(event)
        return event

    def site(self, action: str, user: str | None, entity_type: str, entity_id: str, **kw: Any) -> None:
        self.tick(0.4)
        self._append(
            "site",
            action=action,
            user_id=user,
            entity_type=entity_type,
            entity_id=entity_id,
            new_value=kw.get("new"),
        )

    def event(
        self,
        action: str,
        user: str | None,
        entity_type: str,
        entity_id: str | None,
        *,
        outcome: str = "accepted",
        old: Any = None,
        new: Any = None,
        reason: str | None = None,
        table: str | None = None,
        row: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], RecordRef | None]:
        ref = None
        fields: dict[str, Any] = {}
        if table is not None and row is not None:
            content = chain.to_json_value(row)
            stored = StoredRecord(table=table, uid=content["uid"], content=content)
            self.records.append(stored)
            self.rows[content["uid"]] = content
            ref = RecordRef(table=table, uid=stored.uid)
            fields = {
                "record_table": table,
                "record_uid": stored.uid,
                "record_hash": chain.record_hash(content),
            }
        event = self._append(
            self.batch_id,
            action=action,
            user_id=user,
            outcome=outcome,
            entity_type=entity_type,
            entity_id=entity_id,
            old_value=old,
            new_value=new,
            reason=reason,
            **fields,
        )
        self.events.append(event)
        return event, ref


class BatchWriter:
    """The engine's side: each operator action becomes rows, events and read-model items."""

    def __init__(self, batch_id: str, t0: dt.datetime, *, recipe: dict[str, Any] | None = None) -> None:
        self.r = Recorder(batch_id, t0)
        self.batch_id = batch_id
        self.recipe = recipe or CONTROL_RECIPE
        self.steps = {s["id"]: s for op in self.recipe["operations"] for s in op["steps"]}
        self.status: dict[str, str] = {sid: "pending" for sid in self.steps}
        self.executions: dict[str, list[StepExecution]] = {sid: [] for sid in self.steps}
        self.equipment: list[EquipmentUse] = []
        self.bound: dict[str, str] = {}
        self.lot_at: dict[str, str] = {}
        self.consumptions: list[LotConsumption] = []
        self.measurements: list[Measurement] = []
        self.refusals: list[Refusal] = []
        self.deviations: dict[str, Deviation] = {}
        self.overrides: list[Override] = []
        self.signatures: list[Signature] = []
        self.reviews: list[Review] = []
        self.users: set[str] = set()
        self.header_fields: dict[str, Any] = {}
        self.batch_status = "in_progress"
        self.completed_at: dt.datetime | None = None

    # ------------------------------------------------------------ helpers
    def _exec(
        self, step: str, kind: str, user: str, result: dict[str, Any], text: str, action: str
    ) -> StepExecution:
        self.r.tick(37)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": step,
            "kind": kind,
            "performed_by": user,
            "performed_at": self.r.now,
            "result": result,
        }
        _, ref = self.r.event(
            action, user, "step", step, new={"step": step, **result}, table="step_executions", row=row
        )
        execution = StepExecution(
            uid=row["uid"],
            action=action,
            user_id=user,
            at=self.r.now,
            outcome="accepted",
            result=text,
            ref=ref,
        )
        self.executions[step].append(execution)
        self.status[step] = "done"
        self.users.add(user)
        return execution

    def _signature(self, signer: str, meaning: str, table: str, uid: str, step: str | None) -> Signature:
        self.r.tick(4)
        signed = self.r.rows[uid]
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": step,
            "signer_id": signer,
            "printed_name": PEOPLE[signer][0],
            "meaning": meaning,
            "signed_at": self.r.now,
            "record_table": table,
            "record_uid": uid,
            "signed_hash": chain.record_hash(signed),
        }
        _, ref = self.r.event(
            "signature.recorded",
            signer,
            "signature",
            row["uid"],
            new={"step": step, "meaning": meaning, "record_table": table, "record_uid": uid},
            table="signatures",
            row=row,
        )
        signature = Signature(
            uid=row["uid"],
            user_id=signer,
            printed_name=row["printed_name"],
            meaning=meaning,
            signed_at=self.r.now,
            signed_hash=row["signed_hash"],
            signed_record=RecordRef(table=table, uid=uid),
            step_id=step,
            ref=ref,
        )
        self.signatures.append(signature)
        self.users.add(signer)
        return signature

    # ------------------------------------------------------------ actions
    def login(self, user: str) -> None:
        self.r.tick(20)
        self.r.site("login", user, "user", user)
        self.users.add(user)

    def logout(self, user: str) -> None:
        self.r.tick(15)
        self.r.site("logout", user, "user", user)

    def start(self, user: str, size: str = "120", unit: str = "kg") -> None:
        self.r.tick(30)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "recipe_code": self.recipe["code"],
            "recipe_version": self.recipe["version"],
            "recipe_content_hash": RECIPE_HASH,
            "size": D(size),
            "unit": unit,
            "control_recipe": self.recipe,
            "started_by": user,
            "started_at": self.r.now,
            "station": STATION,
        }
        self.r.event(
            "batch.started",
            user,
            "batch",
            self.batch_id,
            new={
                "batch_id": self.batch_id,
                "recipe_code": self.recipe["code"],
                "recipe_version": self.recipe["version"],
                "content_hash": RECIPE_HASH,
                "size": size,
                "unit": unit,
            },
            table="batches",
            row=row,
        )
        self.header_fields = {"started_by": user, "started_at": self.r.now, "size": D(size), "unit": unit}
        self.users.add(user)

    def confirm(self, step: str, user: str) -> None:
        text = self.steps[step]["confirm"]
        self._exec(step, "instruction", user, {"confirmed": True}, f"Confirmed: {text}", "step.confirmed")

    def answer(self, step: str, user: str, value: bool) -> None:
        self._exec(
            step,
            "check",
            user,
            {"answer": "yes" if value else "no"},
            "Yes" if value else "No",
            "step.answered",
        )

    def refuse(
        self,
        step: str | None,
        user: str,
        action: str,
        code: str,
        sentence: str,
        *,
        overridable: bool = False,
        attempted: dict[str, Any] | None = None,
    ) -> Refusal:
        self.r.tick(12)
        if code == "signature_invalid":  # the failed authentication is a site event
            self.r.site("login.failed", user, "user", user)
        new = {
            "step": step,
            "code": code,
            "sentence": sentence,
            "overridable": overridable,
            **(attempted or {}),
        }
        event, _ = self.r.event(action, user, "step", step, outcome="refused", new=new, reason=code)
        refusal = Refusal(
            uid=event["uid"],
            step_id=step,
            action=action,
            reason_code=code,
            sentence=sentence,
            overridable=overridable,
            user_id=user,
            at=self.r.now,
        )
        self.refusals.append(refusal)
        if step:
            self.executions[step].append(
                StepExecution(
                    uid=event["uid"],
                    action=action,
                    user_id=user,
                    at=self.r.now,
                    outcome="refused",
                    result=f"REFUSED ({code}): {sentence}",
                )
            )
        self.users.add(user)
        return refusal

    def sign(self, step: str, signer: str) -> Signature:
        meaning = self.steps[step]["meaning"]
        execution = self._exec(
            step, "signature", signer, {"meaning": meaning}, f"Signed: {meaning}", "step.signed"
        )
        assert execution.ref is not None
        return self._signature(signer, meaning, "step_executions", execution.ref.uid, step)

    def bind(self, step: str, user: str, equipment_id: str) -> None:
        self.r.tick(25)
        eq = EQUIPMENT[equipment_id]
        snapshot = {
            k: eq[k]
            for k in (
                "equipment_class",
                "name",
                "status",
                "calibrated_until",
                "clean_until",
                "daily_check_until",
            )
        }
        snapshot["serial_number"] = eq["serial"]
        bind = self.steps[step]["bind"]
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": step,
            "bind_name": bind,
            "equipment_id": equipment_id,
            "status_snapshot": snapshot,
            "bound_by": user,
            "bound_at": self.r.now,
        }
        _, ref = self.r.event(
            "equipment.bound",
            user,
            "equipment",
            equipment_id,
            new={"step": step, "bind": bind, "equipment_id": equipment_id, **snapshot},
            table="equipment_bindings",
            row=row,
        )
        self.equipment.append(
            EquipmentUse(
                uid=row["uid"],
                equipment_id=equipment_id,
                equipment_class=eq["equipment_class"],
                name=eq["name"],
                step_id=step,
                bind=bind,
                used_by=user,
                used_at=self.r.now,
                status=eq["status"],
                calibrated_until=_date(eq["calibrated_until"]),
                clean_until=_moment(eq["clean_until"]),
                daily_check_until=_moment(eq["daily_check_until"]),
                serial_number=eq["serial"],
                ref=ref,
            )
        )
        self.bound[bind] = equipment_id
        self.executions[step].append(
            StepExecution(
                uid=row["uid"],
                action="equipment.bound",
                user_id=user,
                at=self.r.now,
                outcome="accepted",
                result=f"{equipment_id} ({eq['name']})",
                ref=ref,
            )
        )
        self.status[step] = "done"
        self.users.add(user)

    def identify_lot(self, step: str, user: str, lot: str) -> None:
        self.r.tick(20)
        material, status, expiry, retest = LOTS[lot]
        self.r.event(
            "lot.identified",
            user,
            "lot",
            lot,
            new={
                "step": step,
                "material": material,
                "lot": lot,
                "gtin": MATERIALS[material][1],
                "status": status,
                "expiry": expiry,
                "retest": retest,
            },
        )
        self.lot_at[step] = lot
        self.executions[step].append(
            StepExecution(
                uid=self.r.events[-1]["uid"],
                action="lot.identified",
                user_id=user,
                at=self.r.now,
                outcome="accepted",
                result=f"Lot {lot} ({status}, expires {expiry})",
            )
        )
        self.status[step] = "lot_identified"
        self.users.add(user)

    def weigh(self, step: str, user: str, tare: str, gross: str, *, source: str = "scale") -> LotConsumption:
        self.r.tick(48)
        spec = self.steps[step]
        lot = self.lot_at[step]
        material, status, expiry, retest = LOTS[lot]
        scale_id = self.bound[spec["scale"]]
        eq = EQUIPMENT[scale_id]
        unit = "kg"
        net = D(gross) - D(tare)
        target, low, high, target_unit = weigh_limits(spec, unit)
        accepted = low <= net <= high
        serial = eq["serial"] if source == "scale" else None
        values = {"gross": D(gross), "tare": D(tare), "net": net, "unit": unit}
        ref = None
        uid: str
        if accepted:
            row = {
                "uid": self.r.uid(),
                "batch_id": self.batch_id,
                "step_id": step,
                "material_code": material,
                "lot": lot,
                "lot_status": status,
                "lot_expiry": _date(expiry),
                "lot_retest": _date(retest),
                **values,
                "device_serial": serial,
                "source": source,
                "weighed_by": user,
                "weighed_at": self.r.now,
            }
            _event, ref = self.r.event(
                "weighing.accepted",
                user,
                "step",
                step,
                new={"step": step, "lot": lot, **values, "device_serial": serial, "scale": scale_id},
                table="lot_consumptions",
                row=row,
            )
            uid = row["uid"]
            result = f"Net {net} {unit} (gross {gross}, tare {tare}) of lot {lot} on {scale_id}"
            self.status[step] = "done"
        else:
            sentence = (
                f"Net {net} {unit} is outside {low} – {high} {unit} (target {target} {target_unit}): "
                "weigh again."
            )
            refusal = self.refuse(
                step,
                user,
                "weigh",
                "weight_out_of_tolerance",
                sentence,
                attempted={"lot": lot, **values, "device_serial": serial, "scale": scale_id},
            )
            uid = refusal.uid
            result = sentence
        if accepted:
            self.executions[step].append(
                StepExecution(
                    uid=uid,
                    action="weighing.accepted",
                    user_id=user,
                    at=self.r.now,
                    outcome="accepted",
                    result=result,
                    ref=ref,
                )
            )
        consumption = LotConsumption(
            uid=uid,
            step_id=step,
            material_code=material,
            material_name=MATERIALS[material][0],
            gtin=MATERIALS[material][1],
            lot=lot,
            lot_status=status,
            lot_expiry=_date(expiry),
            lot_retest=_date(retest),
            gross=D(gross),
            tare=D(tare),
            net=net,
            unit=unit,
            target=target,
            target_unit=target_unit,
            low=low,
            high=high,
            scale_id=scale_id,
            scale_serial=serial,
            source=source,
            accepted=accepted,
            refusal_reason=None if accepted else "weight_out_of_tolerance",
            weighed_by=user,
            weighed_at=self.r.now,
            readability=D(eq["readability"]) if eq["readability"] else None,
            ref=ref,
        )
        self.consumptions.append(consumption)
        self.users.add(user)
        return consumption

    def open_deviation(self, step: str | None, user: str, category: str, text: str, origin: str) -> Deviation:
        self.r.tick(6)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": step,
            "category": category,
            "text": text,
            "origin": origin,
            "opened_by": user,
            "opened_at": self.r.now,
        }
        _, ref = self.r.event(
            "deviation.opened",
            user,
            "deviation",
            row["uid"],
            outcome="deviation",
            new={
                "uid": row["uid"],
                "step": step,
                "category": category,
                "text": text,
                "origin": origin,
                "opened_at": chain.utc_iso(self.r.now),
            },
            table="deviations",
            row=row,
        )
        deviation = Deviation(
            uid=row["uid"],
            number=f"DEV-{len(self.deviations) + 1:02d}",
            step_id=step,
            category=category,
            text=text,
            origin=origin,
            opened_by=user,
            opened_at=self.r.now,
            ref=ref,
        )
        self.deviations[deviation.uid] = deviation
        self.users.add(user)
        return deviation

    def close_deviation(self, deviation: Deviation, user: str, resolution: str) -> None:
        self.r.tick(300)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "deviation_uid": deviation.uid,
            "resolution": resolution,
            "closed_by": user,
            "closed_at": self.r.now,
        }
        self.r.event(
            "deviation.closed",
            user,
            "deviation",
            deviation.uid,
            old={"status": "open"},
            new={"uid": deviation.uid, "status": "closed"},
            reason=resolution,
            table="deviation_closures",
            row=row,
        )
        self.deviations[deviation.uid] = Deviation(
            uid=deviation.uid,
            number=deviation.number,
            step_id=deviation.step_id,
            category=deviation.category,
            text=deviation.text,
            origin=deviation.origin,
            opened_by=deviation.opened_by,
            opened_at=deviation.opened_at,
            closed_by=user,
            closed_at=self.r.now,
            closure_reason=resolution,
            ref=deviation.ref,
        )
        self.users.add(user)

    def override(self, refusal: Refusal, supervisor: str, reason: str) -> Override:
        assert refusal.step_id is not None
        deviation = self.open_deviation(
            refusal.step_id,
            supervisor,
            "override",
            f"Override of {refusal.reason_code}: {refusal.sentence}",
            "override",
        )
        self.r.tick(5)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": refusal.step_id,
            "reason_code": refusal.reason_code,
            "supervisor": supervisor,
            "reason_text": reason,
            "deviation_uid": deviation.uid,
            "overridden_at": self.r.now,
        }
        _, ref = self.r.event(
            "override.signed",
            supervisor,
            "step",
            refusal.step_id,
            new={
                "step": refusal.step_id,
                "code": refusal.reason_code,
                "refused_event": refusal.uid,
                "deviation": deviation.uid,
            },
            reason=reason,
            table="overrides",
            row=row,
        )
        signature = self._signature(
            supervisor,
            f"Override of {refusal.reason_code}: {reason}",
            "overrides",
            row["uid"],
            refusal.step_id,
        )
        override = Override(
            uid=row["uid"],
            step_id=refusal.step_id,
            reason_code=refusal.reason_code,
            supervisor=supervisor,
            reason=reason,
            at=self.r.now,
            refusal_uid=refusal.uid,
            deviation_uid=deviation.uid,
            signature_uid=signature.uid,
            ref=ref,
        )
        self.overrides.append(override)
        self.executions[refusal.step_id].append(
            StepExecution(
                uid=row["uid"],
                action="override.signed",
                user_id=supervisor,
                at=self.r.now,
                outcome="accepted",
                result=f"Override of {refusal.reason_code} e-signed; reason: {reason}",
                ref=ref,
            )
        )
        return override

    def measure(self, step: str, user: str, value: str) -> Measurement:
        spec = self.steps[step]
        low, high = D(spec["limits"]["low"]), D(spec["limits"]["high"])
        in_limits = low <= D(value) <= high
        self.r.tick(41)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "step_id": step,
            "name": spec["name"],
            "value": D(value),
            "unit": spec["unit"],
            "low": low,
            "high": high,
            "in_limits": in_limits,
            "measured_by": user,
            "measured_at": self.r.now,
        }
        _, ref = self.r.event(
            "measurement.recorded",
            user,
            "step",
            step,
            outcome="accepted" if in_limits else "deviation",
            new={"step": step, "value": value, "unit": spec["unit"], "in_limits": in_limits},
            reason=None if in_limits else "value_out_of_limits",
            table="measurements",
            row=row,
        )
        deviation_uid = None
        if not in_limits:
            deviation_uid = self.open_deviation(
                step,
                user,
                "value_out_of_limits",
                f"{spec['name']}: {value} {spec['unit']} is outside {low} – {high} {spec['unit']}",
                "value_out_of_limits",
            ).uid
        measurement = Measurement(
            uid=row["uid"],
            step_id=step,
            name=spec["name"],
            value=D(value),
            unit=spec["unit"],
            low=low,
            high=high,
            in_limits=in_limits,
            entered_by=user,
            entered_at=self.r.now,
            deviation_uid=deviation_uid,
            ref=ref,
        )
        self.measurements.append(measurement)
        self.executions[step].append(
            StepExecution(
                uid=row["uid"],
                action="measurement.recorded",
                user_id=user,
                at=self.r.now,
                outcome="accepted" if in_limits else "deviation",
                result=f"{value} {spec['unit']}" + ("" if in_limits else " — OUT OF LIMITS"),
                ref=ref,
            )
        )
        self.status[step] = "done"
        self.users.add(user)
        return measurement

    def complete(self, user: str) -> None:
        self.r.tick(60)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "status": "completed",
            "reason": None,
            "changed_by": user,
            "changed_at": self.r.now,
        }
        self.r.event(
            "batch.completed",
            user,
            "batch",
            self.batch_id,
            old={"status": "in_progress"},
            new={"status": "completed"},
            table="batch_status_changes",
            row=row,
        )
        self.batch_status = "completed"
        self.completed_at = self.r.now

    def review(self, reviewer: str, outcome: str, comment: str) -> Review:
        self.r.tick(3600 * 5)
        row = {
            "uid": self.r.uid(),
            "batch_id": self.batch_id,
            "reviewer": reviewer,
            "outcome": outcome,
            "comment": comment,
            "reviewed_at": self.r.now,
        }
        _, ref = self.r.event(
            "review.recorded",
            reviewer,
            "batch",
            self.batch_id,
            new={"outcome": outcome, "comment": comment},
            table="reviews",
            row=row,
        )
        meaning = (
            "Batch record reviewed and approved"
            if outcome == "approved"
            else "Batch record reviewed and rejected"
        )
        signature = self._signature(reviewer, meaning, "reviews", row["uid"], None)
        review = Review(
            uid=row["uid"],
            decision=outcome,
            reviewer=reviewer,
            at=self.r.now,
            comment=comment,
            signature_uid=signature.uid,
            ref=ref,
        )
        self.reviews.append(review)
        self.users.add(reviewer)
        return review

    # ------------------------------------------------------------ result
    def record(self, *, chain_verified: bool | None = True) -> BatchRecord:
        operations = []
        for op in self.recipe["operations"]:
            steps = []
            for s in op["steps"]:
                title, params = step_view(s)
                steps.append(
                    Step(
                        step_id=s["id"],
                        kind=s["kind"],
                        title=title,
                        status=self.status[s["id"]],
                        parameters=params,
                        executions=tuple(self.executions[s["id"]]),
                    )
                )
            operations.append(
                Operation(
                    op_id=op["id"],
                    title=op["title"],
                    steps=tuple(steps),
                    training=tuple(op.get("training", ())),
                )
            )
        personnel = tuple(
            Person(
                user_id=u,
                name=PEOPLE[u][0],
                roles=PEOPLE[u][1],
                training=tuple(
                    TrainingEvidence(
                        document=d,
                        revision=rev,
                        trained_on=dt.date.fromisoformat(on),
                        expires=_date(exp),
                        current_revision=CURRENT_REVISION[d],
                    )
                    for d, rev, on, exp in TRAINING[u]
                ),
            )
            for u in sorted(self.users)
        )
        header = BatchHeader(
            batch_id=self.batch_id,
            product_code=self.recipe["product"]["code"],
            product_name=self.recipe["product"]["name"],
            recipe_code=self.recipe["code"],
            recipe_version=self.recipe["version"],
            recipe_title=self.recipe["title"],
            recipe_content_hash=RECIPE_HASH,
            batch_size=self.header_fields["size"],
            batch_unit=self.header_fields["unit"],
            station=STATION,
            started_by=self.header_fields["started_by"],
            started_at=self.header_fields["started_at"],
            completed_at=self.completed_at,
            status=self.batch_status,
            chain_verified=chain_verified,
            recipe_approved_by="qa.berg",
            recipe_approved_at=dt.datetime(2026, 10, 20, 13, 5, 11, tzinfo=UTC),
        )
        return BatchRecord(
            header=header,
            site_timezone=SITE_TZ,
            operations=tuple(operations),
            equipment=tuple(self.equipment),
            consumptions=tuple(self.consumptions),
            measurements=tuple(self.measurements),
            refusals=tuple(self.refusals),
            deviations=tuple(self.deviations.values()),
            overrides=tuple(self.overrides),
            signatures=tuple(self.signatures),
            reviews=tuple(self.reviews),
            personnel=personnel,
            events=tuple(self.r.events),
            records=tuple(self.r.records),
        )


# ---------------------------------------------------------------- the batches


def _dispense_and_granulate(w: BatchWriter, op: str, *, lod: str = "1.84") -> None:
    w.bind("OP20.S10", op, "SCL-150-01")
    w.identify_lot("OP20.S20", op, "P24-0817")
    w.weigh("OP20.S20", op, "1.25", "61.27")
    w.identify_lot("OP20.S30", op, "M24-1130")
    w.weigh("OP20.S30", op, "1.25", "49.10")
    w.bind("OP20.S40", op, "SCL-006-01")
    w.identify_lot("OP20.S50", op, "K24-0220")
    w.weigh("OP20.S50", op, "0.3120", "3.9310")
    w.identify_lot("OP20.S60", op, "C25-0103")
    w.weigh("OP20.S60", op, "0.3120", "2.7295")
    w.sign("OP20.S70", "sv.haddad")
    w.bind("OP30.S10", op, "GRN-01")
    w.confirm("OP30.S20", op)
    w.measure("OP30.S30", op, "150")
    w.measure("OP30.S40", op, "5.0")
    w.measure("OP30.S50", op, lod)


def happy_path(*, reviewed: bool = True) -> BatchRecord:
    """B-2611-001 as tests/data/scripts/para500-happy-path.yaml runs it, then approved by QA."""
    w = BatchWriter("B-2611-001", dt.datetime(2026, 11, 3, 6, 30, tzinfo=UTC))
    op = "op.alvarez"
    w.login(op)
    w.start(op)
    w.confirm("OP10.S10", op)
    w.answer("OP10.S20", op, True)
    w.sign("OP10.S30", "sv.nowak")
    _dispense_and_granulate(w, op)
    w.sign("OP30.S60", op)
    w.complete(op)
    w.logout(op)
    if reviewed:
        w.review("qa.dubois", "approved", "Reviewed by exception: no exceptions. Released for compression.")
    return w.record()


def refusals() -> BatchRecord:
    """B-2611-002 as tests/data/scripts/para500-refusals.yaml runs it (batch still in progress)."""
    w = BatchWriter("B-2611-002", dt.datetime(2026, 11, 4, 5, 45, tzinfo=UTC))
    sv = "sv.nowak"
    w.login(sv)
    w.start(sv)
    w.confirm("OP10.S10", sv)
    w.answer("OP10.S20", sv, True)
    w.refuse(
        "OP10.S30",
        sv,
        "sign",
        "independent_signer_required",
        "Piotr Nowak performed OP10.S10: another supervisor must sign this step.",
    )
    w.refuse(
        "OP10.S30",
        "sv.haddad",
        "sign",
        "signature_invalid",
        "The user id or password is not correct: the signature was not applied.",
    )
    w.sign("OP10.S30", "sv.haddad")
    w.refuse(
        "OP20.S10",
        sv,
        "scan",
        "equipment_calibration_due",
        "Floor scale 150 kg bay 2 (SCL-150-02) was calibrated until 2026-10-31: use another scale.",
        attempted={"code": "SCL-150-02"},
    )
    w.bind("OP20.S10", sv, "SCL-150-01")
    w.refuse(
        "OP20.S20",
        sv,
        "scan",
        "lot_quarantined",
        "Lot P24-0502 of Paracetamol is QUARANTINED: it may not be used.",
        attempted={"lot": "P24-0502", "material": "RM-0101"},
    )
    w.identify_lot("OP20.S20", sv, "P24-0817")
    w.weigh("OP20.S20", sv, "1.25", "61.85", source="manual")
    w.weigh("OP20.S20", sv, "1.25", "61.21", source="manual")
    w.logout(sv)
    return w.record()


def exceptions_batch() -> BatchRecord:
    """B-2611-003: an overridden refusal, an out-of-limits value and a manual deviation, all closed;
    the QA reviewer rejected the record."""
    w = BatchWriter("B-2611-003", dt.datetime(2026, 11, 5, 6, 0, tzinfo=UTC))
    op = "op.chen"
    w.login(op)
    w.start(op)
    w.confirm("OP10.S10", op)
    w.answer("OP10.S20", op, True)
    w.sign("OP10.S30", "sv.nowak")
    w.bind("OP20.S10", op, "SCL-150-01")
    w.identify_lot("OP20.S20", op, "P24-0817")
    w.weigh("OP20.S20", op, "1.25", "61.27")
    w.identify_lot("OP20.S30", op, "M24-1130")
    w.weigh("OP20.S30", op, "1.25", "49.10")
    w.bind("OP20.S40", op, "SCL-006-01")
    refusal = w.refuse(
        "OP20.S50",
        op,
        "scan",
        "lot_retest_due",
        "Lot K23-0901 of Povidone K30 was due for retest on 2026-09-01.",
        overridable=True,
        attempted={"lot": "K23-0901", "material": "RM-0303"},
    )
    override = w.override(
        refusal, "sv.haddad", "QC retest passed 2026-11-04 (LIMS sample 26-11873); WMS status update pending."
    )
    w.identify_lot("OP20.S50", op, "K23-0901")
    w.weigh("OP20.S50", op, "0.3120", "3.9310")
    w.identify_lot("OP20.S60", op, "C25-0103")
    w.weigh("OP20.S60", op, "0.3120", "2.7295")
    w.sign("OP20.S70", "sv.haddad")
    w.bind("OP30.S10", op, "GRN-01")
    w.confirm("OP30.S20", op)
    w.measure("OP30.S30", op, "150")
    w.measure("OP30.S40", op, "5.0")
    high_lod = w.measure("OP30.S50", op, "2.71")
    manual = w.open_deviation(
        None,
        op,
        "equipment",
        "Granulator lid seal found slightly worn at end of granulation; no product contact.",
        "manual",
    )
    assert high_lod.deviation_uid is not None
    w.close_deviation(
        w.deviations[override.deviation_uid or ""],
        "sv.haddad",
        "Retest result attached; lot released by QC on 2026-11-04.",
    )
    w.close_deviation(
        w.deviations[high_lod.deviation_uid],
        "sv.nowak",
        "Granulate dried a further 10 min; re-test LOD 1.95 % recorded in deviation report DR-2611-017.",
    )
    w.close_deviation(manual, "sv.nowak", "Seal replaced under work order WO-55812 before next batch.")
    w.sign("OP30.S60", op)
    w.complete(op)
    w.logout(op)
    w.review(
        "qa.berg",
        "rejected",
        "LOD out of limits: the re-test is not part of this record. Attach DR-2611-017.",
    )
    return w.record()


def synthetic(n_steps: int = 500, n_events: int = 5000) -> BatchRecord:
    """A large batch: n_steps steps over 25-step operations, padded to n_events events with
    lot scans, refusals and re-weighs."""
    kinds = ("instruction", "check", "equipment", "weigh", "weigh", "measure", "signature")
    operations: list[dict[str, Any]] = []
    materials = list(MATERIALS)
    for i in range(n_steps):
        if i % 25 == 0:
            operations.append(
                {
                    "id": f"OP{len(operations) + 1:03d}",
                    "title": f"Operation {len(operations) + 1}",
                    "training": ["SOP-GRAN-012"],
                    "steps": [],
                }
            )
        kind = kinds[i % len(kinds)]
        sid = f"{operations[-1]['id']}.S{len(operations[-1]['steps']) + 1:02d}"
        step: dict[str, Any] = {"id": sid, "kind": kind}
        if kind == "instruction":
            step |= {
                "text": f"Perform task {i}: check the equipment, the room and the materials as in the SOP.",
                "confirm": "Done",
            }
        elif kind == "check":
            step |= {"question": f"Is condition {i} met?", "expect": "yes"}
        elif kind == "equipment":
            step |= {
                "bind": "floor_scale",
                "class": "FLOOR-SCALE-150KG",
                "requires": ["in_service", "calibrated", "clean", "daily_check"],
            }
        elif kind == "weigh":
            step |= {
                "material": materials[i % 4],
                "quantity": {"value": "60.0", "unit": "kg"},
                "tolerance": {"minus_pct": "0.5", "plus_pct": "0.5"},
                "scale": "floor_scale",
            }
        elif kind == "measure":
            step |= {"name": f"Parameter {i}", "unit": "rpm", "limits": {"low": "140", "high": "160"}}
        else:
            step |= {"meaning": f"Step group {i} verified", "role": "supervisor"}
        operations[-1]["steps"].append(step)
    recipe = dict(CONTROL_RECIPE, operations=operations)
    w = BatchWriter("B-2699-999", dt.datetime(2026, 11, 10, 5, 0, tzinfo=UTC), recipe=recipe)
    lots_of = {m: next(lot for lot, v in LOTS.items() if v[0] == m and v[1] == "released") for m in materials}
    op = "op.alvarez"
    w.start(op)
    w.bind(operations[0]["steps"][2]["id"], op, "SCL-150-01")
    all_steps = [s for o in operations for s in o["steps"]]
    for i, s in enumerate(all_steps):
        sid, kind = s["id"], s["kind"]
        if i % 5 == 0:
            w.refuse(
                sid,
                op,
                "scan",
                "lot_quarantined",
                "Lot P24-0502 of Paracetamol is QUARANTINED.",
                attempted={"lot": "P24-0502"},
            )
        if kind == "instruction":
            w.confirm(sid, op)
        elif kind == "check":
            w.answer(sid, op, True)
        elif kind == "equipment":
            w.bind(sid, op, "SCL-150-01")
        elif kind == "weigh":
            lot = lots_of[s["material"]]
            w.identify_lot(sid, op, lot)
            w.weigh(sid, op, "1.25", "61.27" if i % 40 else "62.95")
            if not w.consumptions[-1].accepted:
                w.weigh(sid, op, "1.25", "61.21")
        elif kind == "measure":
            w.measure(sid, op, "150" if i % 50 else "171")
        else:
            w.sign(sid, "sv.nowak")
    # Pad with the views of step instructions the station logs, spread over the steps.
    missing = n_events - len(w.r.events) - 1
    for k in range(max(0, missing)):
        s = all_steps[k * len(all_steps) // max(1, missing)]
        w.r.tick(2)
        w.r.event("step.viewed", op, "step", s["id"], new={"step": s["id"], "screen": "instruction", "n": k})
    w.complete(op)
    return w.record()


def events_of(record: BatchRecord) -> Iterable[dict[str, Any]]:
    return (dict(e) for e in record.events)
