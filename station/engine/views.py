"""What the screens are handed: the station's state, the open batch and a view of each step,
with what each step shows in the typed class of its kind (``station.engine.api``).

A step's view is made from the recipe's step and the replay's typed entries for it (its
result, lot, last refusal, and for a weigh step the binding of its scale). The open batch's
views are made again only for the steps an action changed (``StepViews``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from ebr import events as ev
from ebr.lifecycle import BatchStatus, StepStatus
from ebr.replay import BatchState, Recorded
from gating import facts as gf
from gating.reasons import Refusal
from recipes.model import (
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MasterRecipe,
    MeasureStep,
    Operation,
    Step,
    WeighStep,
)
from recipes.scaling import ControlRecipe
from station.engine import api
from station.engine.context import Session
from station.engine.open_batch import OpenBatch

#: What a step's view depends on besides its status, as the state's entries: the state replaces
#: an entry with a new object whenever it changes, so the same objects prove the view current.
_Key = tuple[
    StepStatus,
    Recorded[ev.StepDone] | None,
    Recorded[ev.LotIdentified] | None,
    Recorded[ev.ActionRefused] | None,
    Recorded[ev.EquipmentBound] | None,
    str | None,
]


def refusal_view(refusal: Refusal) -> api.RefusalView:
    return api.RefusalView(
        refusal.code.value, refusal.sentence, refusal.overridable, refusal.what_next, refusal.wording
    )


def station_view(session: Session, batch: OpenBatch, views: StepViews) -> api.StationState:
    user = None
    if session.user is not None:
        user = api.UserView(
            session.user.user_id,
            session.user.name,
            tuple(sorted(session.user.roles)),
            session.must_change_password,
        )
    shown = None
    allowed: list[str] = ["login"] if user is None else ["logout", "start", "open"]
    if batch.state is not None and batch.control is not None:
        shown = batch_view(batch.state, batch.control, batch.material_names, views, batch.image_files)
        if user is not None:
            allowed += allowed_actions(batch.state, batch.control.master)
    return api.StationState(user, shown, tuple(allowed))


def allowed_actions(state: BatchState, recipe: MasterRecipe) -> list[str]:
    """The actions the screens offer now (the gates still judge each one)."""
    if state.status is BatchStatus.ON_HOLD:
        return ["resume", "deviation"]
    if state.status is BatchStatus.COMPLETED:
        return []
    out = ["hold", "deviation"]
    if state.open_deviations or state.last_refusal:
        out.append("override")
    step_id = state.current_step
    if step_id is None:
        return [*out, "complete"]
    kind = recipe.step(step_id).kind
    out += {
        "instruction": ["confirm"],
        "check": ["answer"],
        "measure": ["enter"],
        "equipment": ["scan"],
        "weigh": ["scan", "weigh"] if state.steps[step_id] is StepStatus.LOT_IDENTIFIED else ["scan"],
        "signature": ["sign"],
    }[kind]
    return out


def batch_view(
    state: BatchState,
    control: ControlRecipe,
    names: dict[str, str],
    views: StepViews | None = None,
    images: Mapping[str, str] | None = None,
) -> api.BatchView:
    """The batch as the screens show it; ``views``: the step views kept from before (without,
    every step's view is made from scratch)."""
    recipe = control.master
    if views is None:
        steps = tuple(
            step_view(operation, index, step, state, control, names, images)
            for operation in recipe.operations
            for index, step in enumerate(operation.steps, start=1)
        )
    else:
        steps = views.views(state, control, names, images)
    deviations = tuple(
        api.DeviationView(d.uid, d.step, d.category, d.text, d.opened_by, d.opened_at)
        for d in state.open_deviations
    )
    return api.BatchView(
        batch_id=state.batch_id,
        recipe_code=recipe.code,
        recipe_version=recipe.version,
        recipe_title=recipe.title,
        product_code=recipe.product_code,
        product_name=recipe.product_name,
        size=Decimal(state.size),
        unit=state.unit,
        status=state.status.value,
        steps=steps,
        current_step=state.current_step,
        open_deviations=deviations,
        stopped_at=state.blocked_by.step if state.blocked_by is not None else None,
    )


class StepViews:
    """The step views of the open batch, each made again only when what it shows changed.

    A step's view depends on its status and on the entries of the batch state that name it
    (its result, lot, last refusal, and for a weigh step the binding of its scale). The state
    replaces such an entry with a new object whenever it changes and never changes one in
    place, so an entry that is the same object as when the view was made proves the view
    current. Views are made from scratch for another batch or control recipe."""

    def __init__(self) -> None:
        self._control: ControlRecipe | None = None
        self._batch: str | None = None
        # Per step, in recipe order: operation, index in it, step, and the names its view
        # looks up in the state (binding, material): fixed by the control recipe.
        self._layout: list[tuple[Operation, int, Step, str, str | None, str | None]] = []
        self._views: dict[str, tuple[_Key, api.StepView]] = {}

    def views(
        self,
        state: BatchState,
        control: ControlRecipe,
        names: dict[str, str],
        images: Mapping[str, str] | None = None,
    ) -> tuple[api.StepView, ...]:
        if control is not self._control or state.batch_id != self._batch:
            self._control, self._batch = control, state.batch_id
            self._views.clear()
            self._layout = [
                (operation, index, step, step.id, _binding_of(step), _material_of(step))
                for operation in control.master.operations
                for index, step in enumerate(operation.steps, start=1)
            ]
        statuses, results, lots = state.steps, state.results, state.lots
        refusals, bindings, views = state.last_refusal, state.bindings, self._views
        made: list[api.StepView] = []
        for operation, index, step, sid, binding, material in self._layout:
            key: _Key = (
                statuses[sid],
                results.get(sid),
                lots.get(sid),
                refusals.get(sid),
                bindings.get(binding) if binding else None,
                names.get(material) if material else None,
            )
            cached = views.get(sid)
            if cached is not None:
                k = cached[0]
                if (
                    k[0] is key[0]
                    and k[1] is key[1]
                    and k[2] is key[2]
                    and k[3] is key[3]
                    and k[4] is key[4]
                    and k[5] is key[5]
                ):
                    made.append(cached[1])
                    continue
            view = step_view(operation, index, step, state, control, names, images)
            views[sid] = (key, view)
            made.append(view)
        return tuple(made)


def _binding_of(step: Step) -> str | None:
    if isinstance(step, WeighStep):
        return step.scale
    if isinstance(step, EquipmentStep):
        return step.bind
    return None


def _material_of(step: Step) -> str | None:
    return step.material if isinstance(step, WeighStep) else None


def step_view(
    operation: Operation,
    index: int,
    step: Step,
    state: BatchState,
    control: ControlRecipe,
    names: dict[str, str],
    images: Mapping[str, str] | None = None,
) -> api.StepView:
    status = state.steps[step.id]
    return api.StepView(
        id=step.id,
        kind=step.kind,
        operation_id=operation.id,
        operation_title=operation.title,
        index_in_operation=index,
        steps_in_operation=len(operation.steps),
        status="done"
        if status is StepStatus.DONE
        else ("pending" if status is StepStatus.PENDING else "active"),
        detail=step_detail(step, state, control, names, images),
    )


def step_detail(
    step: Step,
    state: BatchState,
    control: ControlRecipe,
    names: dict[str, str],
    images: Mapping[str, str] | None = None,
) -> api.StepDetail:
    """What a step shows: the recipe's step and what the record holds of it so far."""
    done = state.results.get(step.id)
    result = done.event if done is not None else None
    if isinstance(step, InstructionStep):
        # The image as stored with the approved recipe version (a file named by its hash), never
        # the file the recipe named, which may have changed since.
        shown = (images or {}).get(step.image_sha256 or "") if step.image else None
        return api.InstructionDetail(step.text, step.confirm, shown)
    if isinstance(step, CheckStep):
        answered = result.value if isinstance(result, ev.CheckAnswered) else None
        return api.CheckDetail(step.question, step.expect, answered)
    if isinstance(step, MeasureStep):
        measured = result if isinstance(result, ev.MeasurementRecorded) else None
        return api.MeasureDetail(
            name=step.name,
            unit=step.unit,
            low=step.low,
            high=step.high,
            decimals=step.decimals,
            value=measured.value if measured else None,
            in_limits=measured.in_limits if measured else None,
        )
    refused = last_refusal(state.last_refusal.get(step.id))
    if isinstance(step, EquipmentStep):
        binding = state.bindings.get(step.bind)
        return api.EquipmentDetail(
            bind=step.bind,
            equipment_class=step.equipment_class,
            requires=step.requires,
            bound=equipment(binding.event.equipment) if binding and done is not None else None,
            last_refusal=refused,
        )
    if isinstance(step, WeighStep):
        target = control.weighing(step.id)
        scale = state.bindings.get(step.scale)
        identified = state.lots.get(step.id)
        return api.WeighDetail(
            material=step.material,
            material_name=names.get(step.material),
            target=target.target.value,
            unit=target.unit,
            low=target.low,
            high=target.high,
            scale=step.scale,
            scale_id=scale.event.equipment.id if scale else None,
            scale_unit=scale.event.equipment.scale_unit if scale else None,
            lot=lot(identified.event) if identified else None,
            weighing=accepted_weighing(done) if done is not None else None,
            last_refusal=refused,
        )
    signed = result if isinstance(result, ev.StepSigned) else None
    return api.SignatureDetail(
        meaning=step.meaning,
        role=step.role,
        independent_of=step.independent_of,
        signed_by=signed.printed_name if signed else None,
        signed_by_id=signed.performed_by if signed else None,
        signed_at=moment(done.at) if signed and done else None,
        last_refusal=refused,
    )


def moment(at: str | None) -> dt.datetime | None:
    """A recorded time (ISO 8601 UTC text, as hashed) as an aware datetime; None for a time
    that cannot be read as one (the record, not the screen, is where to find such a thing)."""
    if at is None:
        return None
    try:
        return dt.datetime.fromisoformat(at)
    except ValueError:
        return None


def last_refusal(refused: Recorded[ev.ActionRefused] | None) -> api.LastRefusal | None:
    if refused is None:
        return None
    event = refused.event
    return api.LastRefusal(
        attempted=event.attempted,
        codes=event.codes,
        sentences=tuple(r.sentence for r in event.refusals),
        at=moment(refused.at),
    )


def equipment(snapshot: ev.EquipmentSnapshot) -> gf.Equipment:
    """Equipment as its gate saw it when it was bound."""
    return gf.Equipment(
        id=snapshot.id,
        equipment_class=snapshot.equipment_class,
        name=snapshot.name,
        status=snapshot.status,
        calibrated_until=snapshot.calibrated_until,
        clean_until=snapshot.clean_until,
        daily_check_until=snapshot.daily_check_until,
        scale_capacity=snapshot.scale_capacity,
        scale_readability=snapshot.scale_readability,
        scale_unit=snapshot.scale_unit,
        scale_min_weight=snapshot.scale_min_weight,
        serial_number=snapshot.serial_number,
    )


def lot(identified: ev.LotIdentified) -> gf.Lot:
    """The lot as its gate saw it when it was identified."""
    return gf.Lot(
        identified.material, identified.lot, identified.status, identified.expiry, identified.retest
    )


def accepted_weighing(done: Recorded[ev.StepDone]) -> api.AcceptedWeighing | None:
    weighed = done.event
    if not isinstance(weighed, ev.WeighingAccepted):
        return None
    return api.AcceptedWeighing(
        gross=weighed.gross,
        tare=weighed.tare,
        net=weighed.net,
        unit=weighed.unit,
        net_in_target_unit=weighed.net_in_target_unit,
        lot=weighed.lot,
        source=weighed.source,
        device_serial=weighed.device_serial,
        overridden=weighed.override is not None,
        weighed_by=weighed.performed_by,
        at=moment(done.at),
    )
