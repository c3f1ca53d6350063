"""Reading a batch record out of the store into the exports' read model.

``load_batch_record(session, batch_id)`` reads the batch's audit events (its stream, in seq
order), every typed record those events wrote, the master recipe the batch ran on (its
stored source, for the operations and steps), and the people who acted, and maps them to a
:class:`~ebr.export.record.BatchRecord`. It writes nothing.

Where the store keeps no snapshot of its own, the loader reconstructs one from the audit
trail: the lot status and expiry of a refused weighing come from the ``lot.identified``
event before it, the scale from the binding of the step's scale, a refusal's reason codes
and sentences from the refused event. Training records are master data as they stand now
(the store keeps no snapshot of them at use).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ebr import chain, models
from ebr.errors import NotFound
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
from recipes.loader import parse_recipe
from recipes.model import (
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MasterRecipe,
    MeasureStep,
    SignatureStep,
    WeighStep,
)
from recipes.units import convert

_A = models.AuditEvent
_REQUIRES = {
    "in_service": "in service",
    "calibrated": "calibrated",
    "clean": "clean",
    "daily_check": "daily check",
}
# The actions at a step that the execution section shows (besides refused ones).
_STEP_ACTIONS = {
    "step.confirmed",
    "step.answered",
    "step.signed",
    "measurement.recorded",
    "equipment.bound",
    "lot.identified",
    "weighing.accepted",
    "override.signed",
}


def load_batch_record(
    session: Session,
    batch_id: str,
    *,
    chain_verified: bool | None = None,
    site_timezone: str = "UTC",
) -> BatchRecord:
    """The batch record of ``batch_id`` as the exports read it. ``chain_verified`` is what
    ``ebr verify`` said of the audit trail (None: not checked); ``site_timezone`` the IANA name
    of the site's zone. Raises ``NotFound`` for an unknown batch."""
    batch = session.scalars(select(models.Batch).where(models.Batch.batch_id == batch_id)).one_or_none()
    if batch is None:
        raise NotFound(f"batch {batch_id} is not in the database")
    events = _events(session, batch_id)
    rows, stored = _records(session, events)
    recipe_row = session.scalars(
        select(models.Recipe).where(
            models.Recipe.code == batch.recipe_code, models.Recipe.version == batch.recipe_version
        )
    ).one_or_none()
    master = _master(recipe_row)
    return _Mapper(
        session, batch, recipe_row, master, events, rows, stored, site_timezone, chain_verified
    ).record()


# ---------------------------------------------------------------- reading


def _events(session: Session, batch_id: str) -> list[dict[str, Any]]:
    table = _A.__table__
    result = session.execute(select(table).where(table.c.stream == batch_id).order_by(table.c.seq))
    events = []
    for row in result.mappings():
        event = {f: row[f] for f in chain.EVENT_FIELDS}
        event["hash"] = row["hash"]
        for name in ("old_value", "new_value"):
            text = event[name]
            event[name] = None if text is None else json.loads(text)
        events.append(event)
    return events


def _records(
    session: Session, events: Sequence[Mapping[str, Any]]
) -> tuple[dict[tuple[str, str], Any], tuple[StoredRecord, ...]]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event["record_table"]:
            wanted[str(event["record_table"])].append(str(event["record_uid"]))
    rows: dict[tuple[str, str], Any] = {}
    for table, uids in wanted.items():
        model = models.model_for(table)
        column = model.__table__.c.uid
        for start in range(0, len(uids), 500):
            for row in session.scalars(select(model).where(column.in_(uids[start : start + 500]))):
                rows[(table, str(row.uid))] = row  # type: ignore[attr-defined]
    stored = []
    for event in events:
        key = (str(event["record_table"]), str(event["record_uid"]))
        if event["record_table"] and key in rows:
            content = chain.to_json_value(models.record_content(rows[key]))
            stored.append(StoredRecord(table=key[0], uid=key[1], content=content))
    return rows, tuple(stored)


def _master(row: models.Recipe | None) -> MasterRecipe | None:
    if row is None:
        return None
    try:
        return parse_recipe(row.source_text, f"{row.code}-v{row.version}.yaml")
    except Exception:  # a stored recipe that no longer parses: the steps come from the trail
        return None


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None


def _at(event: Mapping[str, Any]) -> dt.datetime:
    moment = _moment(event["occurred_at"])
    assert moment is not None
    return moment


def _yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _refusal_parts(event: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Reason codes and sentences of a refused event, whichever writer made it."""
    value = event.get("new_value")
    codes: list[str] = []
    sentences: list[str] = []
    items = value.get("refusals") if isinstance(value, dict) else None
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                codes.append(str(item.get("code", "")))
                if item.get("sentence"):
                    sentences.append(str(item["sentence"]))
            else:
                codes.append(str(item))
    reason = str(event.get("reason") or "")
    if not codes and reason:
        code, _, sentence = reason.partition(": ")
        codes = [c.strip() for c in code.split(",") if c.strip()]
        if sentence:
            sentences.append(sentence)
    return codes or ["refused"], sentences


# ---------------------------------------------------------------- mapping


class _Mapper:
    def __init__(
        self,
        session: Session,
        batch: models.Batch,
        recipe: models.Recipe | None,
        master: MasterRecipe | None,
        events: list[dict[str, Any]],
        rows: dict[tuple[str, str], Any],
        stored: tuple[StoredRecord, ...],
        site_timezone: str,
        chain_verified: bool | None,
    ) -> None:
        self.session = session
        self.batch = batch
        self.recipe = recipe
        self.master = master
        self.events = events
        self.rows = rows
        self.stored = stored
        self.site_timezone = site_timezone
        self.chain_verified = chain_verified
        self.by_record = {
            (str(e["record_table"]), str(e["record_uid"])): e for e in events if e["record_table"]
        }
        self.users: set[str] = {batch.started_by}
        snapshot = batch.control_recipe if isinstance(batch.control_recipe, dict) else {}
        self.targets = {str(w.get("step")): w for w in snapshot.get("weighings", []) if isinstance(w, dict)}
        self.materials = {m.code: m for m in session.scalars(select(models.Material))}

    def of(self, table: str) -> list[tuple[dict[str, Any], Any]]:
        """(event, row) of every record of a table, in seq order."""
        return [
            (e, self.rows[(table, str(e["record_uid"]))])
            for e in self.events
            if e["record_table"] == table and (table, str(e["record_uid"])) in self.rows
        ]

    def ref(self, table: str, uid: str) -> RecordRef | None:
        return RecordRef(table=table, uid=uid) if (table, uid) in self.rows else None

    # ------------------------------------------------------------ the whole
    def record(self) -> BatchRecord:
        equipment = self.equipment()
        consumptions = self.consumptions(equipment)
        measurements = self.measurements()
        refusals = self.refusals()
        deviations, overrides = self.deviations_and_overrides(refusals)
        signatures = self.signatures()
        reviews = self.reviews(signatures)
        operations = self.operations(consumptions, measurements, equipment)
        for e in self.events:
            if e["user_id"]:
                self.users.add(str(e["user_id"]))
        return BatchRecord(
            header=self.header(),
            site_timezone=self.site_timezone,
            operations=operations,
            equipment=equipment,
            consumptions=consumptions,
            measurements=measurements,
            refusals=refusals,
            deviations=deviations,
            overrides=overrides,
            signatures=signatures,
            reviews=reviews,
            personnel=self.personnel(),
            events=tuple(self.events),
            records=self.stored,
        )

    def header(self) -> BatchHeader:
        b = self.batch
        status, completed_at = "in_progress", None
        for _event, row in self.of("batch_status_changes"):
            status = row.status
            completed_at = row.changed_at if row.status == "completed" else completed_at
        approved_by, approved_at = self.approval()
        r, m = self.recipe, self.master
        return BatchHeader(
            batch_id=b.batch_id,
            product_code=r.product_code if r else (m.product_code if m else ""),
            product_name=r.product_name if r else (m.product_name if m else ""),
            recipe_code=b.recipe_code,
            recipe_version=b.recipe_version,
            recipe_title=r.title if r else (m.title if m else ""),
            recipe_content_hash=b.recipe_content_hash,
            batch_size=b.size,
            batch_unit=b.unit,
            station=b.station,
            started_by=b.started_by,
            started_at=b.started_at,
            completed_at=completed_at,
            status=status,
            chain_verified=self.chain_verified,
            recipe_approved_by=approved_by,
            recipe_approved_at=approved_at,
        )

    def approval(self) -> tuple[str | None, dt.datetime | None]:
        if self.recipe is None:
            return None, None
        current = chain.record_hash(models.record_content(self.recipe))
        signatures = self.session.scalars(
            select(models.Signature)
            .where(models.Signature.record_table == "recipes", models.Signature.record_uid == self.recipe.uid)
            .order_by(models.Signature.signed_at)
        )
        for signature in signatures:
            if signature.signed_hash == current and "approv" in signature.meaning.lower():
                return signature.signer_id, signature.signed_at
        return None, None

    # ------------------------------------------------------------ steps
    def operations(
        self,
        consumptions: tuple[LotConsumption, ...],
        measurements: tuple[Measurement, ...],
        equipment: tuple[EquipmentUse, ...],
    ) -> tuple[Operation, ...]:
        executions = self.executions(consumptions, measurements, equipment)
        done = self.done_steps()
        if self.master is None:
            recorded = tuple(
                Step(
                    step_id=s,
                    kind="",
                    title=s,
                    status="done" if s in done else "pending",
                    executions=tuple(x),
                )
                for s, x in executions.items()
            )
            return (Operation(op_id="-", title="Steps as recorded", steps=recorded),) if recorded else ()
        operations = []
        started = False
        for op in self.master.operations:
            steps = []
            for step in op.steps:
                title, params = self.describe(step)
                performed = executions.get(step.id, [])
                if step.id in done:
                    status = "done"
                elif any(x.action == "lot.identified" for x in performed):
                    status = "lot_identified"
                elif performed or not started:
                    status = "active"
                else:
                    status = "pending"
                started = started or status != "done"
                steps.append(
                    Step(
                        step_id=step.id,
                        kind=step.kind,
                        title=title,
                        status=status,
                        parameters=params,
                        executions=tuple(performed),
                    )
                )
            operations.append(
                Operation(
                    op_id=op.id,
                    title=op.title,
                    steps=tuple(steps),
                    training=(*self.master.training, *op.training),
                )
            )
        return tuple(operations)

    def done_steps(self) -> set[str]:
        done = set()
        for e in self.events:
            value = e["new_value"] if isinstance(e["new_value"], dict) else {}
            if e["outcome"] != "refused" and e["action"] in _STEP_ACTIONS - {
                "lot.identified",
                "override.signed",
            }:
                if value.get("step"):
                    done.add(str(value["step"]))
        return done

    def describe(self, step: Any) -> tuple[str, tuple[StepParameter, ...]]:
        if isinstance(step, InstructionStep):
            return step.text.strip(), (StepParameter(name="Confirmation", value=step.confirm),)
        if isinstance(step, CheckStep):
            return step.question, (StepParameter(name="Expected answer", value=_yes_no(step.expect).lower()),)
        if isinstance(step, SignatureStep):
            params = [
                StepParameter(name="Meaning", value=step.meaning),
                StepParameter(name="Role", value=step.role),
            ]
            if step.independent_of:
                params.append(
                    StepParameter(name="Signer independent of", value=", ".join(step.independent_of))
                )
            return step.meaning, tuple(params)
        if isinstance(step, EquipmentStep):
            return f"Bind a {step.equipment_class} as {step.bind}", (
                StepParameter(name="Equipment class", value=step.equipment_class),
                StepParameter(name="Requires", value=", ".join(_REQUIRES.get(r, r) for r in step.requires)),
            )
        if isinstance(step, WeighStep):
            material = self.materials.get(step.material)
            name = material.name if material else ""
            target = self.targets.get(step.id, {})
            unit = str(target.get("unit") or step.quantity.unit)
            params = [
                StepParameter(name="Target", value=str(target.get("target", step.quantity.value)), unit=unit),
                StepParameter(name="Tolerance", value=f"-{step.minus_pct} % / +{step.plus_pct} %"),
            ]
            if target.get("low") is not None:
                params.append(
                    StepParameter(name="Accepted net", value=f"{target['low']} – {target['high']}", unit=unit)
                )
            params.append(StepParameter(name="Scale", value=step.scale))
            return f"Weigh {step.material} {name}".strip(), tuple(params)
        if isinstance(step, MeasureStep):
            limits = (
                f"{step.low if step.low is not None else '—'} – {step.high if step.high is not None else '—'}"
            )
            return step.name, (StepParameter(name="Limits", value=limits, unit=step.unit),)
        return str(getattr(step, "id", "")), ()

    def executions(
        self,
        consumptions: tuple[LotConsumption, ...],
        measurements: tuple[Measurement, ...],
        equipment: tuple[EquipmentUse, ...],
    ) -> dict[str, list[StepExecution]]:
        by_uid: dict[str, Any] = {c.uid: c for c in consumptions}
        by_uid.update({m.uid: m for m in measurements})
        by_uid.update({q.uid: q for q in equipment})
        out: dict[str, list[StepExecution]] = defaultdict(list)
        for e in self.events:
            value = e["new_value"] if isinstance(e["new_value"], dict) else {}
            step = value.get("step") or (e["entity_id"] if e["entity_type"] == "step" else None)
            if not step:
                continue
            refused = e["outcome"] == "refused"
            if not refused and e["action"] not in _STEP_ACTIONS:
                continue
            user = e["user_id"]
            ref = None
            table, uid = e["record_table"], e["record_uid"]
            if table:
                ref = self.ref(str(table), str(uid))
                row = self.rows.get((str(table), str(uid)))
                performer = getattr(row, "performed_by", None)
                user = performer or user
            text = self.result_text(e, value, by_uid.get(str(uid)) if uid else None)
            out[str(step)].append(
                StepExecution(
                    uid=str(uid) if uid and table else str(e["uid"]),
                    action=str(e["action"]),
                    user_id=str(user) if user else None,
                    at=_at(e),
                    outcome=str(e["outcome"]),
                    result=text,
                    ref=ref,
                )
            )
        return out

    def result_text(self, e: Mapping[str, Any], value: Mapping[str, Any], item: Any) -> str:
        action = e["action"]
        if e["outcome"] == "refused":
            codes, sentences = _refusal_parts(e)
            return f"REFUSED ({', '.join(codes)}): {' '.join(sentences)}".strip()
        if action == "step.confirmed":
            return f"Confirmed: {value.get('confirmed', '')}"
        if action == "step.answered":
            answer = _yes_no(value.get("value"))
            expected = value.get("as_expected")
            return answer + ("" if expected in (None, True) else " — NOT AS EXPECTED (deviation)")
        if action == "step.signed":
            return f"Signed: {value.get('meaning', '')}"
        if action == "lot.identified":
            return f"Lot {value.get('lot')} of {value.get('material')} ({value.get('status')}, expires {value.get('expiry')})"
        if isinstance(item, LotConsumption):
            scale = f" on {item.scale_id}" if item.scale_id else ""
            return (
                f"Net {item.net} {item.unit} (gross {item.gross}, tare {item.tare}) of lot {item.lot}{scale}"
            )
        if isinstance(item, Measurement):
            return f"{item.value} {item.unit}" + ("" if item.in_limits else " — OUT OF LIMITS")
        if isinstance(item, EquipmentUse):
            return f"{item.equipment_id} ({item.name})"
        if action == "override.signed":
            return (
                f"Override of {value.get('reason_code', '')} e-signed; reason: {value.get('reason_text', '')}"
            )
        return str(action)

    # ------------------------------------------------------------ things used
    def equipment(self) -> tuple[EquipmentUse, ...]:
        out = []
        for _e, row in self.of("equipment_bindings"):
            snap = row.status_snapshot if isinstance(row.status_snapshot, dict) else {}
            out.append(
                EquipmentUse(
                    uid=row.uid,
                    equipment_id=row.equipment_id,
                    equipment_class=str(snap.get("class") or snap.get("equipment_class") or ""),
                    name=str(snap.get("name") or row.equipment_id),
                    step_id=row.step_id,
                    bind=row.bind_name,
                    used_by=row.bound_by,
                    used_at=row.bound_at,
                    status=str(snap.get("status") or ""),
                    calibrated_until=_date(snap.get("calibrated_until")),
                    clean_until=_moment(snap.get("clean_until")),
                    daily_check_until=_moment(snap.get("daily_check_until")),
                    serial_number=snap.get("serial_number"),
                    ref=self.ref("equipment_bindings", row.uid),
                )
            )
            self.users.add(row.bound_by)
        return tuple(out)

    def consumptions(self, equipment: tuple[EquipmentUse, ...]) -> tuple[LotConsumption, ...]:
        out: list[LotConsumption] = []
        lots: dict[str, dict[str, Any]] = {}
        bound: dict[str, EquipmentUse] = {}
        uses = {u.uid: u for u in equipment}
        for e in self.events:
            value = e["new_value"] if isinstance(e["new_value"], dict) else {}
            if e["action"] == "equipment.bound" and e["outcome"] != "refused":
                use = uses.get(str(e["record_uid"]))
                if use is not None and use.bind:
                    bound[use.bind] = use
            elif e["action"] == "lot.identified" and e["outcome"] != "refused":
                lots[str(value.get("step"))] = value
            elif e["action"] == "weighing.accepted" and e["record_table"] == "lot_consumptions":
                row = self.rows.get(("lot_consumptions", str(e["record_uid"])))
                if row is not None:
                    out.append(self.consumption(row, value, lots.get(row.step_id, {}), bound))
            elif e["outcome"] == "refused" and "gross" in value and "net" in value:
                out.append(self.refused_weighing(e, value, lots.get(str(value.get("step")), {}), bound))
        return tuple(out)

    def _scale(self, step_id: str, bound: Mapping[str, EquipmentUse]) -> EquipmentUse | None:
        if self.master is None:
            return None
        try:
            step = self.master.step(step_id)
        except Exception:
            return None
        return bound.get(step.scale) if isinstance(step, WeighStep) else None

    def _limits(
        self, step_id: str, unit: str, value: Mapping[str, Any]
    ) -> tuple[Decimal | None, str | None, Decimal | None, Decimal | None]:
        target = self.targets.get(step_id, {})
        target_unit = str(value.get("target_unit") or target.get("unit") or "") or None
        goal = _dec(value.get("target", target.get("target")))
        low = _dec(value.get("low", target.get("low")))
        high = _dec(value.get("high", target.get("high")))
        if target_unit and target_unit != unit:
            try:
                low = convert(low, target_unit, unit) if low is not None else None
                high = convert(high, target_unit, unit) if high is not None else None
            except Exception:
                low = high = None
        return goal, target_unit, low, high

    def _readability(self, scale: EquipmentUse | None, unit: str) -> Decimal | None:
        if scale is None or scale.ref is None:
            return None
        row = self.rows.get(("equipment_bindings", scale.uid))
        snap = row.status_snapshot if row is not None and isinstance(row.status_snapshot, dict) else {}
        readability = _dec(snap.get("scale_readability"))
        scale_unit = snap.get("scale_unit")
        if readability is None:
            return None
        if scale_unit and scale_unit != unit:
            try:
                return convert(readability, str(scale_unit), unit)
            except Exception:
                return None
        return readability

    def consumption(
        self, row: Any, value: Mapping[str, Any], lot: Mapping[str, Any], bound: Mapping[str, EquipmentUse]
    ) -> LotConsumption:
        material = self.materials.get(row.material_code)
        scale = self._scale(row.step_id, bound)
        goal, target_unit, low, high = self._limits(row.step_id, row.unit, value)
        self.users.add(row.weighed_by)
        return LotConsumption(
            uid=row.uid,
            step_id=row.step_id,
            material_code=row.material_code,
            material_name=material.name if material else str(value.get("material_name") or ""),
            gtin=material.gtin if material else lot.get("gtin"),
            lot=row.lot,
            lot_status=row.lot_status,
            lot_expiry=row.lot_expiry,
            lot_retest=row.lot_retest,
            gross=row.gross,
            tare=row.tare,
            net=row.net,
            unit=row.unit,
            target=goal,
            target_unit=target_unit,
            low=low,
            high=high,
            scale_id=scale.equipment_id if scale else None,
            scale_serial=row.device_serial,
            source=row.source,
            accepted=True,
            refusal_reason=None,
            weighed_by=row.weighed_by,
            weighed_at=row.weighed_at,
            readability=self._readability(scale, row.unit),
            ref=self.ref("lot_consumptions", row.uid),
        )

    def refused_weighing(
        self,
        e: Mapping[str, Any],
        value: Mapping[str, Any],
        lot: Mapping[str, Any],
        bound: Mapping[str, EquipmentUse],
    ) -> LotConsumption:
        step = str(value.get("step"))
        unit = str(value.get("unit") or "")
        code = str(lot.get("material") or "")
        material = self.materials.get(code)
        scale = self._scale(step, bound)
        goal, target_unit, low, high = self._limits(step, unit, value)
        codes, _ = _refusal_parts(e)
        return LotConsumption(
            uid=str(e["uid"]),
            step_id=step,
            material_code=code,
            material_name=material.name if material else str(lot.get("material_name") or ""),
            gtin=material.gtin if material else lot.get("gtin"),
            lot=str(lot.get("lot") or "—"),
            lot_status=str(lot.get("status") or ""),
            lot_expiry=_date(lot.get("expiry")),
            lot_retest=_date(lot.get("retest")),
            gross=_dec(value.get("gross")) or Decimal(0),
            tare=_dec(value.get("tare")) or Decimal(0),
            net=_dec(value.get("net")) or Decimal(0),
            unit=unit,
            target=goal,
            target_unit=target_unit,
            low=low,
            high=high,
            scale_id=scale.equipment_id if scale else None,
            scale_serial=value.get("device_serial"),
            source=str(value.get("source") or "manual"),
            accepted=False,
            refusal_reason=", ".join(codes),
            weighed_by=e["user_id"],
            weighed_at=_at(e),
            readability=None,
            ref=None,
        )

    def measurements(self) -> tuple[Measurement, ...]:
        out = []
        deviations = [(e, row) for e, row in self.of("deviations")]
        for e, row in self.of("measurements"):
            deviation = None
            if not row.in_limits:
                deviation = next(
                    (
                        d.uid
                        for de, d in deviations
                        if d.step_id == row.step_id
                        and de["seq"] > e["seq"]
                        and d.origin == "value_out_of_limits"
                    ),
                    None,
                )
            out.append(
                Measurement(
                    uid=row.uid,
                    step_id=row.step_id,
                    name=row.name,
                    value=row.value,
                    unit=row.unit,
                    low=row.low,
                    high=row.high,
                    in_limits=row.in_limits,
                    entered_by=row.measured_by,
                    entered_at=row.measured_at,
                    deviation_uid=deviation,
                    ref=self.ref("measurements", row.uid),
                )
            )
            self.users.add(row.measured_by)
        return tuple(out)

    def refusals(self) -> tuple[Refusal, ...]:
        out = []
        for e in self.events:
            if e["outcome"] != "refused":
                continue
            value = e["new_value"] if isinstance(e["new_value"], dict) else {}
            codes, sentences = _refusal_parts(e)
            step = value.get("step") or (e["entity_id"] if e["entity_type"] == "step" else None)
            action = str(value.get("action") or str(e["action"]).removesuffix(".refused"))
            out.append(
                Refusal(
                    uid=str(e["uid"]),
                    step_id=str(step) if step else None,
                    action=action,
                    reason_code=", ".join(codes),
                    sentence=" ".join(sentences),
                    overridable=False,
                    user_id=e["user_id"],
                    at=_at(e),
                )
            )
        return tuple(out)

    def deviations_and_overrides(
        self, refusals: tuple[Refusal, ...]
    ) -> tuple[tuple[Deviation, ...], tuple[Override, ...]]:
        closures = {row.deviation_uid: row for _, row in self.of("deviation_closures")}
        signatures = {(row.record_table, row.record_uid): row.uid for _, row in self.of("signatures")}
        override_rows = self.of("overrides")
        by_deviation = {row.deviation_uid: row for _, row in override_rows if row.deviation_uid}
        event_seq = {str(e["uid"]): int(e["seq"]) for e in self.events}
        seq_of = {r.uid: event_seq.get(r.uid, 0) for r in refusals}
        overrides = []
        taken: set[str] = set()
        for e, row in override_rows:
            earlier = [
                r
                for r in refusals
                if r.step_id == row.step_id and seq_of.get(r.uid, 0) < e["seq"] and r.uid not in taken
            ]
            refusal = (
                earlier[-1]
                if earlier and row.reason_code in earlier[-1].reason_code.replace(" ", "")
                else None
            )
            if refusal is not None:
                taken.add(refusal.uid)
            overrides.append(
                Override(
                    uid=row.uid,
                    step_id=row.step_id,
                    reason_code=row.reason_code,
                    supervisor=row.supervisor,
                    reason=row.reason_text,
                    at=row.overridden_at,
                    refusal_uid=refusal.uid if refusal else None,
                    deviation_uid=row.deviation_uid,
                    signature_uid=signatures.get(("overrides", row.uid)),
                    ref=self.ref("overrides", row.uid),
                )
            )
            self.users.add(row.supervisor)
        deviations = []
        for number, (_e, row) in enumerate(self.of("deviations"), start=1):
            closure = closures.get(row.uid)
            acknowledged = by_deviation.get(row.uid)
            closed_by = closed_at = reason = None
            if closure is not None:
                closed_by, closed_at, reason = closure.closed_by, closure.closed_at, closure.resolution
            elif acknowledged is not None and row.origin == "override":
                closed_by, closed_at = acknowledged.supervisor, acknowledged.overridden_at
                reason = f"Recorded with the supervisor's e-signed override: {acknowledged.reason_text}"
            deviations.append(
                Deviation(
                    uid=row.uid,
                    number=f"DEV-{number:02d}",
                    step_id=row.step_id,
                    category=row.category,
                    text=row.text,
                    origin=row.origin,
                    opened_by=row.opened_by,
                    opened_at=row.opened_at,
                    closed_by=closed_by,
                    closed_at=closed_at,
                    closure_reason=reason,
                    ref=self.ref("deviations", row.uid),
                )
            )
            self.users.add(row.opened_by)
        return tuple(deviations), tuple(overrides)

    def signatures(self) -> tuple[Signature, ...]:
        out = []
        for _e, row in self.of("signatures"):
            out.append(
                Signature(
                    uid=row.uid,
                    user_id=row.signer_id,
                    printed_name=row.printed_name,
                    meaning=row.meaning,
                    signed_at=row.signed_at,
                    signed_hash=row.signed_hash,
                    signed_record=RecordRef(table=row.record_table, uid=row.record_uid),
                    step_id=row.step_id,
                    ref=self.ref("signatures", row.uid),
                )
            )
            self.users.add(row.signer_id)
        return tuple(out)

    def reviews(self, signatures: Iterable[Signature]) -> tuple[Review, ...]:
        signed = {s.signed_record.uid: s.uid for s in signatures if s.signed_record.table == "reviews"}
        out = []
        for _e, row in self.of("reviews"):
            out.append(
                Review(
                    uid=row.uid,
                    decision=row.outcome,
                    reviewer=row.reviewer,
                    at=row.reviewed_at,
                    comment=row.comment or "",
                    signature_uid=signed.get(row.uid),
                    ref=self.ref("reviews", row.uid),
                )
            )
            self.users.add(row.reviewer)
        return tuple(out)

    def personnel(self) -> tuple[Person, ...]:
        ids = sorted(u for u in self.users if u)
        if not ids:
            return ()
        users = {u.id: u for u in self.session.scalars(select(models.User).where(models.User.id.in_(ids)))}
        documents = {d.code: d.revision for d in self.session.scalars(select(models.Document))}
        training: dict[str, list[TrainingEvidence]] = defaultdict(list)
        for t in self.session.scalars(
            select(models.TrainingRecord)
            .where(models.TrainingRecord.user_id.in_(ids))
            .order_by(models.TrainingRecord.document_code, models.TrainingRecord.revision)
        ):
            training[t.user_id].append(
                TrainingEvidence(
                    document=t.document_code,
                    revision=t.revision,
                    trained_on=t.trained_on,
                    expires=t.expires,
                    current_revision=documents.get(t.document_code),
                )
            )
        return tuple(
            Person(
                user_id=user_id,
                name=users[user_id].name if user_id in users else user_id,
                roles=tuple(users[user_id].roles) if user_id in users else (),
                training=tuple(training.get(user_id, ())),
            )
            for user_id in ids
        )
