"""What to do next about a refusal, per reason code, in the operator's language.

The reason codes are the engine's stable contract (DESIGN.md). The engine words its refusal
sentences in English and names the thing in them (the lot, the scale, the SOP): the station
shows that sentence as the detail, under a "what to do next" per code that Qt's translation
tooling carries (``pyside6-lupdate`` finds the ``QT_TRANSLATE_NOOP`` marks below). The English
texts are those of ``gating.reasons.WHAT_NEXT``; tests/ui keeps the two equal.
"""

from __future__ import annotations

from station.engine.api import Outcome

from .text import translate

CONTEXT = "WhatNext"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks a text for translation; translated where it is shown (``what_next``)."""
    return text


WHAT_NEXT: dict[str, str] = {
    "training_missing": QT_TRANSLATE_NOOP(
        "WhatNext", "Ask a trained colleague to do the step; training is arranged through the LMS."
    ),
    "training_expired": QT_TRANSLATE_NOOP(
        "WhatNext", "Ask a trained colleague to do the step; renew the training through the LMS."
    ),
    "training_outdated_revision": QT_TRANSLATE_NOOP(
        "WhatNext", "Ask a trained colleague to do the step; read and train on the current revision."
    ),
    "role_required": QT_TRANSLATE_NOOP("WhatNext", "Ask someone with the required role to sign."),
    "independent_signer_required": QT_TRANSLATE_NOOP(
        "WhatNext", "Ask someone who did not perform the steps to sign."
    ),
    "sequence": QT_TRANSLATE_NOOP("WhatNext", "Do the current step first."),
    "lot_unknown": QT_TRANSLATE_NOOP(
        "WhatNext", "Check the label, or ask the warehouse whether the lot is in the system."
    ),
    "lot_quarantined": QT_TRANSLATE_NOOP("WhatNext", "Set the container aside and take a released lot."),
    "lot_rejected": QT_TRANSLATE_NOOP(
        "WhatNext", "Set the container aside, label it rejected and take a released lot."
    ),
    "lot_expired": QT_TRANSLATE_NOOP(
        "WhatNext", "Set the container aside and take a lot within its expiry date."
    ),
    "lot_retest_due": QT_TRANSLATE_NOOP(
        "WhatNext", "Take another lot, or ask a supervisor to override with a reason."
    ),
    "lot_wrong_material": QT_TRANSLATE_NOOP(
        "WhatNext", "Take a container of the material this step asks for."
    ),
    "equipment_unknown": QT_TRANSLATE_NOOP("WhatNext", "Check the equipment label, or call maintenance."),
    "equipment_wrong_class": QT_TRANSLATE_NOOP("WhatNext", "Use equipment of the class this step asks for."),
    "equipment_out_of_service": QT_TRANSLATE_NOOP(
        "WhatNext", "Use other equipment of the same class and inform maintenance."
    ),
    "equipment_calibration_due": QT_TRANSLATE_NOOP(
        "WhatNext", "Use other equipment of the same class and inform metrology."
    ),
    "equipment_not_clean": QT_TRANSLATE_NOOP(
        "WhatNext", "Have the equipment cleaned and its cleaning recorded, or use other equipment."
    ),
    "equipment_daily_check_due": QT_TRANSLATE_NOOP(
        "WhatNext", "Do the daily check first, or ask a supervisor to override with a reason."
    ),
    "weight_out_of_tolerance": QT_TRANSLATE_NOOP(
        "WhatNext", "Adjust the quantity and weigh again, or ask a supervisor to override."
    ),
    "weight_unstable": QT_TRANSLATE_NOOP("WhatNext", "Wait until the scale is stable, then weigh again."),
    "signature_invalid": QT_TRANSLATE_NOOP("WhatNext", "Enter the user id and password again."),
    "login_invalid": QT_TRANSLATE_NOOP("WhatNext", "Enter the user id and password again."),
    "account_locked": QT_TRANSLATE_NOOP("WhatNext", "Ask an administrator to unlock the account."),
    "value_out_of_limits": QT_TRANSLATE_NOOP(
        "WhatNext", "The value is recorded and a deviation is open: a supervisor must acknowledge it."
    ),
    "deviation_open": QT_TRANSLATE_NOOP(
        "WhatNext", "A supervisor must acknowledge the open deviation first."
    ),
}


def what_next(code: str, engine_text: str = "") -> str:
    """What the operator can do about a refusal with this code, in the station's language.

    A code newer than this station, or the English station, gets the engine's own words
    (which may be more specific than the code's general advice)."""
    source = WHAT_NEXT.get(code)
    if source is None:
        return engine_text
    shown = translate(CONTEXT, source)
    if shown == source and engine_text:
        return engine_text
    return shown


def explain(outcome: Outcome) -> str:
    """A form's message: what to do (translated), the engine's sentence on the line under it."""
    if not outcome.refusals:
        return outcome.message
    first = outcome.refusals[0]
    todo = what_next(first.code, first.what_next)
    if not todo:
        return first.sentence or outcome.message
    return f"{todo}\n{first.sentence}" if first.sentence else todo
