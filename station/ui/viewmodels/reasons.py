"""A refusal in the operator's language: what to do next, per reason code, and the sentence.

The reason codes are the engine's stable contract (docs/architecture.md). The station shows, under a
"what to do next" per code, the engine's sentence that names the thing (the lot, the scale, the
SOP). The engine words that sentence in English for the record, and hands its template and
values along (``gating.wording``): :func:`sentence` translates the template and fills in the
values, so a German station says it in German while the audit trail keeps the English.

Qt's translation tooling carries both (``pyside6-lupdate`` finds the ``QT_TRANSLATE_NOOP`` marks
below). The English texts are those of ``gating.reasons.WHAT_NEXT`` and
``gating.wording.TEMPLATES`` with ``station.engine.messages.MESSAGES``; tests/ui keeps them equal.
"""

from __future__ import annotations

import datetime as dt

from gating.wording import MONTHS, Wording, day_text
from station.engine.api import Outcome, RefusalView

from .text import translate

CONTEXT = "WhatNext"
SENTENCE_CONTEXT = "RefusalSentence"


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
    "password_change_required": QT_TRANSLATE_NOOP(
        "WhatNext", "Set a new password first: the initial one may only be changed."
    ),
    "weight_below_minimum": QT_TRANSLATE_NOOP(
        "WhatNext", "Use a smaller scale, or weigh a larger quantity in one go."
    ),
    "weight_above_capacity": QT_TRANSLATE_NOOP(
        "WhatNext", "Use a scale whose capacity covers the load, or split the quantity."
    ),
    "weight_invalid": QT_TRANSLATE_NOOP(
        "WhatNext", "Enter the weight as the scale shows it, then weigh again."
    ),
    "equipment_wrong_device": QT_TRANSLATE_NOOP(
        "WhatNext", "Use the scale whose label was scanned, or scan the label of this scale."
    ),
    "step_blocked_by_deviation": QT_TRANSLATE_NOOP(
        "WhatNext", "A supervisor must decide how the batch goes on: continue, repeat or hold."
    ),
    "sync_stale": QT_TRANSLATE_NOOP(
        "WhatNext",
        "Restore the connection to the central QMS; the station starts batches again once it has synced.",
    ),
    "clock_behind_record": QT_TRANSLATE_NOOP(
        "WhatNext", "Stop and call plant IT: the station's clock must be set right before work goes on."
    ),
    "record_not_intact": QT_TRANSLATE_NOOP(
        "WhatNext", "Do not release the batch: report the record to QA management and plant IT."
    ),
    "manual_weighing_unwitnessed": QT_TRANSLATE_NOOP(
        "WhatNext", "Choose why the scale cannot be used and have a supervisor sign as witness."
    ),
    "password_reused": QT_TRANSLATE_NOOP("WhatNext", "Choose a password you have not used before."),
    "password_expired": QT_TRANSLATE_NOOP("WhatNext", "Set a new password first: the old one has expired."),
}


#: Every sentence template of ``gating.wording`` (refusals) and ``station.engine.messages`` (actions
#: the engine cannot take), marked for translation (tests/ui keeps them equal). Blanks in braces
#: are filled after translation: keep each one.
SENTENCES: tuple[str, ...] = (
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "{document} is not a controlled document known to the station: training of {user} on it cannot be confirmed",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The training of {user} on {document} revision {revision} expired on {day}",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "{user} is trained on {document} revision {trained}, but revision {revision} is current: retraining is needed",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "{user} is trained on {document} revision {trained}, but the station knows revision {revision} as current: the master data needs to be synchronised",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "{user} has no training record for {document} ({title})"),
    QT_TRANSLATE_NOOP("RefusalSentence", "This needs the {role} role; {user} has {roles}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "no role"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "{user} performed {steps}: this signature must come from someone else",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "The user id or password is not correct"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is locked"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is not active"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The user id or password is not correct: the signature was not accepted",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is locked: it cannot sign"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is not active: it cannot sign"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The password of {user} is not correct: the signature was not accepted",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is locked: a supervisor must unlock it."),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "Wrong password: the account of {user} is now locked after {attempts} failed attempts.",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "The account of {user} is deactivated."),
    QT_TRANSLATE_NOOP("RefusalSentence", "Unknown user or wrong password."),
    QT_TRANSLATE_NOOP("RefusalSentence", "Every step is done: {step} cannot be done now"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{step} cannot be done now: the current step is {current}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "1 deviation is open: {deviations}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{count} deviations are open: {deviations}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Deviation at {step} is open: {text}"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The answer to '{question}' was {answer}, {expected} was expected: recorded, deviation opened",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "YES"),
    QT_TRANSLATE_NOOP("RefusalSentence", "NO"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Lot {lot} is not known to the station"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Lot {lot} of {material}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Lot {lot} is {material} ({code}), but this step weighs {wanted}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{material} ({code})"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{lot} is REJECTED: it may not be used"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{lot} is QUARANTINED: it may not be used"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{lot} has status {status}, not released: it may not be used"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{lot} expired on {day}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{lot} was due for retest on {day}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Unreadable barcode {code}: {reason}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "this is not a lot label"),
    QT_TRANSLATE_NOOP("RefusalSentence", "this is not an equipment label"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Equipment {equipment} is not known to the station"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Scale {id}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Equipment {id}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} is a {found}, but this step needs a {wanted}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} ({name}) is OUT OF SERVICE: it may not be used"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} has no calibration on record"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} calibration expired on {day}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} has no cleaning on record"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} is not clean: its clean hold time ended {instant}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} has no daily check on record"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{equipment} daily check is due since {instant}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The scale reading is not stable: it cannot be accepted"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Net weight {weight} is above the upper limit {limit} by {by}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Net weight {weight} is below the lower limit {limit} by {by}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{name} {value} is below the lower limit {limit}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{name} {value} is above the upper limit {limit}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The value"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "{scale} carries at most {capacity}: {weight} is more than it can weigh"
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "Net weight {weight} is below the minimum weight {minimum} of {scale}"
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "{what} {weight} is not a weight: it must be zero or more"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "Net weight {weight} is not a weighing: the gross must be more than the tare"
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "{what} {weight} is finer than {scale} can read (it reads {readability})"
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "Gross"),
    QT_TRANSLATE_NOOP("RefusalSentence", "Tare"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The scale at the station reports serial number {reported}, but {scale} has serial number {expected}",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The scale at the station does not report its serial number: it cannot be confirmed as {scale}",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "{user} still has the initial password: it must be changed before anything else"
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The batch is stopped at {step}: {question} was answered {answer}; a supervisor must decide how it goes on",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The station's clock ({clock}) is behind the newest record ({newest}): nothing can be recorded until it is set right",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "The record of batch {batch} does not verify ({problem}): it cannot be approved"
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The oldest record not yet at the central QMS is {age} old (the site allows {limit}): no new batch until it is synced",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "The new password is one of the last {history} passwords of {user}: choose another"
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "The password of {user} is older than {days} days: it must be changed before anything else",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "a review needs a comment"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{user} does not hold the qa role a batch review needs"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "{user} took part in batch {batch}: an independent QA reviewer is needed",
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} is {status}: only a completed batch is reviewed"),
    QT_TRANSLATE_NOOP("RefusalSentence", "in progress"),
    QT_TRANSLATE_NOOP("RefusalSentence", "on hold"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} has been reviewed already"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence",
        "A weight entered by hand needs its reason: the scale is disconnected, faulty or out of calibration, or another reason in words",
    ),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "A weight entered by hand needs a second person's e-signature as witness"
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "{witness} entered the weight: the witness must be another person"),
    QT_TRANSLATE_NOOP(
        "RefusalSentence", "A weight entered by hand is not overridden: enter it again, witnessed"
    ),
    QT_TRANSLATE_NOOP("RefusalSentence", "nobody is logged in: log in first"),
    QT_TRANSLATE_NOOP("RefusalSentence", "a new password must be set before working"),
    QT_TRANSLATE_NOOP("RefusalSentence", "no batch is open: start or open a batch first"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} exists already for {recipe} v{version}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "recipe {recipe} version {version} is not imported"),
    QT_TRANSLATE_NOOP("RefusalSentence", "recipe {recipe} version {version} is not approved by QA"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch size {size} {unit} is not a positive mass"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} is on hold: resume it first"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} is completed"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} is completed already"),
    QT_TRANSLATE_NOOP("RefusalSentence", "batch {batch} is {status}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "an override needs a reason"),
    QT_TRANSLATE_NOOP("RefusalSentence", "nothing to override at {step}: no refusal and no open deviation"),
    QT_TRANSLATE_NOOP("RefusalSentence", "The session of {user} has ended ({why}): log in again"),
    QT_TRANSLATE_NOOP("RefusalSentence", "nothing to decide at {step}: the batch is not stopped there"),
    QT_TRANSLATE_NOOP("RefusalSentence", "a decision needs a reason"),
    QT_TRANSLATE_NOOP("RefusalSentence", "the text has {length} characters: at most {limit}"),
    QT_TRANSLATE_NOOP("RefusalSentence", "no accepted weighing to print a label for"),
    QT_TRANSLATE_NOOP("RefusalSentence", "{codes} cannot be overridden: fix the cause instead"),
    QT_TRANSLATE_NOOP("RefusalSentence", "a deviation needs a category and a text"),
)

#: How a sentence writes a date (``month``: 1-12, ``mon``: Jan-Dec) and an instant.
DAY = QT_TRANSLATE_NOOP("RefusalSentence", "{day} {mon} {year}")
INSTANT = QT_TRANSLATE_NOOP("RefusalSentence", "{date} {time} {zone}")


def _day(day: dt.date) -> str:
    try:
        return translate(SENTENCE_CONTEXT, DAY).format(
            day=day.day, month=day.month, mon=MONTHS[day.month - 1], year=day.year
        )
    except (KeyError, IndexError, ValueError):
        return day_text(day)


def _instant(local: dt.datetime) -> str:
    pattern = translate(SENTENCE_CONTEXT, INSTANT)
    values = {"date": _day(local.date()), "time": f"{local:%H:%M}", "zone": local.tzname() or ""}
    try:
        return pattern.format(**values).strip()
    except (KeyError, IndexError, ValueError):
        return INSTANT.format(**values).strip()


def said(worded: Wording | None, english: str) -> str:
    """A sentence in the station's language: ``worded`` translated and filled in, or
    ``english`` as it is where there is no template."""
    if worded is None:
        return english
    return worded.render(lambda template: translate(SENTENCE_CONTEXT, template), _day, _instant)


def sentence(refusal: RefusalView) -> str:
    """The refusal's sentence in the station's language (the engine's English where there is
    no template or no translation)."""
    return said(refusal.wording, refusal.sentence)


def message(outcome: Outcome) -> str:
    """The outcome's own message in the station's language, where the engine gave its template."""
    return said(outcome.wording, outcome.message)


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
        return message(outcome)
    first = outcome.refusals[0]
    todo = what_next(first.code, first.what_next)
    told = sentence(first)
    if not todo:
        return told or message(outcome)
    return f"{todo}\n{told}" if told else todo
