"""A batch's life: started (or opened again), held and resumed, completed.

Starting needs an approved recipe and a positive mass; the control recipe (the master
recipe scaled to the batch size) is recorded with the batch. Completing needs every step
done and no deviation open.
"""

from __future__ import annotations

from typing import Any

from ebr import events as ev
from ebr import site_policy
from ebr.audit import SITE_STREAM
from ebr.lifecycle import BatchStatus
from ebr.sync import state as sync_state
from ebr.uow import UnitOfWork
from gating import reasons, rules
from gating import wording as W
from gating.reasons import ReasonCode, Refusal
from gating.wording import batch_status, wording
from recipes.ids import id_problem
from recipes.model import Quantity
from recipes.scaling import ControlRecipe, scale_recipe
from recipes.units import is_mass_unit
from station.engine import api
from station.engine import messages as M
from station.engine.answers import ActionError, Result
from station.engine.context import Context
from station.engine.step_actions import STEP_ROLES


def start(action: api.StartBatch, ctx: Context) -> Result:
    user = ctx.require_user()
    # A batch id names the record, its labels and its export files: the documented pattern.
    problem = id_problem(action.batch_id, "the batch id")
    if problem is not None:
        raise ActionError(problem)
    with ctx.db.unit_of_work() as uow:
        existing = uow.batch(action.batch_id)
        if existing is not None:
            if (existing.recipe_code, existing.recipe_version) != (action.recipe_code, action.recipe_version):
                raise ActionError(
                    wording(
                        M.BATCH_EXISTS,
                        batch=action.batch_id,
                        recipe=existing.recipe_code,
                        version=existing.recipe_version,
                    )
                )
            return _open(ctx, uow, action.batch_id)
        stored = uow.recipe(action.recipe_code, action.recipe_version)
        if stored is None:
            raise ActionError(
                wording(M.RECIPE_NOT_IMPORTED, recipe=action.recipe_code, version=action.recipe_version)
            )
        if stored.status != "approved":
            raise ActionError(
                wording(M.RECIPE_NOT_APPROVED, recipe=action.recipe_code, version=action.recipe_version)
            )
        if not (STEP_ROLES & user.roles):
            return ctx.refuse(
                uow,
                ev.Attempt.BATCH_START,
                rules.check_role(user, "operator", policy=ctx.policy),
                {"batch": action.batch_id},
                stream=SITE_STREAM,
                subject_type="batch",
                subject=action.batch_id,
            )
        stale = _sync_stale(ctx, uow)
        if stale:
            return ctx.refuse(
                uow,
                ev.Attempt.BATCH_START,
                stale,
                {"batch": action.batch_id},
                stream=SITE_STREAM,
                subject_type="batch",
                subject=action.batch_id,
            )
        recipe = ctx.batch.recipes.parsed(stored)
        ctx.facts.current(uow)  # so that the batch's first step can trust the caches
        if not is_mass_unit(action.unit) or action.size <= 0:
            raise ActionError(wording(M.NOT_A_MASS, size=action.size, unit=action.unit))
        control = scale_recipe(recipe, Quantity(action.size, action.unit))
        started = ev.BatchStarted(
            batch_id=action.batch_id,
            recipe_code=recipe.code,
            recipe_version=recipe.version,
            content_hash=control.content_hash,
            size=action.size,
            unit=action.unit,
            factor=control.factor,
            station=ctx.settings.station,
            control_recipe=_control_snapshot(control),
        )
        ctx.batch.open(action.batch_id, control)
        ctx.write(uow, started, user_id=user.user_id)
        ctx.batch.remember_materials(uow, recipe)
        ctx.commit(uow)
    return Result("done", f"batch {action.batch_id} started")


def _sync_stale(ctx: Context, uow: UnitOfWork) -> tuple[Refusal, ...]:
    """The site's sync_stale policy (off unless QA set a limit): no new batch while the oldest
    record the central hub has not acknowledged is older than the limit. A batch already
    started opens again whatever the sync: its work must be finished either way."""
    limit = site_policy.sync_stale_limit(uow)
    if limit is None:
        return ()
    oldest = sync_state.oldest_unsent_at(uow)
    age = None if oldest is None else ctx.now().utc - oldest
    return rules.check_sync_age(age, limit, policy=ctx.policy)


def open_batch(action: api.OpenBatch, ctx: Context) -> Result:
    ctx.require_user()
    with ctx.db.unit_of_work(read_only=True) as uow:
        return _open(ctx, uow, action.batch_id)


def _open(ctx: Context, uow: UnitOfWork, batch_id: str) -> Result:
    if uow.batch(batch_id) is None:
        raise ActionError(f"batch {batch_id} is not in the database")
    ctx.batch.open(batch_id)
    state = ctx.sync(uow)
    where = f"at step {state.current_step}" if state.current_step else "with every step done"
    return Result("done", f"batch {batch_id} opened {where}")


def hold(action: api.Hold, ctx: Context) -> Result:
    return _change_status(ctx, BatchStatus.IN_PROGRESS, ev.BatchHeld, action.reason or "held")


def resume(action: api.Resume, ctx: Context) -> Result:
    return _change_status(ctx, BatchStatus.ON_HOLD, ev.BatchResumed, action.reason or "resumed")


def _change_status(ctx: Context, required: BatchStatus, kind: type[ev.BatchHeld], reason: str) -> Result:
    from station.engine.deviations import limit_text

    limit_text(reason)
    with ctx.db.unit_of_work() as uow:
        user = ctx.require_user()
        state = ctx.sync(uow)
        if state.status is not required:
            shown = batch_status(state.status.value)
            raise ActionError(wording(M.BATCH_IN_STATUS, batch=state.batch_id, status=shown))
        changed = kind(batch_id=state.batch_id, old_status=state.status.value, why=reason)
        ctx.write(uow, changed, user_id=user.user_id)
        ctx.commit(uow)
    return Result("done", f"batch {state.batch_id} {changed.status.replace('_', ' ')}")


def complete(action: api.Complete, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user = ctx.require_user()
        state = ctx.sync(uow)
        if state.status is BatchStatus.COMPLETED:
            raise ActionError(wording(M.BATCH_COMPLETED_ALREADY, batch=state.batch_id))
        if state.status is BatchStatus.ON_HOLD:
            raise ActionError(wording(M.BATCH_ON_HOLD, batch=state.batch_id))
        refusals: list[Refusal] = []
        if state.current_step is not None:
            refusals += rules.check_sequence("complete", state.current_step, policy=ctx.policy)
        for deviation in state.open_deviations:
            at_step = wording(W.DEVIATION_AT_STEP_OPEN, step=str(deviation.step), text=deviation.text)
            refusals.append(reasons.refusal(ReasonCode.DEVIATION_OPEN, at_step, ctx.policy))
        if refusals:
            return ctx.refuse(
                uow,
                ev.Attempt.BATCH_COMPLETE,
                refusals,
                {"batch": state.batch_id},
                subject_type="batch",
                subject=state.batch_id,
            )
        completed = ev.BatchCompleted(batch_id=state.batch_id, old_status=state.status.value)
        ctx.write(uow, completed, user_id=user.user_id)
        ctx.commit(uow)
    return Result("done", f"batch {state.batch_id} completed")


def _control_snapshot(control: ControlRecipe) -> dict[str, Any]:
    """The control recipe as the batch's record holds it."""
    return {
        "recipe_code": control.master.code,
        "recipe_version": control.master.version,
        "content_hash": control.content_hash,
        "batch_size": {"quantity": str(control.batch_size.value), "unit": control.batch_size.unit},
        "factor": str(control.factor),
        "weighings": [
            {
                "step": w.step_id,
                "material": w.material,
                "target": str(w.target.value),
                "unit": w.unit,
                "low": str(w.low),
                "high": str(w.high),
            }
            for w in control.weighings
        ],
    }
