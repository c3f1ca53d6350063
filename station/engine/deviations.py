"""Deviations and overrides: a deviation raised by hand, and a supervisor's signed override.

An override at a step does one of two things. With a deviation open there, the supervisor
acknowledges it (and closes it). Otherwise it overrides the step's last refusal, if every
reason of it may be overridden: the override opens an acknowledged deviation, and the
refused action (a weighing, a lot or equipment scan) is carried out again with exactly the
overridden reasons waived.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ebr import events as ev
from ebr import users
from ebr.lifecycle import BatchStatus
from ebr.replay import BatchState, OpenDeviation, Recorded
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating import rules
from gating.reasons import ReasonCode, Refusal, refusal
from gating.wording import batch_status, wording
from recipes.model import EquipmentStep, WeighStep
from station.engine import api
from station.engine import messages as M
from station.engine.answers import ActionError, Result
from station.engine.context import Context
from station.engine.manual_weighing import refused_manual_entry
from station.engine.scans import accept_weighing, bind_equipment, decode, identify_lot
from station.engine.session_actions import auth_refusal
from station.engine.step_actions import blocked, fresh_password, gate_step


def raise_deviation(action: api.RaiseDeviation, ctx: Context) -> Result:
    if not action.text.strip() or not action.category.strip():
        raise ActionError(wording(M.DEVIATION_NEEDS_TEXT))
    limit_text(action.text, action.category)
    with ctx.db.unit_of_work() as uow:
        ctx.require_user()
        state = ctx.sync(uow)
        step = action.step or state.current_step or state.step_order[-1]
        if step not in state.steps:
            raise ActionError(f"step {step} is not a step of {state.recipe_code}")
        ctx.open_deviation(uow, step, action.category, action.text, "manual")
        ctx.commit(uow)
    return Result("done", f"deviation raised at {step}")


def override(action: api.Override, ctx: Context) -> Result:
    if not action.reason.strip():
        raise ActionError(wording(M.OVERRIDE_NEEDS_REASON))
    limit_text(action.reason)
    with ctx.db.unit_of_work() as uow:
        ctx.require_user()
        state = ctx.sync(uow)
        if action.step not in state.steps:
            raise ActionError(f"step {action.step} is not a step of {state.recipe_code}")
        attempt = {"step": action.step, "supervisor": action.user, "reason_text": action.reason}
        supervisor, refusals = _supervisor(ctx, uow, action.user, action.password)
        open_here = state.deviations_at(action.step)
        refused = state.last_refusal.get(action.step)
        if not refusals and not open_here and refused is None:
            raise ActionError(wording(M.NOTHING_TO_OVERRIDE, step=action.step))
        if not refusals and state.blocked_by is not None and state.blocked_by.step == action.step:
            refusals += blocked(ctx, state)  # not by override: a supervisor decides (``decide``)
        if not refusals and supervisor is not None:
            refusals += _four_eyes(ctx, supervisor, action.step, state, open_here, refused)
        if refusals:
            return ctx.refuse(uow, ev.Attempt.OVERRIDE, refusals, attempt)
        assert supervisor is not None
        if open_here:
            return _acknowledge(ctx, uow, supervisor, action, open_here)
        assert refused is not None
        return _override_refusal(ctx, uow, supervisor, action, refused)


def _four_eyes(
    ctx: Context,
    supervisor: gf.Actor,
    step: str,
    state: BatchState,
    open_here: list[OpenDeviation],
    refused: Recorded[ev.ActionRefused] | None,
) -> list[Refusal]:
    """Who may not sign this override: for open deviations, whoever opened them or did the
    step; for a refusal, whoever made the refused attempt (not whoever is logged in now), and
    nobody at all for a refusal no site lets a supervisor override."""
    if open_here:
        doers = {d.opened_by for d in open_here if d.opened_by} | state.performers.get(step, set())
        return list(rules.check_independent_signer(supervisor.user_id, {step: doers}, policy=ctx.policy))
    assert refused is not None
    hard = [c for c in refused.event.codes if not ctx.policy.is_overridable(ReasonCode(c))]
    if hard:
        said = wording(M.CANNOT_OVERRIDE, codes=", ".join(hard))
        return [refusal(ReasonCode(code), said, ctx.policy) for code in hard]
    if refused.event.attempted == ev.Attempt.WEIGHING:
        manual = refused_manual_entry(refused.event.attempt, ctx.policy)
        if manual:
            return manual
    attempted_by = {refused.user_id} if refused.user_id else set()
    return list(rules.check_independent_signer(supervisor.user_id, {step: attempted_by}, policy=ctx.policy))


#: The meaning of a supervisor's e-signature on each decision about a check that stopped the batch.
DECISION_MEANINGS = {
    "continue": "Stopped batch continues: decided by supervisor",
    "repeat": "Stopped check to be repeated: decided by supervisor",
    "hold": "Stopped batch put on hold: decided by supervisor",
}


def decide(action: api.Decide, ctx: Context) -> Result:
    if not action.reason.strip():
        raise ActionError(wording(M.DECISION_NEEDS_REASON))
    limit_text(action.reason)
    if action.decision not in DECISION_MEANINGS:
        raise ActionError(f"decision must be one of {', '.join(DECISION_MEANINGS)}, not {action.decision!r}")
    with ctx.db.unit_of_work() as uow:
        ctx.require_user()
        state = ctx.sync(uow)
        deviation = state.blocked_by
        if deviation is None or deviation.step != action.step:
            raise ActionError(wording(M.NOTHING_TO_DECIDE, step=action.step))
        if action.decision == "hold" and state.status is not BatchStatus.IN_PROGRESS:
            shown = batch_status(state.status.value)
            raise ActionError(wording(M.BATCH_IN_STATUS, batch=state.batch_id, status=shown))
        attempt = {
            "step": action.step,
            "supervisor": action.user,
            "decision": action.decision,
            "reason_text": action.reason,
        }
        supervisor, refusals = _supervisor(ctx, uow, action.user, action.password)
        if supervisor is not None:
            # Not the person who answered the check, nor whoever opened its deviation.
            doers = {deviation.opened_by} - {""} | state.performers.get(action.step, set())
            refusals += rules.check_independent_signer(
                supervisor.user_id, {action.step: doers}, policy=ctx.policy
            )
        if refusals:
            return ctx.refuse(uow, ev.Attempt.DECISION, refusals, attempt)
        assert supervisor is not None
        as_override = api.Override(action.step, action.user, action.password, action.reason)
        meaning = DECISION_MEANINGS[action.decision]
        _signed_override(
            ctx, uow, supervisor, as_override, "step_blocked_by_deviation", deviation.uid, meaning
        )
        if action.decision == "hold":
            held = ev.BatchHeld(
                batch_id=state.batch_id, old_status=state.status.value, why=f"{action.step}: {action.reason}"
            )
            ctx.write(uow, held)
        else:
            closed = ev.DeviationClosed(
                step=action.step,
                uid=deviation.uid,
                resolution=action.reason,
                closed_by=supervisor.user_id,
                decision=action.decision,
            )
            ctx.write(uow, closed)
        ctx.commit(uow)
    return Result("done", f"{action.step}: {meaning.split(':')[0].lower()} ({supervisor.name})")


#: The longest free text a person enters at the station (a deviation, a reason, a comment): a
#: page of text. Longer is no description but a paste, and every batch record must stay printable.
MAX_FREE_TEXT = 4000


def limit_text(*texts: str) -> None:
    for text in texts:
        if len(text) > MAX_FREE_TEXT:
            raise ActionError(wording(M.TEXT_TOO_LONG, length=f"{len(text):,}", limit=f"{MAX_FREE_TEXT:,}"))


def _supervisor(
    ctx: Context, uow: UnitOfWork, user: str, password: str
) -> tuple[gf.Actor | None, list[Refusal]]:
    """The supervisor who signs an override or a decision: authenticated (an e-signature's
    both components), no longer on an initial password, holding the supervisor role."""
    auth = users.authenticate(uow, user, password, purpose="signature", checked=ctx.passwords.check)
    supervisor = ctx.actor(uow, auth.user.id) if auth.ok and auth.user else None
    if supervisor is None:
        return None, [auth_refusal(auth, login=False)]
    refusals = list(fresh_password(auth, supervisor, ctx))
    refusals += rules.check_role(supervisor, "supervisor", policy=ctx.policy)
    return supervisor, refusals


def _signed_override(
    ctx: Context,
    uow: UnitOfWork,
    supervisor: gf.Actor,
    action: api.Override,
    reason_code: str,
    deviation_uid: str | None,
    meaning: str,
) -> ev.OverrideSigned:
    """The override record and the supervisor's e-signature over it; returns what was recorded."""
    signed = ev.OverrideSigned(
        step=action.step,
        deviation=deviation_uid,
        reason_code=reason_code,
        supervisor=supervisor.user_id,
        reason_text=action.reason,
    )
    ctx.write_signed(uow, signed, supervisor, meaning, action.step)
    return signed


def _acknowledge(
    ctx: Context, uow: UnitOfWork, supervisor: gf.Actor, action: api.Override, open_here: list[OpenDeviation]
) -> Result:
    for deviation in open_here:
        _signed_override(
            ctx,
            uow,
            supervisor,
            action,
            deviation.origin,
            deviation.uid,
            "Deviation acknowledged by supervisor",
        )
        closed = ev.DeviationClosed(
            step=action.step, uid=deviation.uid, resolution=action.reason, closed_by=supervisor.user_id
        )
        ctx.write(uow, closed)
    ctx.commit(uow)
    return Result("done", f"deviation at {action.step} acknowledged by {supervisor.name}")


def _override_refusal(
    ctx: Context,
    uow: UnitOfWork,
    supervisor: gf.Actor,
    action: api.Override,
    recorded: Recorded[ev.ActionRefused],
) -> Result:
    refused = recorded.event
    codes = refused.codes
    sentences = "; ".join(r.sentence for r in refused.refusals)
    deviation_uid = ctx.open_deviation(
        uow, action.step, "override", f"Overridden: {sentences}", "override", acknowledged=True
    )
    signed = _signed_override(
        ctx, uow, supervisor, action, ",".join(codes), deviation_uid, "Refusal overridden by supervisor"
    )
    # The refused action now goes through with the overridden codes waived (and only those).
    waived = frozenset(codes)
    attempt = refused.attempt
    state = ctx.batch.state
    assert state is not None
    ctx.require_user()
    # The refused action goes through as the person who attempted it: the record keeps who
    # really weighed or scanned, whoever is logged in when the supervisor signs.
    attempted_by = ctx.actor(uow, recorded.user_id) if recorded.user_id else None
    user = attempted_by or ctx.require_user()
    step = ctx.recipe.step(action.step)
    if refused.attempted == ev.Attempt.WEIGHING and isinstance(step, WeighStep):
        again = api.Weigh(
            step=action.step,
            gross=Decimal(attempt["gross"]),
            tare=Decimal(attempt["tare"]),
            unit=attempt.get("unit"),
            stable=bool(attempt.get("stable", True)),
            device_serial=attempt.get("device_serial"),
            source=attempt.get("source", "script"),
        )
        return _as_deviation(accept_weighing(ctx, uow, user, step, state, again, waived, signed))
    if refused.attempted in (ev.Attempt.LOT_SCAN, ev.Attempt.EQUIPMENT_SCAN):
        code = str(attempt["code"])
        scanned = decode(code.replace("<GS>", "\x1d"))
        again_attempt: dict[str, Any] = {"step": step.id, "code": code}
        refusals = gate_step(ctx, uow, user, step.id, state)
        if isinstance(step, EquipmentStep):
            return _as_deviation(
                bind_equipment(ctx, uow, user, step, scanned, again_attempt, refusals, waived)
            )
        if isinstance(step, WeighStep):
            return _as_deviation(identify_lot(ctx, uow, step, scanned, again_attempt, refusals, waived))
    ctx.commit(uow)
    return Result("deviation", f"override recorded at {action.step}")


def _as_deviation(result: Result) -> Result:
    """The overridden action went through: it did so with a deviation."""
    return Result("deviation", result.message, result.refusals) if result.status == "done" else result
