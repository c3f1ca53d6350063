"""Reason codes, refusals, the override policy and the result of a gate.

Reason codes are the stable contract (docs/architecture.md): scripts assert them, the
batch record stores them, translations key on them. Never rename one.

Override policy. A refusal is either *hard* (nothing but fixing the cause
helps) or *overridable* by a supervisor's e-signature with a reason, which opens
a deviation. The defaults below are the safe ones; a site may make a soft code
hard, and may make a hard code soft only where the table says "site may soften".

==============================  =========  ==================  =====================================
code                            default    site may soften?    why
==============================  =========  ==================  =====================================
training_missing                hard       never               untrained staff may not perform GMP work
training_expired                hard       never               same
training_outdated_revision      hard       never               the current SOP revision is what applies
role_required                   hard       never               a signature's meaning depends on the role
independent_signer_required     hard       never               four-eyes principle; no one overrides it
signature_invalid               hard       never               Part 11: a failed signature is no signature
login_invalid                   hard       never               Part 11 access control
account_locked                  hard       never               unlocked by an administrator, not on the line
lot_unknown                     hard       never               no release status, no traceability
lot_wrong_material              hard       never               mix-up: the classic recall cause
lot_quarantined                 hard       never               only QA release makes a lot usable
lot_rejected                    hard       never               same
lot_expired                     hard       never               same
lot_retest_due                  soft       (soft by default)   still within expiry; QA may accept by override
equipment_unknown               hard       never               nothing to identify in the record
equipment_out_of_service        hard       never               maintenance status is not the line's call
equipment_calibration_due       hard       never               results of an uncalibrated instrument are void
equipment_wrong_class           hard       site may soften     e.g. an equivalent class not yet in the recipe
equipment_not_clean             hard       site may soften     cross-contamination; re-clean is the normal path
equipment_daily_check_due       soft       (soft by default)   calibration still valid; check can follow
sequence                        hard       site may soften     the recipe order is the approved process
weight_unstable                 hard       never               an unstable reading is not a measurement
weight_out_of_tolerance         soft       (soft by default)   re-weigh, or supervisor override + deviation
deviation_open                  hard       site may soften     close (acknowledge) the deviation first
value_out_of_limits             finding    never refused       true value recorded, deviation opened,
                                                               a supervisor acknowledges it
password_change_required        hard       never               an initial password signs nothing (Part 11.300)
weight_below_minimum            hard       never               below the scale's minimum weight (USP <41>)
                                                               the reading's uncertainty is too large
weight_above_capacity           hard       never               no scale can weigh more than it carries
weight_invalid                  hard       never               a negative or zero weight, or one finer than
                                                               the scale can read, is no weighing
equipment_wrong_device          hard       never               the scale at the station is not the one scanned
step_blocked_by_deviation       hard       never               a check on "block" stops the batch until a
                                                               supervisor decides (not by override)
sync_stale                      hard       never               a site may set a limit (off by default) on how
                                                               old the oldest unsent record may be before new
                                                               batches are refused
clock_behind_record             hard       never               a clock set back would pass expired training,
                                                               lots and calibrations
record_not_intact               hard       never               QA signs no review of a record that does not
                                                               verify
manual_weighing_unwitnessed     hard       never               a weight entered by hand needs its reason and a
                                                               second person's e-signature as witness
password_reused                 hard       never               no reuse of the last passwords (Part 11.300)
password_expired                hard       never               an aged password signs nothing (Part 11.300)
==============================  =========  ==================  =====================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from gating.wording import Wording


class ReasonCode(StrEnum):
    TRAINING_MISSING = "training_missing"
    TRAINING_EXPIRED = "training_expired"
    TRAINING_OUTDATED_REVISION = "training_outdated_revision"
    ROLE_REQUIRED = "role_required"
    INDEPENDENT_SIGNER_REQUIRED = "independent_signer_required"
    SEQUENCE = "sequence"
    LOT_UNKNOWN = "lot_unknown"
    LOT_QUARANTINED = "lot_quarantined"
    LOT_REJECTED = "lot_rejected"
    LOT_EXPIRED = "lot_expired"
    LOT_RETEST_DUE = "lot_retest_due"
    LOT_WRONG_MATERIAL = "lot_wrong_material"
    EQUIPMENT_UNKNOWN = "equipment_unknown"
    EQUIPMENT_WRONG_CLASS = "equipment_wrong_class"
    EQUIPMENT_OUT_OF_SERVICE = "equipment_out_of_service"
    EQUIPMENT_CALIBRATION_DUE = "equipment_calibration_due"
    EQUIPMENT_NOT_CLEAN = "equipment_not_clean"
    EQUIPMENT_DAILY_CHECK_DUE = "equipment_daily_check_due"
    WEIGHT_OUT_OF_TOLERANCE = "weight_out_of_tolerance"
    WEIGHT_UNSTABLE = "weight_unstable"
    SIGNATURE_INVALID = "signature_invalid"
    LOGIN_INVALID = "login_invalid"
    ACCOUNT_LOCKED = "account_locked"
    VALUE_OUT_OF_LIMITS = "value_out_of_limits"
    DEVIATION_OPEN = "deviation_open"
    # added in 2026-12
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    WEIGHT_BELOW_MINIMUM = "weight_below_minimum"
    WEIGHT_ABOVE_CAPACITY = "weight_above_capacity"
    WEIGHT_INVALID = "weight_invalid"
    EQUIPMENT_WRONG_DEVICE = "equipment_wrong_device"
    STEP_BLOCKED_BY_DEVIATION = "step_blocked_by_deviation"
    SYNC_STALE = "sync_stale"
    CLOCK_BEHIND_RECORD = "clock_behind_record"
    RECORD_NOT_INTACT = "record_not_intact"
    MANUAL_WEIGHING_UNWITNESSED = "manual_weighing_unwitnessed"
    PASSWORD_REUSED = "password_reused"
    PASSWORD_EXPIRED = "password_expired"


R = ReasonCode

#: Hard whatever a site policy says (see the table in the module docstring).
ALWAYS_HARD: frozenset[ReasonCode] = frozenset(
    {
        R.TRAINING_MISSING,
        R.TRAINING_EXPIRED,
        R.TRAINING_OUTDATED_REVISION,
        R.ROLE_REQUIRED,
        R.INDEPENDENT_SIGNER_REQUIRED,
        R.SIGNATURE_INVALID,
        R.LOGIN_INVALID,
        R.ACCOUNT_LOCKED,
        R.LOT_UNKNOWN,
        R.LOT_WRONG_MATERIAL,
        R.LOT_QUARANTINED,
        R.LOT_REJECTED,
        R.LOT_EXPIRED,
        R.EQUIPMENT_UNKNOWN,
        R.EQUIPMENT_OUT_OF_SERVICE,
        R.EQUIPMENT_CALIBRATION_DUE,
        R.WEIGHT_UNSTABLE,
        R.PASSWORD_CHANGE_REQUIRED,
        R.WEIGHT_BELOW_MINIMUM,
        R.WEIGHT_ABOVE_CAPACITY,
        R.WEIGHT_INVALID,
        R.EQUIPMENT_WRONG_DEVICE,
        R.STEP_BLOCKED_BY_DEVIATION,
        R.SYNC_STALE,
        R.CLOCK_BEHIND_RECORD,
        R.RECORD_NOT_INTACT,
        R.MANUAL_WEIGHING_UNWITNESSED,
        R.PASSWORD_REUSED,
        R.PASSWORD_EXPIRED,
    }
)

#: Codes that never block: the engine records the fact and opens a deviation.
FINDINGS: frozenset[ReasonCode] = frozenset({R.VALUE_OUT_OF_LIMITS})

#: Overridable unless a site policy hardens them.
DEFAULT_OVERRIDABLE: frozenset[ReasonCode] = frozenset(
    {R.LOT_RETEST_DUE, R.EQUIPMENT_DAILY_CHECK_DUE, R.WEIGHT_OUT_OF_TOLERANCE}
)

#: What the operator can do about a refusal, unless a rule says something more specific.
WHAT_NEXT: dict[ReasonCode, str] = {
    R.TRAINING_MISSING: "Ask a trained colleague to do the step; training is arranged through the LMS.",
    R.TRAINING_EXPIRED: "Ask a trained colleague to do the step; renew the training through the LMS.",
    R.TRAINING_OUTDATED_REVISION: "Ask a trained colleague to do the step; read and train on the current revision.",
    R.ROLE_REQUIRED: "Ask someone with the required role to sign.",
    R.INDEPENDENT_SIGNER_REQUIRED: "Ask someone who did not perform the steps to sign.",
    R.SEQUENCE: "Do the current step first.",
    R.LOT_UNKNOWN: "Check the label, or ask the warehouse whether the lot is in the system.",
    R.LOT_QUARANTINED: "Set the container aside and take a released lot.",
    R.LOT_REJECTED: "Set the container aside, label it rejected and take a released lot.",
    R.LOT_EXPIRED: "Set the container aside and take a lot within its expiry date.",
    R.LOT_RETEST_DUE: "Take another lot, or ask a supervisor to override with a reason.",
    R.LOT_WRONG_MATERIAL: "Take a container of the material this step asks for.",
    R.EQUIPMENT_UNKNOWN: "Check the equipment label, or call maintenance.",
    R.EQUIPMENT_WRONG_CLASS: "Use equipment of the class this step asks for.",
    R.EQUIPMENT_OUT_OF_SERVICE: "Use other equipment of the same class and inform maintenance.",
    R.EQUIPMENT_CALIBRATION_DUE: "Use other equipment of the same class and inform metrology.",
    R.EQUIPMENT_NOT_CLEAN: "Have the equipment cleaned and its cleaning recorded, or use other equipment.",
    R.EQUIPMENT_DAILY_CHECK_DUE: "Do the daily check first, or ask a supervisor to override with a reason.",
    R.WEIGHT_OUT_OF_TOLERANCE: "Adjust the quantity and weigh again, or ask a supervisor to override.",
    R.WEIGHT_UNSTABLE: "Wait until the scale is stable, then weigh again.",
    R.SIGNATURE_INVALID: "Enter the user id and password again.",
    R.LOGIN_INVALID: "Enter the user id and password again.",
    R.ACCOUNT_LOCKED: "Ask an administrator to unlock the account.",
    R.VALUE_OUT_OF_LIMITS: "The value is recorded and a deviation is open: a supervisor must acknowledge it.",
    R.DEVIATION_OPEN: "A supervisor must acknowledge the open deviation first.",
    R.PASSWORD_CHANGE_REQUIRED: "Set a new password first: the initial one may only be changed.",
    R.WEIGHT_BELOW_MINIMUM: "Use a smaller scale, or weigh a larger quantity in one go.",
    R.WEIGHT_ABOVE_CAPACITY: "Use a scale whose capacity covers the load, or split the quantity.",
    R.WEIGHT_INVALID: "Enter the weight as the scale shows it, then weigh again.",
    R.EQUIPMENT_WRONG_DEVICE: "Use the scale whose label was scanned, or scan the label of this scale.",
    R.STEP_BLOCKED_BY_DEVIATION: "A supervisor must decide how the batch goes on: continue, repeat or hold.",
    R.SYNC_STALE: "Restore the connection to the central QMS; the station starts batches again once it has synced.",
    R.CLOCK_BEHIND_RECORD: "Stop and call plant IT: the station's clock must be set right before work goes on.",
    R.RECORD_NOT_INTACT: "Do not release the batch: report the record to QA management and plant IT.",
    R.MANUAL_WEIGHING_UNWITNESSED: "Choose why the scale cannot be used and have a supervisor sign as witness.",
    R.PASSWORD_REUSED: "Choose a password you have not used before.",
    R.PASSWORD_EXPIRED: "Set a new password first: the old one has expired.",
}


@dataclass(frozen=True)
class Refusal:
    code: ReasonCode
    sentence: str  # one sentence for the operator, naming the thing: lot, SOP, scale
    overridable: bool  # by a supervisor's e-signature with a reason (opens a deviation)
    what_next: str = ""
    # The sentence as a template and its values, for a station that speaks another language
    # (None: the sentence has no template, and is shown as it is).
    wording: Wording | None = field(default=None, compare=False)

    @property
    def finding(self) -> bool:
        """A finding is recorded with a deviation but never stops the step."""
        return self.code in FINDINGS


@dataclass(frozen=True)
class GatePolicy:
    """Which reason codes a supervisor may override at this site.

    ``GatePolicy()`` is the safe default. A site hardens a code with ``harden``; softening
    (``soften`` or the constructor) refuses the always-hard codes and findings."""

    overridable: frozenset[ReasonCode] = field(default=DEFAULT_OVERRIDABLE)

    def __post_init__(self) -> None:
        codes = frozenset(ReasonCode(code) for code in self.overridable)
        forbidden = codes & (ALWAYS_HARD | FINDINGS)
        if forbidden:
            names = ", ".join(sorted(forbidden))
            raise ValueError(f"a site policy cannot make these codes overridable: {names}")
        object.__setattr__(self, "overridable", codes)

    def is_overridable(self, code: ReasonCode) -> bool:
        return code in self.overridable

    def harden(self, *codes: ReasonCode | str) -> GatePolicy:
        return GatePolicy(self.overridable - {ReasonCode(code) for code in codes})

    def soften(self, *codes: ReasonCode | str) -> GatePolicy:
        return GatePolicy(self.overridable | {ReasonCode(code) for code in codes})


DEFAULT_POLICY = GatePolicy()


def refusal(
    code: ReasonCode,
    sentence: str | Wording,
    policy: GatePolicy = DEFAULT_POLICY,
    what_next: str | None = None,
) -> Refusal:
    """A refusal whose ``overridable`` comes from the policy; a ``Wording`` gives both the
    English sentence and its template."""
    worded = sentence if isinstance(sentence, Wording) else None
    return Refusal(
        code=code,
        sentence=worded.text() if worded is not None else str(sentence),
        overridable=policy.is_overridable(code),
        what_next=WHAT_NEXT[code] if what_next is None else what_next,
        wording=worded,
    )


@dataclass(frozen=True)
class GateResult:
    """What a gate says: passed, or the refusals (findings included, which never block)."""

    refusals: tuple[Refusal, ...] = ()

    @property
    def blocking(self) -> tuple[Refusal, ...]:
        return tuple(r for r in self.refusals if not r.finding)

    @property
    def findings(self) -> tuple[Refusal, ...]:
        return tuple(r for r in self.refusals if r.finding)

    @property
    def passed(self) -> bool:
        return not self.blocking

    @property
    def overridable(self) -> bool:
        """A supervisor's override lets the step go on: something blocks, and all of it may be overridden."""
        return bool(self.blocking) and all(r.overridable for r in self.blocking)

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.refusals)


def gate(*checks: Iterable[Refusal]) -> GateResult:
    """Combine the refusals of several checks, in order, into one result."""
    return GateResult(tuple(r for check in checks for r in check))
