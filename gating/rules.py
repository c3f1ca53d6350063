"""The gate rules: pure functions from a step and the facts to refusals.

Each rule returns a tuple of ``Refusal`` (empty = nothing against it); ``gate``
in ``gating.reasons`` combines them. Sentences are for the operator at the
line and name the thing concerned (lot, SOP and revision, scale), with dates
written unambiguously ("31 Oct 2026") in the site's calendar. Whether a refusal
is overridable comes from the ``GatePolicy`` passed in (safe default).

Time limits, decided once here:
* date-only limits (lot expiry and retest, calibration, training expiry) are
  valid *through* that day in the site's time zone, refused from the next
  local day;
* instant limits (clean until, daily check until) are valid while now is
  strictly before the instant: "clean until 06:00" is not clean at 06:00.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import datetime, timedelta
from decimal import Decimal

from gating import wording as W
from gating.facts import Actor, Document, Equipment, Lot, Material, Now, TrainingRecord
from gating.reasons import DEFAULT_POLICY, GatePolicy, ReasonCode, Refusal, refusal
from gating.wording import Wording, wording
from recipes.model import EquipmentStep, WeighStep
from recipes.scaling import WeighTarget
from recipes.units import convert

R = ReasonCode
NO_REFUSALS: tuple[Refusal, ...] = ()
day_text = W.day_text


def local(instant: datetime, now: Now) -> datetime:
    """An instant in the site's time zone (a sentence names the site's clock time)."""
    return instant.astimezone(now.site_tz)


def instant_text(instant: datetime, now: Now) -> str:
    """An instant in the site's local time, with the zone's abbreviation."""
    return W.instant_text(local(instant, now))


def number_text(value: Decimal) -> str:
    """A computed number for a sentence: at most six decimals (a non-terminating scale factor
    gives bounds with dozens), no trailing zeros, never exponent notation."""
    if not value.is_finite():
        return str(value)
    if int(value.as_tuple().exponent) < -6:
        value = value.quantize(Decimal("0.000001"))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# ---------------------------------------------------------------- people


def check_training(
    actor: Actor,
    required_docs: Sequence[str],
    documents: Mapping[str, Document],
    training: Sequence[TrainingRecord],
    now: Now,
    *,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """Current training on every required SOP: a record of the user for the document's current
    revision that has not expired (valid through its expiry day, site time)."""
    refusals: list[Refusal] = []
    for code in dict.fromkeys(required_docs):
        document = documents.get(code)
        if document is None:
            refusals.append(
                refusal(
                    R.TRAINING_MISSING, wording(W.DOCUMENT_UNKNOWN, document=code, user=actor.name), policy
                )
            )
            continue
        records = [r for r in training if r.user_id == actor.user_id and r.document == code]
        current = [r for r in records if r.revision == document.revision]
        if any(r.expires is None or now.local_date <= r.expires for r in current):
            continue
        if current:
            expired_on = max(r.expires for r in current if r.expires is not None)
            refusals.append(
                refusal(
                    R.TRAINING_EXPIRED,
                    wording(
                        W.TRAINING_EXPIRED,
                        user=actor.name,
                        document=code,
                        revision=document.revision,
                        day=expired_on,
                    ),
                    policy,
                )
            )
        elif records:
            trained = max(r.revision for r in records)
            sentence = wording(
                W.TRAINING_OUTDATED if trained < document.revision else W.TRAINING_AHEAD,
                user=actor.name,
                document=code,
                trained=trained,
                revision=document.revision,
            )
            refusals.append(refusal(R.TRAINING_OUTDATED_REVISION, sentence, policy))
        else:
            refusals.append(
                refusal(
                    R.TRAINING_MISSING,
                    wording(W.TRAINING_MISSING, user=actor.name, document=code, title=document.title),
                    policy,
                )
            )
    return tuple(refusals)


def check_role(actor: Actor, role: str, *, policy: GatePolicy = DEFAULT_POLICY) -> tuple[Refusal, ...]:
    if role in actor.roles:
        return NO_REFUSALS
    has: str | Wording = ", ".join(sorted(actor.roles)) or wording(W.NO_ROLE)
    return (
        refusal(R.ROLE_REQUIRED, wording(W.ROLE_REQUIRED, role=role, user=actor.name, roles=has), policy),
    )


def check_independent_signer(
    signer_id: str,
    performers_of_named_steps: Mapping[str, Set[str]],
    *,
    signer_name: str | None = None,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """The signer must not have performed any of the steps the signature is independent of."""
    steps = [step for step, users in performers_of_named_steps.items() if signer_id in users]
    if not steps:
        return NO_REFUSALS
    who = signer_name or signer_id
    return (
        refusal(
            R.INDEPENDENT_SIGNER_REQUIRED,
            wording(W.INDEPENDENT_SIGNER, user=who, steps=", ".join(sorted(steps))),
            policy,
        ),
    )


def check_login(
    actor: Actor | None, password_ok: bool, locked: bool = False, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """``locked``: the store's verdict (e.g. too many failed attempts), on top of ``actor.locked``.
    An unknown user and a wrong password read the same, so the screen does not confirm user ids."""
    if actor is None:
        return (refusal(R.LOGIN_INVALID, wording(W.LOGIN_WRONG), policy),)
    if locked or actor.locked:
        return (refusal(R.ACCOUNT_LOCKED, wording(W.ACCOUNT_LOCKED, user=actor.name), policy),)
    if not actor.active:
        return (refusal(R.LOGIN_INVALID, wording(W.ACCOUNT_INACTIVE, user=actor.name), policy),)
    if not password_ok:
        return (refusal(R.LOGIN_INVALID, wording(W.LOGIN_WRONG), policy),)
    return NO_REFUSALS


def check_signature(
    signer: Actor | None, password_ok: bool, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """An e-signature needs a known, active, unlocked user and the right password (Part 11 §11.200)."""
    if signer is None:
        sentence = wording(W.SIGNATURE_WRONG)
    elif signer.locked:
        sentence = wording(W.SIGNATURE_LOCKED, user=signer.name)
    elif not signer.active:
        sentence = wording(W.SIGNATURE_INACTIVE, user=signer.name)
    elif not password_ok:
        sentence = wording(W.SIGNATURE_PASSWORD, user=signer.name)
    else:
        return NO_REFUSALS
    return (refusal(R.SIGNATURE_INVALID, sentence, policy),)


# ---------------------------------------------------------------- the batch


def check_sequence(
    step_id: str, expected_step_id: str | None, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """``expected_step_id`` is the current step, None when every step is done."""
    if step_id == expected_step_id:
        return NO_REFUSALS
    if expected_step_id is None:
        sentence = wording(W.ALL_DONE, step=step_id)
    else:
        sentence = wording(W.NOT_NOW, step=step_id, current=expected_step_id)
    return (refusal(R.SEQUENCE, sentence, policy),)


def check_open_deviations(
    open_deviations: Sequence[str], *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """Before completing a batch (or whatever the engine guards with it): no deviation may be open."""
    if not open_deviations:
        return NO_REFUSALS
    count = len(open_deviations)
    listed = ", ".join(open_deviations)
    if count == 1:
        sentence = wording(W.ONE_DEVIATION_OPEN, deviations=listed)
    else:
        sentence = wording(W.DEVIATIONS_OPEN, count=count, deviations=listed)
    return (refusal(R.DEVIATION_OPEN, sentence, policy),)


# ---------------------------------------------------------------- material


def check_lot(
    step: WeighStep,
    lot: Lot | None,
    scanned_lot_id: str,
    material: Material | None,
    now: Now,
    *,
    step_material: Material | None = None,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """The lot scanned at a weigh step. ``lot`` is its master data (None if unknown), ``material``
    the master data of the lot's material (for its name), ``step_material`` that of the material
    the step weighs. Every problem with the lot is reported, the mix-up first."""
    if lot is None:
        return (refusal(R.LOT_UNKNOWN, wording(W.LOT_UNKNOWN, lot=scanned_lot_id), policy),)
    name = material.name if material is not None and material.code == lot.material else lot.material
    label = wording(W.LOT_OF, lot=lot.lot, material=name)
    refusals: list[Refusal] = []
    if lot.material != step.material:
        wanted = step_material.name if step_material and step_material.code == step.material else None
        wanted_text: str | Wording = (
            wording(W.MATERIAL_AND_CODE, material=wanted, code=step.material) if wanted else step.material
        )
        refusals.append(
            refusal(
                R.LOT_WRONG_MATERIAL,
                wording(
                    W.LOT_WRONG_MATERIAL, lot=lot.lot, material=name, code=lot.material, wanted=wanted_text
                ),
                policy,
            )
        )
    if lot.status == "rejected":
        refusals.append(refusal(R.LOT_REJECTED, wording(W.LOT_REJECTED, lot=label), policy))
    elif lot.status == "quarantined":
        refusals.append(refusal(R.LOT_QUARANTINED, wording(W.LOT_QUARANTINED, lot=label), policy))
    elif lot.status != "released":
        refusals.append(
            refusal(
                R.LOT_QUARANTINED, wording(W.LOT_OTHER_STATUS, lot=label, status=repr(lot.status)), policy
            )
        )
    if lot.expiry is not None and now.local_date > lot.expiry:
        refusals.append(refusal(R.LOT_EXPIRED, wording(W.LOT_EXPIRED, lot=label, day=lot.expiry), policy))
    if lot.retest is not None and now.local_date > lot.retest:
        refusals.append(
            refusal(R.LOT_RETEST_DUE, wording(W.LOT_RETEST_DUE, lot=label, day=lot.retest), policy)
        )
    return tuple(refusals)


# ---------------------------------------------------------------- equipment


def check_equipment(
    step: EquipmentStep,
    equipment: Equipment | None,
    scanned_id: str,
    now: Now,
    *,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """The equipment scanned at an equipment step: its class, and the status the step requires."""
    if equipment is None:
        return (refusal(R.EQUIPMENT_UNKNOWN, wording(W.EQUIPMENT_UNKNOWN, equipment=scanned_id), policy),)
    label = wording(W.SCALE_ID if equipment.is_scale else W.EQUIPMENT_ID, id=equipment.id)
    refusals: list[Refusal] = []
    if equipment.equipment_class != step.equipment_class:
        refusals.append(
            refusal(
                R.EQUIPMENT_WRONG_CLASS,
                wording(
                    W.WRONG_CLASS,
                    equipment=label,
                    found=equipment.equipment_class,
                    wanted=step.equipment_class,
                ),
                policy,
            )
        )
    requires = set(step.requires)
    # Out-of-service equipment is never used, whatever the step lists: the maintenance
    # status is not a recipe's choice. The other checks apply where the step asks for them.
    if equipment.status != "in_service":
        refusals.append(
            refusal(
                R.EQUIPMENT_OUT_OF_SERVICE,
                wording(W.OUT_OF_SERVICE, equipment=label, name=equipment.name),
                policy,
            )
        )
    if "calibrated" in requires:
        if equipment.calibrated_until is None:
            refusals.append(
                refusal(R.EQUIPMENT_CALIBRATION_DUE, wording(W.NO_CALIBRATION, equipment=label), policy)
            )
        elif now.local_date > equipment.calibrated_until:
            until = equipment.calibrated_until
            refusals.append(
                refusal(
                    R.EQUIPMENT_CALIBRATION_DUE,
                    wording(W.CALIBRATION_EXPIRED, equipment=label, day=until),
                    policy,
                )
            )
    if "clean" in requires:
        if equipment.clean_until is None:
            refusals.append(refusal(R.EQUIPMENT_NOT_CLEAN, wording(W.NO_CLEANING, equipment=label), policy))
        elif now.utc >= equipment.clean_until:
            ended = local(equipment.clean_until, now)
            refusals.append(
                refusal(R.EQUIPMENT_NOT_CLEAN, wording(W.NOT_CLEAN, equipment=label, instant=ended), policy)
            )
    if "daily_check" in requires:
        if equipment.daily_check_until is None:
            refusals.append(
                refusal(R.EQUIPMENT_DAILY_CHECK_DUE, wording(W.NO_DAILY_CHECK, equipment=label), policy)
            )
        elif now.utc >= equipment.daily_check_until:
            due = local(equipment.daily_check_until, now)
            refusals.append(
                refusal(
                    R.EQUIPMENT_DAILY_CHECK_DUE,
                    wording(W.DAILY_CHECK_DUE, equipment=label, instant=due),
                    policy,
                )
            )
    return tuple(refusals)


# ---------------------------------------------------------------- values


def check_weight(
    net: Decimal,
    unit: str,
    low: Decimal,
    high: Decimal,
    stable: bool,
    *,
    bounds_unit: str | None = None,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """A net weight against inclusive bounds. ``bounds_unit`` is the unit of ``low``/``high``
    (default: ``unit``); the net is converted exactly to it before comparing. An unstable
    reading is not a measurement, so it is refused before any comparison. Raises ``UnitError``
    for a unit that is not a mass (a configuration error, not an operator's)."""
    if not stable:
        return (refusal(R.WEIGHT_UNSTABLE, wording(W.UNSTABLE), policy),)
    to = bounds_unit or unit
    value = convert(net, unit, to)
    if low <= value <= high:
        return NO_REFUSALS
    shown = f"{net} {unit}" + ("" if to == unit else f" ({number_text(value)} {to})")
    if value > high:
        sentence = wording(
            W.WEIGHT_ABOVE,
            weight=shown,
            limit=f"{number_text(high)} {to}",
            by=f"{number_text(value - high)} {to}",
        )
    else:
        sentence = wording(
            W.WEIGHT_BELOW,
            weight=shown,
            limit=f"{number_text(low)} {to}",
            by=f"{number_text(low - value)} {to}",
        )
    return (refusal(R.WEIGHT_OUT_OF_TOLERANCE, sentence, policy),)


def check_weighing(
    net: Decimal, unit: str, target: WeighTarget, stable: bool, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """``check_weight`` against a control recipe's weigh target."""
    return check_weight(net, unit, target.low, target.high, stable, bounds_unit=target.unit, policy=policy)


def check_value(
    value: Decimal,
    low: Decimal | None,
    high: Decimal | None,
    *,
    name: str | None = None,
    unit: str = "",
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """A measured value against its limits (inclusive; None = no limit). Outside them this is a
    *finding*: the engine records the true value and opens a deviation, it never refuses."""
    suffix = f" {unit}" if unit else ""
    named: str | Wording = name if name is not None else wording(W.THE_VALUE)
    if low is not None and value < low:
        sentence = wording(
            W.VALUE_BELOW, name=named, value=f"{value}{suffix}", limit=f"{number_text(low)}{suffix}"
        )
    elif high is not None and value > high:
        sentence = wording(
            W.VALUE_ABOVE, name=named, value=f"{value}{suffix}", limit=f"{number_text(high)}{suffix}"
        )
    else:
        return NO_REFUSALS
    return (refusal(R.VALUE_OUT_OF_LIMITS, sentence, policy),)


# ---------------------------------------------------------------- the session and the station

#: How far the clock may stand behind the newest record (another writer's clock, an NTP step)
#: before the station stops recording, and ``ebr verify`` reports a step back in the record's time.
CLOCK_TOLERANCE = timedelta(minutes=5)


def check_password_fresh(
    actor: Actor, must_change: bool, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """A user whose password is still the imported initial one may only change it (21 CFR
    11.300: an identification code issued by someone else is not the user's own)."""
    if not must_change:
        return NO_REFUSALS
    return (
        refusal(R.PASSWORD_CHANGE_REQUIRED, wording(W.PASSWORD_CHANGE_REQUIRED, user=actor.name), policy),
    )


def check_not_blocked(
    step: str, question: str, answer: Wording, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """The batch stands at a check answered against its expectation on ``on_failure: block``:
    nothing goes on until a supervisor decides (continue, repeat the step, or hold)."""
    sentence = wording(W.STEP_BLOCKED, step=step, question=question, answer=answer)
    return (refusal(R.STEP_BLOCKED_BY_DEVIATION, sentence, policy),)


def check_clock(
    now: Now,
    newest_record: datetime | None,
    tolerance: timedelta = CLOCK_TOLERANCE,
    *,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """The system clock may not stand behind the newest record by more than ``tolerance``: a
    clock set back would pass expired training, lots and calibrations, and the record's times
    would run backwards. (A little behind is normal: another station's clock, NTP steps.)"""
    if newest_record is None or now.utc >= newest_record - tolerance:
        return NO_REFUSALS
    sentence = wording(W.CLOCK_BEHIND_RECORD, clock=local(now.utc, now), newest=local(newest_record, now))
    return (refusal(R.CLOCK_BEHIND_RECORD, sentence, policy),)


def check_record_intact(
    batch: str, problem: str | None, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """QA approves only a record whose hash chain verifies (``problem``: the first bad event)."""
    if problem is None:
        return NO_REFUSALS
    return (refusal(R.RECORD_NOT_INTACT, wording(W.RECORD_NOT_INTACT, batch=batch, problem=problem), policy),)


def check_sync_age(
    oldest_unsent_age: timedelta | None, limit: timedelta | None, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """A site policy (off when ``limit`` is None): no new batch while the oldest record not yet
    acknowledged by the central QMS is older than the limit."""
    if limit is None or oldest_unsent_age is None or oldest_unsent_age <= limit:
        return NO_REFUSALS
    sentence = wording(W.SYNC_STALE, age=_duration(oldest_unsent_age), limit=_duration(limit))
    return (refusal(R.SYNC_STALE, sentence, policy),)


def _duration(span: timedelta) -> str:
    """A span for a sentence: whole days, hours or minutes."""
    minutes = int(span.total_seconds() // 60)
    if minutes >= 2 * 24 * 60:
        return f"{minutes // (24 * 60)} d"
    if minutes >= 120:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def check_password_not_reused(
    user: str, reused: bool, history: int, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """A new password may not be one of the user's last ``history`` passwords (21 CFR 11.300):
    ``reused`` is what comparing it with their stored hashes found."""
    if not reused:
        return NO_REFUSALS
    return (refusal(R.PASSWORD_REUSED, wording(W.PASSWORD_REUSED, user=user, history=history), policy),)


def check_password_age(
    user: str, age: timedelta | None, max_age_days: int | None, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """A password older than the site's maximum age must be changed before anything else
    (``max_age_days`` None: passwords do not age; ``age`` None: not known)."""
    if max_age_days is None or age is None or age <= timedelta(days=max_age_days):
        return NO_REFUSALS
    return (refusal(R.PASSWORD_EXPIRED, wording(W.PASSWORD_EXPIRED, user=user, days=max_age_days), policy),)
