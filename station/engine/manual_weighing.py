"""A weight entered by hand when the scale cannot be used, and the scale's own serial number.

A dead scale must not stop the line: the touchscreen offers manual entry when the scale is
disconnected or reports a fault, and a script may enter a weight so (``weigh: {manual: true,
...}``). Such a weighing names its reason and is witnessed by a second person's e-signature:
both parts of the signature checked, not the person who entered it, holding the witness role
(``gating.weighing.check_manual_entry``). The witness signs the weighing's record itself
(printed name, meaning, time, hash), in the same transaction; the review and every export
list the weighing as an exception with its reason and its witness.

A weighing read from a scale carries the serial number the scale reported (MT-SICS ``I4``,
Sartorius SBI); it must be the serial number master data holds for the equipment bound at the
step (``gating.weighing.check_device``): another scale on the cable is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ebr import users
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating import wording as W
from gating.reasons import GatePolicy, ReasonCode, Refusal, refusal
from gating.weighing import check_device, check_manual_entry
from gating.wording import wording
from station.engine import api
from station.engine.context import Context
from station.engine.session_actions import auth_refusal
from station.engine.step_actions import fresh_password

#: The meaning of the witness's e-signature over a weight entered by hand.
WITNESS_MEANING = "Weight entered by hand witnessed"


def check_witness(
    ctx: Context, uow: UnitOfWork, user: gf.Actor, action: api.Weigh
) -> tuple[gf.Actor | None, list[Refusal]]:
    """The reason and the witness of a weight entered by hand: the witness authenticated (both
    components of the e-signature, a failure counts towards the lockout) and allowed."""
    witness: gf.Actor | None = None
    refusals: list[Refusal] = []
    given = action.witness is not None and bool(action.witness.user.strip())
    if action.witness is not None and given:
        auth = users.authenticate(
            uow,
            action.witness.user,
            action.witness.password,
            purpose="signature",
            checked=ctx.passwords.check,
        )
        witness = ctx.actor(uow, auth.user.id) if auth.ok and auth.user else None
        if witness is None:
            refusals.append(auth_refusal(auth, login=False))
        else:
            refusals += fresh_password(auth, witness, ctx)
    refusals += check_manual_entry(
        action.reason, action.note, user.user_id, witness, witness_given=given, policy=ctx.policy
    )
    return witness, refusals


def check_scale_serial(
    equipment: gf.Equipment | None, scale_id: str | None, action: api.Weigh
) -> list[Refusal]:
    """A reading from a scale: the scale that sent it is the one bound at the step."""
    if action.source != "scale" or equipment is None or scale_id is None:
        return []
    return list(check_device(equipment.serial_number, action.device_serial, wording(W.SCALE_ID, id=scale_id)))


def manual_fields(action: api.Weigh, witness: gf.Actor | None) -> dict[str, Any]:
    """What the weighing's record keeps of a manual entry (nothing for the other sources)."""
    if action.source != "manual" or witness is None:
        return {}
    return {
        "manual_reason": action.reason,
        "manual_note": action.note.strip() or None,
        "witness": witness.user_id,
    }


def refused_manual_entry(attempt: Mapping[str, Any], policy: GatePolicy) -> list[Refusal]:
    """A refused weight entered by hand is not overridden: the witness signs what is accepted,
    so it is entered again, witnessed."""
    if attempt.get("source") != "manual":
        return []
    return [refusal(ReasonCode.MANUAL_WEIGHING_UNWITNESSED, wording(W.MANUAL_NOT_OVERRIDDEN), policy)]
