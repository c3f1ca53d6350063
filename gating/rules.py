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
from datetime import date, datetime
from decimal import Decimal

from gating.facts import Actor, Document, Equipment, Lot, Material, Now, TrainingRecord
from gating.reasons import DEFAULT_POLICY, GatePolicy, ReasonCode, Refusal, refusal
from recipes.model import EquipmentStep, WeighStep
from recipes.scaling import WeighTarget
from recipes.units import convert

R = ReasonCode
NO_REFUSALS: tuple[Refusal, ...] = ()
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """``31 Oct 2026``: unambiguous in every locale, unlike 10/31/2026 vs 31/10/2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def instant_text(instant: datetime, now: Now) -> str:
    """An instant in the site's local time, with the zone's abbreviation."""
    local = instant.astimezone(now.site_tz)
    return f"{day_text(local.date())} {local:%H:%M} {local.tzname() or ''}".rstrip()


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
                    R.TRAINING_MISSING,
                    f"{code} is not a controlled document known to the station: "
                    f"training of {actor.name} on it cannot be confirmed",
                    policy,
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
                    f"The training of {actor.name} on {code} revision {document.revision} "
                    f"expired on {day_text(expired_on)}",
                    policy,
                )
            )
        elif records:
            trained = max(r.revision for r in records)
            if trained < document.revision:
                sentence = (
                    f"{actor.name} is trained on {code} revision {trained}, but revision "
                    f"{document.revision} is current: retraining is needed"
                )
            else:
                sentence = (
                    f"{actor.name} is trained on {code} revision {trained}, but the station knows "
                    f"revision {document.revision} as current: the master data needs to be synchronised"
                )
            refusals.append(refusal(R.TRAINING_OUTDATED_REVISION, sentence, policy))
        else:
            refusals.append(
                refusal(
                    R.TRAINING_MISSING,
                    f"{actor.name} has no training record for {code} ({document.title})",
                    policy,
                )
            )
    return tuple(refusals)


def check_role(actor: Actor, role: str, *, policy: GatePolicy = DEFAULT_POLICY) -> tuple[Refusal, ...]:
    if role in actor.roles:
        return NO_REFUSALS
    has = ", ".join(sorted(actor.roles)) or "no role"
    return (refusal(R.ROLE_REQUIRED, f"This needs the {role} role; {actor.name} has {has}", policy),)


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
            f"{who} performed {', '.join(sorted(steps))}: this signature must come from someone else",
            policy,
        ),
    )


def check_login(
    actor: Actor | None, password_ok: bool, locked: bool = False, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """``locked``: the store's verdict (e.g. too many failed attempts), on top of ``actor.locked``.
    An unknown user and a wrong password read the same, so the screen does not confirm user ids."""
    if actor is None:
        return (refusal(R.LOGIN_INVALID, "The user id or password is not correct", policy),)
    if locked or actor.locked:
        return (refusal(R.ACCOUNT_LOCKED, f"The account of {actor.name} is locked", policy),)
    if not actor.active:
        return (refusal(R.LOGIN_INVALID, f"The account of {actor.name} is not active", policy),)
    if not password_ok:
        return (refusal(R.LOGIN_INVALID, "The user id or password is not correct", policy),)
    return NO_REFUSALS


def check_signature(
    signer: Actor | None, password_ok: bool, *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """An e-signature needs a known, active, unlocked user and the right password (Part 11 §11.200)."""
    if signer is None:
        sentence = "The user id or password is not correct: the signature was not accepted"
    elif signer.locked:
        sentence = f"The account of {signer.name} is locked: it cannot sign"
    elif not signer.active:
        sentence = f"The account of {signer.name} is not active: it cannot sign"
    elif not password_ok:
        sentence = f"The password of {signer.name} is not correct: the signature was not accepted"
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
        sentence = f"Every step is done: {step_id} cannot be done now"
    else:
        sentence = f"{step_id} cannot be done now: the current step is {expected_step_id}"
    return (refusal(R.SEQUENCE, sentence, policy),)


def check_open_deviations(
    open_deviations: Sequence[str], *, policy: GatePolicy = DEFAULT_POLICY
) -> tuple[Refusal, ...]:
    """Before completing a batch (or whatever the engine guards with it): no deviation may be open."""
    if not open_deviations:
        return NO_REFUSALS
    count = len(open_deviations)
    noun = "deviation is" if count == 1 else "deviations are"
    return (refusal(R.DEVIATION_OPEN, f"{count} {noun} open: {', '.join(open_deviations)}", policy),)


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
        return (refusal(R.LOT_UNKNOWN, f"Lot {scanned_lot_id} is not known to the station", policy),)
    name = material.name if material is not None and material.code == lot.material else lot.material
    label = f"Lot {lot.lot} of {name}"
    refusals: list[Refusal] = []
    if lot.material != step.material:
        wanted = step_material.name if step_material and step_material.code == step.material else None
        wanted_text = f"{wanted} ({step.material})" if wanted else step.material
        refusals.append(
            refusal(
                R.LOT_WRONG_MATERIAL,
                f"Lot {lot.lot} is {name} ({lot.material}), but this step weighs {wanted_text}",
                policy,
            )
        )
    if lot.status == "rejected":
        refusals.append(refusal(R.LOT_REJECTED, f"{label} is REJECTED: it may not be used", policy))
    elif lot.status == "quarantined":
        refusals.append(refusal(R.LOT_QUARANTINED, f"{label} is QUARANTINED: it may not be used", policy))
    elif lot.status != "released":
        refusals.append(
            refusal(
                R.LOT_QUARANTINED,
                f"{label} has status {lot.status!r}, not released: it may not be used",
                policy,
            )
        )
    if lot.expiry is not None and now.local_date > lot.expiry:
        refusals.append(refusal(R.LOT_EXPIRED, f"{label} expired on {day_text(lot.expiry)}", policy))
    if lot.retest is not None and now.local_date > lot.retest:
        refusals.append(
            refusal(R.LOT_RETEST_DUE, f"{label} was due for retest on {day_text(lot.retest)}", policy)
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
        return (refusal(R.EQUIPMENT_UNKNOWN, f"Equipment {scanned_id} is not known to the station", policy),)
    label = f"{'Scale' if equipment.is_scale else 'Equipment'} {equipment.id}"
    refusals: list[Refusal] = []
    if equipment.equipment_class != step.equipment_class:
        refusals.append(
            refusal(
                R.EQUIPMENT_WRONG_CLASS,
                f"{label} is a {equipment.equipment_class}, but this step needs a {step.equipment_class}",
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
                f"{label} ({equipment.name}) is OUT OF SERVICE: it may not be used",
                policy,
            )
        )
    if "calibrated" in requires:
        if equipment.calibrated_until is None:
            refusals.append(
                refusal(R.EQUIPMENT_CALIBRATION_DUE, f"{label} has no calibration on record", policy)
            )
        elif now.local_date > equipment.calibrated_until:
            refusals.append(
                refusal(
                    R.EQUIPMENT_CALIBRATION_DUE,
                    f"{label} calibration expired on {day_text(equipment.calibrated_until)}",
                    policy,
                )
            )
    if "clean" in requires:
        if equipment.clean_until is None:
            refusals.append(refusal(R.EQUIPMENT_NOT_CLEAN, f"{label} has no cleaning on record", policy))
        elif now.utc >= equipment.clean_until:
            refusals.append(
                refusal(
                    R.EQUIPMENT_NOT_CLEAN,
                    f"{label} is not clean: its clean hold time ended {instant_text(equipment.clean_until, now)}",
                    policy,
                )
            )
    if "daily_check" in requires:
        if equipment.daily_check_until is None:
            refusals.append(
                refusal(R.EQUIPMENT_DAILY_CHECK_DUE, f"{label} has no daily check on record", policy)
            )
        elif now.utc >= equipment.daily_check_until:
            refusals.append(
                refusal(
                    R.EQUIPMENT_DAILY_CHECK_DUE,
                    f"{label} daily check is due since {instant_text(equipment.daily_check_until, now)}",
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
        return (refusal(R.WEIGHT_UNSTABLE, "The scale reading is not stable: it cannot be accepted", policy),)
    to = bounds_unit or unit
    value = convert(net, unit, to)
    if low <= value <= high:
        return NO_REFUSALS
    shown = f"{net} {unit}" + ("" if to == unit else f" ({number_text(value)} {to})")
    if value > high:
        where = f"above the upper limit {number_text(high)} {to} by {number_text(value - high)} {to}"
    else:
        where = f"below the lower limit {number_text(low)} {to} by {number_text(low - value)} {to}"
    return (refusal(R.WEIGHT_OUT_OF_TOLERANCE, f"Net weight {shown} is {where}", policy),)


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
    name: str = "The value",
    unit: str = "",
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """A measured value against its limits (inclusive; None = no limit). Outside them this is a
    *finding*: the engine records the true value and opens a deviation, it never refuses."""
    suffix = f" {unit}" if unit else ""
    if low is not None and value < low:
        sentence = f"{name} {value}{suffix} is below the lower limit {number_text(low)}{suffix}"
    elif high is not None and value > high:
        sentence = f"{name} {value}{suffix} is above the upper limit {number_text(high)}{suffix}"
    else:
        return NO_REFUSALS
    return (refusal(R.VALUE_OUT_OF_LIMITS, sentence, policy),)
