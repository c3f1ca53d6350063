"""What a scale can weigh, and which scale is weighing: pure rules over a reading.

A reading is refused when no scale could have made it: a negative gross or tare, a net of
zero or less, more load than the scale carries (its capacity applies to the gross, what is on
the platform), or a value finer than the scale reads (a 10 g scale shows 61.27 kg, never
61.273456789 kg). A net weight below the scale's minimum weight (USP <41>: below it the
reading's relative uncertainty is too large) is refused too. Each is hard: fixing the
weighing, or taking the right scale, is the only way on.

The device check compares the serial number the scale reports (MT-SICS ``I4``, Sartorius SBI)
with the one master data holds for the equipment bound at the step: another scale on the
cable than the one whose label was scanned is refused.

A weight entered by hand (the scale disconnected, faulty or out of calibration) needs its
reason and a second person's e-signature as witness: not the person who entered it, and by
default a supervisor (``WITNESS_ROLE``: the safer choice; a trained second operator attests
less, since the witness vouches for a value no instrument recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gating import wording as W
from gating.facts import Actor
from gating.reasons import DEFAULT_POLICY, GatePolicy, ReasonCode, Refusal, refusal
from gating.wording import Wording, wording
from recipes.units import convert

R = ReasonCode


@dataclass(frozen=True)
class ScaleLimits:
    """What a scale can weigh, in its own unit (``unit``)."""

    name: str | Wording  # how the sentence names the scale ("Scale SCL-150-01")
    unit: str
    capacity: Decimal | None = None
    readability: Decimal | None = None
    min_weight: Decimal | None = None


def _shown(value: Decimal, unit: str) -> str:
    return f"{value} {unit}"


def check_reading(
    gross: Decimal,
    tare: Decimal,
    unit: str,
    scale: ScaleLimits | None,
    *,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """A gross and tare (in ``unit``) against what a scale can weigh. Without the scale's
    limits (none bound) only what no scale can weigh is refused."""
    out: list[Refusal] = []
    for what, value in ((W.GROSS, gross), (W.TARE, tare)):
        if value < 0:
            sentence = wording(W.WEIGHT_NEGATIVE, what=wording(what), weight=_shown(value, unit))
            out.append(refusal(R.WEIGHT_INVALID, sentence, policy))
    net = gross - tare
    if not out and net <= 0:
        out.append(refusal(R.WEIGHT_INVALID, wording(W.WEIGHT_NO_NET, weight=_shown(net, unit)), policy))
    if scale is None or out:
        return tuple(out)
    in_scale = {what: convert(value, unit, scale.unit) for what, value in ((W.GROSS, gross), (W.TARE, tare))}
    if scale.readability is not None and scale.readability > 0:
        for what, value in in_scale.items():
            if value % scale.readability != 0:
                sentence = wording(
                    W.WEIGHT_FINER_THAN_SCALE,
                    what=wording(what),
                    weight=_shown(value, scale.unit),
                    scale=scale.name,
                    readability=_shown(scale.readability, scale.unit),
                )
                out.append(refusal(R.WEIGHT_INVALID, sentence, policy))
    if scale.capacity is not None and in_scale[W.GROSS] > scale.capacity:
        sentence = wording(
            W.WEIGHT_ABOVE_CAPACITY,
            scale=scale.name,
            capacity=_shown(scale.capacity, scale.unit),
            weight=_shown(in_scale[W.GROSS], scale.unit),
        )
        out.append(refusal(R.WEIGHT_ABOVE_CAPACITY, sentence, policy))
    net_in_scale = in_scale[W.GROSS] - in_scale[W.TARE]
    if scale.min_weight is not None and net_in_scale < scale.min_weight:
        sentence = wording(
            W.WEIGHT_BELOW_MINIMUM,
            weight=_shown(net_in_scale, scale.unit),
            minimum=_shown(scale.min_weight, scale.unit),
            scale=scale.name,
        )
        out.append(refusal(R.WEIGHT_BELOW_MINIMUM, sentence, policy))
    return tuple(out)


def check_device(
    expected_serial: str | None,
    reported_serial: str | None,
    scale: str | Wording,
    *,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """The serial number a scale reported against the bound equipment's. Nothing to check
    when master data holds none; a scale that reports none cannot be confirmed."""
    if expected_serial is None:
        return ()
    if reported_serial is None:
        return (refusal(R.EQUIPMENT_WRONG_DEVICE, wording(W.DEVICE_WITHOUT_SERIAL, scale=scale), policy),)
    if reported_serial.strip() != expected_serial.strip():
        sentence = wording(W.WRONG_DEVICE, reported=reported_serial, scale=scale, expected=expected_serial)
        return (refusal(R.EQUIPMENT_WRONG_DEVICE, sentence, policy),)
    return ()


#: Why a weight may be entered by hand; ``other`` needs the reason in words.
MANUAL_REASONS = ("scale_disconnected", "scale_faulty", "scale_out_of_calibration", "other")

#: The role a witness of a weight entered by hand must hold.
WITNESS_ROLE = "supervisor"


def check_manual_entry(
    reason: str,
    note: str,
    operator: str,
    witness: Actor | None,
    *,
    witness_given: bool,
    policy: GatePolicy = DEFAULT_POLICY,
) -> tuple[Refusal, ...]:
    """A weight entered by hand: its reason, and the witness (``None`` with ``witness_given``:
    the witness did not authenticate, which the caller refuses in its own words)."""
    out: list[Refusal] = []
    if reason not in MANUAL_REASONS or (reason == "other" and not note.strip()):
        out.append(refusal(R.MANUAL_WEIGHING_UNWITNESSED, wording(W.MANUAL_WITHOUT_REASON), policy))
    if not witness_given:
        out.append(refusal(R.MANUAL_WEIGHING_UNWITNESSED, wording(W.MANUAL_WITHOUT_WITNESS), policy))
    if witness is None:
        return tuple(out)
    if witness.user_id == operator:
        sentence = wording(W.WITNESS_IS_OPERATOR, witness=witness.name)
        out.append(refusal(R.INDEPENDENT_SIGNER_REQUIRED, sentence, policy))
    elif WITNESS_ROLE not in witness.roles:
        has: str | Wording = ", ".join(sorted(witness.roles)) or wording(W.NO_ROLE)
        sentence = wording(W.ROLE_REQUIRED, role=WITNESS_ROLE, user=witness.name, roles=has)
        out.append(refusal(R.ROLE_REQUIRED, sentence, policy))
    return tuple(out)
