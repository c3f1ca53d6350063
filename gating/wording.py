"""Refusal sentences as templates with named blanks, so that a station can say them in its
own language while the record keeps one wording.

A :class:`Wording` is an English template (``"Lot {lot} of {material} is QUARANTINED: it may
not be used"``) and the values of its blanks. ``text()`` gives the English sentence that the
audit trail records. A station that translates the template fills the same blanks (see
``station.ui.viewmodels.reasons``); values that are words themselves ("Scale", "no role") are
wordings too, so they are translated with it. Dates and instants are kept as such and written
by whoever shows them: here ``31 Oct 2026`` and ``31 Oct 2026 06:00 CET``, unambiguous in every
locale.

Every template a refusal can have is a constant below; ``TEMPLATES`` lists them, so a
translation can be checked complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Union

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: What a blank may hold. A datetime is an instant already in the site's time zone.
Value = Union[str, int, Decimal, date, datetime, "Wording"]


@dataclass(frozen=True)
class Wording:
    template: str
    values: tuple[tuple[str, Value], ...] = ()

    def text(self) -> str:
        """The English sentence (what the record keeps)."""
        return self.render(lambda template: template, day_text, instant_text)

    def render(
        self,
        translate: Callable[[str], str],
        day: Callable[[date], str],
        instant: Callable[[datetime], str],
    ) -> str:
        """The sentence with ``translate`` applied to this template and to every wording in
        its blanks, dates written by ``day`` and instants by ``instant``. A translation that
        does not fit the blanks (a typo in a placeholder) falls back to the English template,
        so a bad translation never hides what was refused."""
        filled: dict[str, str] = {}
        for name, value in self.values:
            if isinstance(value, Wording):
                filled[name] = value.render(translate, day, instant)
            elif isinstance(value, datetime):  # before date: a datetime is a date too
                filled[name] = instant(value)
            elif isinstance(value, date):
                filled[name] = day(value)
            else:
                filled[name] = str(value)
        translated = translate(self.template)
        if translated != self.template:
            try:
                return translated.format(**filled)
            except (KeyError, IndexError, ValueError):
                pass
        return self.template.format(**filled)


def wording(template: str, **values: Value) -> Wording:
    return Wording(template, tuple(values.items()))


def batch_status(status: str) -> Wording | str:
    """A batch status as a sentence says it ("on hold"), translatable where it is one of the
    statuses a sentence can name; any other as stored, with spaces."""
    known = {"in_progress": STATUS_IN_PROGRESS, "on_hold": STATUS_ON_HOLD}.get(str(status))
    return wording(known) if known else str(status).replace("_", " ")


def day_text(day: date) -> str:
    """``31 Oct 2026``: unambiguous in every locale, unlike 10/31/2026 vs 31/10/2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def instant_text(local: datetime) -> str:
    """An instant (already in the site's time zone) with the zone's abbreviation."""
    return f"{day_text(local.date())} {local:%H:%M} {local.tzname() or ''}".rstrip()


# ---------------------------------------------------------------- the templates

# people
DOCUMENT_UNKNOWN = (
    "{document} is not a controlled document known to the station: "
    "training of {user} on it cannot be confirmed"
)
TRAINING_EXPIRED = "The training of {user} on {document} revision {revision} expired on {day}"
TRAINING_OUTDATED = (
    "{user} is trained on {document} revision {trained}, but revision {revision} is current: "
    "retraining is needed"
)
TRAINING_AHEAD = (
    "{user} is trained on {document} revision {trained}, but the station knows revision "
    "{revision} as current: the master data needs to be synchronised"
)
TRAINING_MISSING = "{user} has no training record for {document} ({title})"
ROLE_REQUIRED = "This needs the {role} role; {user} has {roles}"
NO_ROLE = "no role"
INDEPENDENT_SIGNER = "{user} performed {steps}: this signature must come from someone else"
LOGIN_WRONG = "The user id or password is not correct"
ACCOUNT_LOCKED = "The account of {user} is locked"
ACCOUNT_INACTIVE = "The account of {user} is not active"
SIGNATURE_WRONG = "The user id or password is not correct: the signature was not accepted"
SIGNATURE_LOCKED = "The account of {user} is locked: it cannot sign"
SIGNATURE_INACTIVE = "The account of {user} is not active: it cannot sign"
SIGNATURE_PASSWORD = "The password of {user} is not correct: the signature was not accepted"
LOCKED_UNLOCK = "The account of {user} is locked: a supervisor must unlock it."
LOCKED_NOW = "Wrong password: the account of {user} is now locked after {attempts} failed attempts."
DEACTIVATED = "The account of {user} is deactivated."
UNKNOWN_OR_WRONG = "Unknown user or wrong password."

# the batch
ALL_DONE = "Every step is done: {step} cannot be done now"
NOT_NOW = "{step} cannot be done now: the current step is {current}"
ONE_DEVIATION_OPEN = "1 deviation is open: {deviations}"
DEVIATIONS_OPEN = "{count} deviations are open: {deviations}"
DEVIATION_AT_STEP_OPEN = "Deviation at {step} is open: {text}"
CHECK_NOT_AS_EXPECTED = (
    "The answer to '{question}' was {answer}, {expected} was expected: recorded, deviation opened"
)
YES = "YES"
NO = "NO"

# material
LOT_UNKNOWN = "Lot {lot} is not known to the station"
LOT_OF = "Lot {lot} of {material}"
LOT_WRONG_MATERIAL = "Lot {lot} is {material} ({code}), but this step weighs {wanted}"
MATERIAL_AND_CODE = "{material} ({code})"
LOT_REJECTED = "{lot} is REJECTED: it may not be used"
LOT_QUARANTINED = "{lot} is QUARANTINED: it may not be used"
LOT_OTHER_STATUS = "{lot} has status {status}, not released: it may not be used"
LOT_EXPIRED = "{lot} expired on {day}"
LOT_RETEST_DUE = "{lot} was due for retest on {day}"
UNREADABLE_LABEL = "Unreadable barcode {code}: {reason}"
NOT_A_LOT_LABEL = "this is not a lot label"
NOT_AN_EQUIPMENT_LABEL = "this is not an equipment label"

# equipment
EQUIPMENT_UNKNOWN = "Equipment {equipment} is not known to the station"
SCALE_ID = "Scale {id}"
EQUIPMENT_ID = "Equipment {id}"
WRONG_CLASS = "{equipment} is a {found}, but this step needs a {wanted}"
OUT_OF_SERVICE = "{equipment} ({name}) is OUT OF SERVICE: it may not be used"
NO_CALIBRATION = "{equipment} has no calibration on record"
CALIBRATION_EXPIRED = "{equipment} calibration expired on {day}"
NO_CLEANING = "{equipment} has no cleaning on record"
NOT_CLEAN = "{equipment} is not clean: its clean hold time ended {instant}"
NO_DAILY_CHECK = "{equipment} has no daily check on record"
DAILY_CHECK_DUE = "{equipment} daily check is due since {instant}"

# values
UNSTABLE = "The scale reading is not stable: it cannot be accepted"
WEIGHT_ABOVE = "Net weight {weight} is above the upper limit {limit} by {by}"
WEIGHT_BELOW = "Net weight {weight} is below the lower limit {limit} by {by}"
VALUE_BELOW = "{name} {value} is below the lower limit {limit}"
VALUE_ABOVE = "{name} {value} is above the upper limit {limit}"
THE_VALUE = "The value"

# what no scale can weigh
WEIGHT_ABOVE_CAPACITY = "{scale} carries at most {capacity}: {weight} is more than it can weigh"
WEIGHT_BELOW_MINIMUM = "Net weight {weight} is below the minimum weight {minimum} of {scale}"
WEIGHT_NEGATIVE = "{what} {weight} is not a weight: it must be zero or more"
WEIGHT_NO_NET = "Net weight {weight} is not a weighing: the gross must be more than the tare"
WEIGHT_FINER_THAN_SCALE = "{what} {weight} is finer than {scale} can read (it reads {readability})"
GROSS = "Gross"
TARE = "Tare"
WRONG_DEVICE = (
    "The scale at the station reports serial number {reported}, but {scale} has serial number {expected}"
)
DEVICE_WITHOUT_SERIAL = (
    "The scale at the station does not report its serial number: it cannot be confirmed as {scale}"
)

# the session and the station
PASSWORD_CHANGE_REQUIRED = "{user} still has the initial password: it must be changed before anything else"
STEP_BLOCKED = "The batch is stopped at {step}: {question} was answered {answer}; a supervisor must decide how it goes on"
CLOCK_BEHIND_RECORD = "The station's clock ({clock}) is behind the newest record ({newest}): nothing can be recorded until it is set right"
RECORD_NOT_INTACT = "The record of batch {batch} does not verify ({problem}): it cannot be approved"
SYNC_STALE = "The oldest record not yet at the central QMS is {age} old (the site allows {limit}): no new batch until it is synced"
PASSWORD_REUSED = "The new password is one of the last {history} passwords of {user}: choose another"
PASSWORD_EXPIRED = "The password of {user} is older than {days} days: it must be changed before anything else"

# QA review of a batch record
REVIEW_COMMENT_REQUIRED = "a review needs a comment"
REVIEW_NOT_QA = "{user} does not hold the qa role a batch review needs"
REVIEW_NOT_INDEPENDENT = "{user} took part in batch {batch}: an independent QA reviewer is needed"
REVIEW_NOT_COMPLETED = "batch {batch} is {status}: only a completed batch is reviewed"
STATUS_IN_PROGRESS = "in progress"
STATUS_ON_HOLD = "on hold"
REVIEW_DONE = "batch {batch} has been reviewed already"

# a weight entered by hand (added at the end: the translations key on the order)
MANUAL_WITHOUT_REASON = "A weight entered by hand needs its reason: the scale is disconnected, faulty or out of calibration, or another reason in words"
MANUAL_WITHOUT_WITNESS = "A weight entered by hand needs a second person's e-signature as witness"
WITNESS_IS_OPERATOR = "{witness} entered the weight: the witness must be another person"
MANUAL_NOT_OVERRIDDEN = "A weight entered by hand is not overridden: enter it again, witnessed"


def templates_in(namespace: Mapping[str, object]) -> tuple[str, ...]:
    """The templates a module defines: its upper-case text constants, in the order written."""
    return tuple(value for name, value in namespace.items() if name.isupper() and isinstance(value, str))


#: Every template above, in the order written.
TEMPLATES: tuple[str, ...] = templates_in(dict(globals()))
