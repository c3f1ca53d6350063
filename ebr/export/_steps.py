"""The recipe's operations and steps as the batch record shows them: each step's title and
parameters (scaled for the batch), its status and what was done at it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ebr import models
from ebr.export.record import Operation, Step, StepExecution, StepParameter
from ebr.lifecycle import StepStatus
from recipes.model import CheckStep, EquipmentStep, InstructionStep, MasterRecipe, SignatureStep, WeighStep
from recipes.model import Step as RecipeStep

_REQUIRES = {
    "in_service": "in service",
    "calibrated": "calibrated",
    "clean": "clean",
    "daily_check": "daily check",
}


def operations(
    master: MasterRecipe | None,
    executions: Mapping[str, Sequence[StepExecution]],
    status: Mapping[str, StepStatus],
    *,
    targets: Mapping[str, Mapping[str, Any]],
    materials: Mapping[str, models.Material],
) -> tuple[Operation, ...]:
    """The operations of ``master`` with every step, its ``status`` (the replay's) and its
    ``executions``; without a recipe (one that no longer parses), the steps as recorded."""

    def shown(step_id: str) -> str:
        return status.get(step_id, StepStatus.PENDING).value

    if master is None:
        recorded = tuple(
            Step(step_id=s, kind="", title=s, status=shown(s), executions=tuple(done))
            for s, done in executions.items()
        )
        return (Operation(op_id="-", title="Steps as recorded", steps=recorded),) if recorded else ()
    out = []
    for op in master.operations:
        steps = []
        for step in op.steps:
            title, params = _describe(step, targets.get(step.id, {}), materials)
            steps.append(
                Step(
                    step_id=step.id,
                    kind=step.kind,
                    title=title,
                    status=shown(step.id),
                    parameters=params,
                    executions=tuple(executions.get(step.id, ())),
                )
            )
        training = (*master.training, *op.training)
        out.append(Operation(op_id=op.id, title=op.title, steps=tuple(steps), training=training))
    return tuple(out)


def _describe(
    step: RecipeStep, target: Mapping[str, Any], materials: Mapping[str, models.Material]
) -> tuple[str, tuple[StepParameter, ...]]:
    """A step's title and parameters; a weigh step's ``target`` as the control recipe scaled it."""
    if isinstance(step, InstructionStep):
        return step.text.strip(), (StepParameter(name="Confirmation", value=step.confirm),)
    if isinstance(step, CheckStep):
        return step.question, (StepParameter(name="Expected answer", value=yes_no(step.expect).lower()),)
    if isinstance(step, SignatureStep):
        params = [
            StepParameter(name="Meaning", value=step.meaning),
            StepParameter(name="Role", value=step.role),
        ]
        if step.independent_of:
            params.append(StepParameter(name="Signer independent of", value=", ".join(step.independent_of)))
        return step.meaning, tuple(params)
    if isinstance(step, EquipmentStep):
        return f"Bind a {step.equipment_class} as {step.bind}", (
            StepParameter(name="Equipment class", value=step.equipment_class),
            StepParameter(name="Requires", value=", ".join(_REQUIRES.get(r, r) for r in step.requires)),
        )
    if isinstance(step, WeighStep):
        material = materials.get(step.material)
        unit = str(target.get("unit") or step.quantity.unit)
        weigh = [
            StepParameter(name="Target", value=str(target.get("target", step.quantity.value)), unit=unit),
            StepParameter(name="Tolerance", value=f"-{step.minus_pct} % / +{step.plus_pct} %"),
        ]
        if target.get("low") is not None:
            weigh.append(
                StepParameter(name="Accepted net", value=f"{target['low']} – {target['high']}", unit=unit)
            )
        weigh.append(StepParameter(name="Scale", value=step.scale))
        return f"Weigh {step.material} {material.name if material else ''}".strip(), tuple(weigh)
    low = step.low if step.low is not None else "—"
    high = step.high if step.high is not None else "—"
    return step.name, (StepParameter(name="Limits", value=f"{low} – {high}", unit=step.unit),)


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"
