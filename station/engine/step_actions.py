"""The step actions that need no device (confirm, answer, enter a value, sign), and the gating
context every step action shares: the step must be the current one, the user must hold an
operator's role and be trained on the step's documents."""

from __future__ import annotations

from typing import TypeVar

from ebr import events as ev
from ebr import users
from ebr.lifecycle import BatchStatus
from ebr.replay import BLOCKING_ORIGIN, BatchState
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating import rules
from gating import wording as W
from gating.reasons import WHAT_NEXT, ReasonCode, Refusal
from gating.wording import wording
from recipes.model import CheckStep, InstructionStep, MeasureStep, SignatureStep, Step
from station.engine import api
from station.engine import messages as M
from station.engine.answers import ActionError, Result
from station.engine.context import Context
from station.engine.session_actions import auth_refusal

#: The roles that may do a batch's steps.
STEP_ROLES = frozenset({"operator", "supervisor"})

S = TypeVar("S", bound=Step)


def step_context(
    ctx: Context, uow: UnitOfWork, step_id: str, kind: type[S] | tuple[type[S], ...]
) -> tuple[gf.Actor, S, BatchState]:
    """Who acts, the step (which must be of ``kind``) and the batch's state: an action that
    does not fit the batch at all is an error, not a refusal."""
    user = ctx.require_user()
    state = ctx.sync(uow)
    if step_id not in state.steps:
        raise ActionError(f"step {step_id} is not a step of {state.recipe_code} v{state.recipe_version}")
    step = ctx.recipe.step(step_id)
    if not isinstance(step, kind):
        raise ActionError(f"step {step_id} is a {step.kind} step: that action does not apply to it")
    if state.status is BatchStatus.ON_HOLD:
        raise ActionError(wording(M.BATCH_ON_HOLD, batch=state.batch_id))
    if state.status is BatchStatus.COMPLETED:
        raise ActionError(wording(M.BATCH_COMPLETED, batch=state.batch_id))
    return user, step, state


def gate_step(
    ctx: Context, uow: UnitOfWork, user: gf.Actor, step_id: str, state: BatchState
) -> list[Refusal]:
    """What every step action is gated by: a check that stopped the batch, sequence, role,
    training."""
    refusals = blocked(ctx, state)
    refusals += rules.check_sequence(step_id, state.current_step, policy=ctx.policy)
    if not (STEP_ROLES & user.roles):
        refusals += rules.check_role(user, "operator", policy=ctx.policy)
    refusals += training_refusals(ctx, uow, user, step_id)
    return refusals


def blocked(ctx: Context, state: BatchState) -> list[Refusal]:
    """A check answered against its expectation on ``on_failure: block`` stops the batch until
    a supervisor decides (``deviations.decide``)."""
    deviation = state.blocked_by
    if deviation is None or deviation.step is None:
        return []
    step = ctx.recipe.step(deviation.step)
    question = step.question if isinstance(step, CheckStep) else deviation.step
    answered = state.results.get(deviation.step)
    value = getattr(answered.event, "value", None) if answered is not None else None
    said = wording(W.YES if value else W.NO) if value is not None else wording(W.NO)
    return list(rules.check_not_blocked(deviation.step, question, said, policy=ctx.policy))


def training_refusals(ctx: Context, uow: UnitOfWork, actor: gf.Actor, step_id: str) -> tuple[Refusal, ...]:
    """The training gate of ``actor`` at a step; the records it relied on are kept for the
    step's event (``Context.training_used``), so the record holds the evidence of then."""
    required = ctx.recipe.required_training(step_id)
    documents = ctx.facts.documents(uow, required)
    training = ctx.facts.training(uow, actor.user_id)
    ctx.training_used[actor.user_id] = tuple(
        ev.TrainingUsed(r.document, r.revision, r.trained_on, r.expires)
        for code in dict.fromkeys(required)
        if code in documents
        for r in training
        if r.document == code and r.revision == documents[code].revision
    )
    return rules.check_training(actor, required, documents, training, ctx.now(), policy=ctx.policy)


def confirm(action: api.Confirm, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user, step, state = step_context(ctx, uow, action.step, InstructionStep)
        refusals = gate_step(ctx, uow, user, action.step, state)
        if refusals:
            return ctx.refuse(uow, ev.Attempt.STEP_CONFIRM, refusals, {"step": action.step})
        ctx.write(uow, ev.StepConfirmed(step=action.step, confirmed=step.confirm, performed_by=user.user_id))
        ctx.commit(uow)
    return Result("done", f"{action.step} confirmed: {step.confirm}")


def answer(action: api.Answer, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user, step, state = step_context(ctx, uow, action.step, CheckStep)
        refusals = gate_step(ctx, uow, user, action.step, state)
        if refusals:
            return ctx.refuse(
                uow, ev.Attempt.STEP_ANSWER, refusals, {"step": action.step, "value": action.value}
            )
        as_expected = action.value == step.expect
        answered = ev.CheckAnswered(
            step=action.step,
            value=action.value,
            question=step.question,
            expected=step.expect,
            as_expected=as_expected,
            performed_by=user.user_id,
        )
        ctx.write(uow, answered)
        result = Result("done", f"{action.step} answered {'yes' if action.value else 'no'}")
        if not as_expected:
            worded = wording(
                W.CHECK_NOT_AS_EXPECTED,
                question=step.question,
                answer=wording(W.YES if action.value else W.NO),
                expected=wording(W.YES if step.expect else W.NO),
            )
            code = ReasonCode.VALUE_OUT_OF_LIMITS
            finding = Refusal(code, worded.text(), False, WHAT_NEXT.get(code, ""), worded)
            findings: tuple[Refusal, ...] = (finding,)
            origin = "check_not_as_expected"
            if step.on_failure == "block":  # the batch stops here until a supervisor decides
                origin = BLOCKING_ORIGIN
                findings = tuple(
                    rules.check_not_blocked(
                        action.step,
                        step.question,
                        wording(W.YES if action.value else W.NO),
                        policy=ctx.policy,
                    )
                )
            ctx.open_deviation(uow, action.step, "check", finding.sentence, origin)
            result = Result("deviation", findings[0].sentence, findings)
        ctx.commit(uow)
    return result


def enter(action: api.Enter, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        user, step, state = step_context(ctx, uow, action.step, MeasureStep)
        refusals = gate_step(ctx, uow, user, action.step, state)
        if refusals:
            attempt = {"step": action.step, "value": str(action.value), "unit": step.unit}
            return ctx.refuse(uow, ev.Attempt.STEP_ENTER, refusals, attempt)
        findings = rules.check_value(action.value, step.low, step.high, name=step.name, unit=step.unit)
        measured = ev.MeasurementRecorded(
            step=action.step,
            name=step.name,
            value=action.value,
            unit=step.unit,
            low=step.low,
            high=step.high,
            in_limits=not findings,
            performed_by=user.user_id,
        )
        ctx.write(uow, measured)
        result = Result("done", f"{step.name}: {action.value} {step.unit} recorded")
        if findings:
            sentence = findings[0].sentence
            ctx.open_deviation(uow, action.step, "measurement", sentence, "value_out_of_limits")
            result = Result("deviation", sentence, findings)
        ctx.commit(uow)
    return result


def fresh_password(auth: users.AuthResult, signer: gf.Actor, ctx: Context) -> tuple[Refusal, ...]:
    """An initial password, set by someone else, signs nothing (21 CFR 11.300)."""
    return rules.check_password_fresh(signer, auth.must_change_password, policy=ctx.policy)


def sign(action: api.Sign, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        _user, step, state = step_context(ctx, uow, action.step, SignatureStep)
        refusals = blocked(ctx, state)
        refusals += rules.check_sequence(action.step, state.current_step, policy=ctx.policy)
        auth = users.authenticate(
            uow, action.user, action.password, purpose="signature", checked=ctx.passwords.check
        )
        signer = ctx.actor(uow, auth.user.id) if auth.ok and auth.user else None
        if signer is None:
            refusals.append(auth_refusal(auth, login=False))
        else:
            refusals += fresh_password(auth, signer, ctx)
            refusals += rules.check_role(signer, step.role, policy=ctx.policy)
            performers = {s: state.performers.get(s, set()) for s in step.independent_of}
            refusals += rules.check_independent_signer(signer.user_id, performers, policy=ctx.policy)
            refusals += training_refusals(ctx, uow, signer, action.step)
        if refusals:
            attempt = {"step": action.step, "signer": action.user, "meaning": step.meaning}
            return ctx.refuse(uow, ev.Attempt.STEP_SIGN, refusals, attempt)
        assert signer is not None
        signed = ev.StepSigned(
            step=action.step,
            signer=action.user,
            meaning=step.meaning,
            role=step.role,
            printed_name=signer.name,
            performed_by=signer.user_id,
        )
        ctx.write_signed(uow, signed, signer, step.meaning, action.step)
        ctx.commit(uow)
    return Result("done", f"{action.step} signed by {signer.name}: {step.meaning}")
