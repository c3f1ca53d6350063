"""BatchML: the control recipe (procedure, unit procedures, phases and their logic) and the batch's
data sets (measurements and weighings)."""

from __future__ import annotations

from ebr.export._bml_writer import _STATUS, _batch_value, _entry, _num, _time, _Writer
from ebr.export.record import BatchRecord, LotConsumption, Measurement, Step


def _control_recipe(w: _Writer, record: BatchRecord) -> None:
    h = record.header
    version = str(h.recipe_version)
    equipment_at: dict[str, list[str]] = {}
    for use in record.equipment:
        equipment_at.setdefault(use.step_id, []).append(use.equipment_id)
    for consumption in record.consumptions:
        if consumption.scale_id and consumption.accepted:
            equipment_at.setdefault(consumption.step_id, []).append(consumption.scale_id)
    with w.node("ControlRecipes"), w.node("ControlRecipeRecord"):
        _entry(
            w,
            f"{h.batch_id}/control-recipe",
            "Control Recipe",
            h.started_at,
            reference=h.recipe_content_hash,
            descriptions=(
                f"Control recipe of batch {h.batch_id} from master recipe {h.recipe_code} version "
                f"{h.recipe_version} (ExternalReference: content hash of the master recipe)",
            ),
        )
        with w.node("ControlRecipe"):
            w.leaf("ID", f"{h.recipe_code}/{h.batch_id}")
            w.leaf("Version", version)
            w.leaf("Description", h.recipe_title)
            w.leaf("BatchID", h.batch_id)
            with w.node("Header"):
                if h.recipe_approved_by:
                    with w.node("ApprovalHistory"):
                        if h.recipe_approved_at:
                            w.leaf("FinalApprovalDate", _time(h.recipe_approved_at))
                        w.leaf("Version", version)
                        with w.node("IndividualApproval"):
                            w.leaf("ApprovedBy", record.name_of(h.recipe_approved_by))
                            if h.recipe_approved_at:
                                w.leaf("ApprovalDate", _time(h.recipe_approved_at))
                            w.leaf("Description", "Approved for execution by QA (e-signature)")
                w.leaf("EffectiveDate", _time(h.started_at))
                w.leaf("ProductID", h.product_code)
                w.leaf("ProductName", h.product_name)
                with w.node("BatchSize"):
                    w.leaf("ScaledSize", _num(h.batch_size), unitCode=h.batch_unit)
                    w.leaf("UnitOfMeasure", h.batch_unit)
                w.leaf("ActualProductProduced", h.product_code)
                status = _STATUS.get(h.status)
                if status:
                    w.leaf("Status", status)
                else:
                    w.leaf("Status", "Other", OtherValue=h.status)
            for equipment_class in sorted({e.equipment_class for e in record.equipment}):
                used = ", ".join(
                    sorted({e.equipment_id for e in record.equipment if e.equipment_class == equipment_class})
                )
                with w.node("EquipmentRequirement"):
                    w.leaf("ID", equipment_class)
                    w.leaf("Description", f"Equipment class {equipment_class}; used: {used}")
            with w.node("Formula"):
                for _operation, step in record.steps():
                    if step.kind != "weigh":
                        continue
                    target = next((p for p in step.parameters if p.name.lower() == "target"), None)
                    with w.node("Parameter"):
                        w.leaf("ID", step.step_id)
                        w.leaf("Description", step.title)
                        w.leaf("ParameterType", "ProcessInput")
                        if target is not None:
                            _batch_value(w, "Value", target.value, "decimal", target.unit)
            with w.node("ProcedureLogic"):
                _logic_step(w, "S1", h.recipe_code, version)
            with w.node("RecipeElement"):
                w.leaf("ID", h.recipe_code)
                w.leaf("Version", version)
                w.leaf("Description", h.recipe_title)
                w.leaf("RecipeElementType", "Procedure")
                _sequence(w, [op.op_id for op in record.operations], version)
                for operation in record.operations:
                    with w.node("RecipeElement"):
                        w.leaf("ID", operation.op_id)
                        w.leaf("Version", version)
                        w.leaf("Description", operation.title)
                        w.leaf("RecipeElementType", "Operation")
                        _sequence(w, [s.step_id for s in operation.steps], version)
                        for step in operation.steps:
                            _phase(w, step, version, equipment_at.get(step.step_id, []))
                        if operation.training:
                            with w.node("OtherInformation"):
                                w.leaf("ID", "training")
                                _batch_value(w, "Value", ", ".join(operation.training))


def _phase(w: _Writer, step: Step, version: str, equipment: list[str]) -> None:
    with w.node("RecipeElement"):
        w.leaf("ID", step.step_id)
        w.leaf("Version", version)
        w.leaf("Description", step.title)
        w.leaf("RecipeElementType", "Phase")
        for equipment_id in dict.fromkeys(equipment):
            w.leaf("ActualEquipmentID", equipment_id)
        for index, p in enumerate(step.parameters, start=1):
            with w.node("Parameter"):
                w.leaf("ID", f"{step.step_id}.P{index}")
                w.leaf("Description", p.name)
                kind = (
                    "ProcessInput"
                    if step.kind == "weigh" and p.name.lower() == "target"
                    else "ProcessParameter"
                )
                w.leaf("ParameterType", kind)
                _batch_value(w, "Value", p.value, "string", p.unit)
        for name, value in (("kind", step.kind), ("status", step.status)):
            with w.node("OtherInformation"):
                w.leaf("ID", name)
                _batch_value(w, "Value", value)


def _logic_step(w: _Writer, step_id: str, element: str, version: str) -> None:
    with w.node("Step"):
        w.leaf("ID", step_id)
        w.leaf("RecipeElementID", element)
        w.leaf("RecipeElementVersion", version)


def _sequence(w: _Writer, elements: list[str], version: str) -> None:
    """ProcedureLogic running the elements one after another (control links)."""
    if not elements:
        return
    with w.node("ProcedureLogic"):
        for index in range(1, len(elements)):
            with w.node("Link"):
                w.leaf("ID", f"L{index}")
                with w.node("FromID"):
                    w.leaf("FromIDValue", f"S{index}")
                    w.leaf("FromType", "Step")
                    w.leaf("IDScope", "Internal")
                with w.node("ToID"):
                    w.leaf("ToIDValue", f"S{index + 1}")
                    w.leaf("ToType", "Step")
                    w.leaf("IDScope", "Internal")
                w.leaf("LinkType", "ControlLink")
                w.leaf("Depiction", "LineAndArrow")
        for index, element in enumerate(elements, start=1):
            _logic_step(w, f"S{index}", element, version)


def _data_sets(w: _Writer, record: BatchRecord) -> None:
    with w.node("DataSets"):
        for m in record.measurements:
            _measurement_set(w, m)
        for c in record.consumptions:
            _weighing_set(w, c)


def _tag(
    w: _Writer,
    index: int,
    data_type: str,
    unit: str | None,
    description: str,
    step: str,
    equipment: str | None = None,
) -> None:
    with w.node("TagSpecification"):
        w.leaf("TagIndex", str(index))
        w.leaf("DataType", data_type)
        w.leaf("UnitOfMeasure", unit or None)
        w.leaf("Description", description)
        if equipment:
            w.leaf("EquipmentID", equipment)
        w.leaf("ProceduralElementReference", step)


def _data(w: _Writer, index: int, value: str | None, quality: str | None = None) -> None:
    with w.node("DataValue"):
        w.leaf("TagIndex", str(index))
        w.leaf("Value", "" if value is None else value)
        if quality:
            w.leaf("Quality", quality)


def _measurement_set(w: _Writer, m: Measurement) -> None:
    with w.node("DataSet"):
        _entry(
            w,
            m.uid,
            "Data Set",
            m.entered_at,
            descriptions=(f"{m.step_id}: {m.name} entered by {m.entered_by or 'system'}",),
        )
        w.leaf("StartTime", _time(m.entered_at))
        w.leaf("EndTime", _time(m.entered_at))
        _tag(w, 1, "decimal", m.unit, m.name, m.step_id)
        _tag(w, 2, "decimal", m.unit, "low limit", m.step_id)
        _tag(w, 3, "decimal", m.unit, "high limit", m.step_id)
        _tag(w, 4, "boolean", None, "within limits", m.step_id)
        with w.node("OrderedData"):
            w.leaf("OrderIndex", "1")
            w.leaf("TimeValue", _time(m.entered_at))
            _data(w, 1, _num(m.value), "good" if m.in_limits else "out of limits")
            _data(w, 2, _num(m.low) if m.low is not None else None)
            _data(w, 3, _num(m.high) if m.high is not None else None)
            _data(w, 4, "true" if m.in_limits else "false")


def _weighing_set(w: _Writer, c: LotConsumption) -> None:
    outcome = "accepted" if c.accepted else f"refused: {c.refusal_reason or ''}"
    with w.node("DataSet"):
        _entry(
            w,
            c.uid,
            "Data Set",
            c.weighed_at,
            descriptions=(
                f"{c.step_id}: weighing of {c.material_code} {c.material_name}, lot {c.lot}, "
                f"by {c.weighed_by or 'system'} ({c.source}), {outcome}",
            ),
        )
        w.leaf("StartTime", _time(c.weighed_at))
        w.leaf("EndTime", _time(c.weighed_at))
        _tag(w, 1, "decimal", c.unit, "gross", c.step_id, c.scale_id)
        _tag(w, 2, "decimal", c.unit, "tare", c.step_id, c.scale_id)
        _tag(w, 3, "decimal", c.unit, "net", c.step_id, c.scale_id)
        _tag(w, 4, "string", None, "material lot", c.step_id)
        _tag(w, 5, "string", None, "scale serial number", c.step_id, c.scale_id)
        with w.node("OrderedData"):
            w.leaf("OrderIndex", "1")
            w.leaf("TimeValue", _time(c.weighed_at))
            _data(w, 1, _num(c.gross))
            _data(w, 2, _num(c.tare))
            _data(w, 3, _num(c.net), "accepted" if c.accepted else "refused")
            _data(w, 4, c.lot)
            _data(w, 5, c.scale_serial)
