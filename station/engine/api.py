"""The engine's contract: actions in, outcome and state out.

The touchscreen UI and the headless runner (`mes-station run`) both build these
actions and hand them to ``Engine.dispatch``; neither touches the store or the
gates directly. Everything here is plain data: frozen dataclasses, Decimals for
numbers, no Qt, no SQLAlchemy. Equipment and lots are shown as their gates saw them, in
the gates' own fact types (``gating.facts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from gating.facts import Equipment, Lot
from gating.wording import Wording

# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Login:
    password: str
    user: str | None = None  # user id, or ...
    badge: str | None = None  # ... the badge as scanned (already decoded to a plain id)


@dataclass(frozen=True)
class Logout:
    reason: str = ""  # e.g. "idle" for the automatic logout, so the audit trail tells them apart


@dataclass(frozen=True)
class ChangePassword:
    """A user whose password is still the imported initial one must set a new one."""

    user: str
    old_password: str
    new_password: str


@dataclass(frozen=True)
class StartBatch:
    batch_id: str
    recipe_code: str
    recipe_version: int
    size: Decimal
    unit: str


@dataclass(frozen=True)
class OpenBatch:
    """Make an existing batch the current one (resume work on it at its current step)."""

    batch_id: str


@dataclass(frozen=True)
class Confirm:
    step: str


@dataclass(frozen=True)
class Answer:
    step: str
    value: bool


@dataclass(frozen=True)
class Enter:
    step: str
    value: Decimal


@dataclass(frozen=True)
class Scan:
    """A scan at a step: equipment id at an equipment step, a lot label at a weigh step."""

    step: str
    code: str


@dataclass(frozen=True)
class Witness:
    """The second person who signs a weight entered by hand (user id and password both checked)."""

    user: str
    password: str


#: Why a weight is entered by hand: the scale is disconnected, reports a fault, or lost its
#: calibration during the batch; ``other`` needs a note. The same as
#: ``gating.weighing.MANUAL_REASONS`` (a test keeps them equal), written out: the screens import
#: this module on their start path, and the rules' module stands on the recipe model.
MANUAL_REASONS = ("scale_disconnected", "scale_faulty", "scale_out_of_calibration", "other")


@dataclass(frozen=True)
class Weigh:
    """A weighing offered for acceptance at a weigh step.

    ``source``: ``scale``, the stable reading's gross/tare/net, unit and the serial number the
    scale reported (checked against the bound equipment's); ``manual``, a weight a person
    entered at the station because the scale cannot be used, with ``reason`` (one of
    ``MANUAL_REASONS``, ``note`` for ``other``) and the ``witness`` who signs it; ``script``,
    a weight given by an OQ script (`mes-station run`), tare and gross as written there.
    """

    step: str
    gross: Decimal
    tare: Decimal = Decimal(0)
    unit: str | None = None  # None: the unit of the bound scale (master data), else the step's unit
    stable: bool = True
    device_serial: str | None = None
    source: Literal["manual", "scale", "script"] = "script"
    reason: str = ""  # manual: why the scale is not used (MANUAL_REASONS)
    note: str = ""  # manual: the words for ``other``
    witness: Witness | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Sign:
    """The e-signature a signature step asks for (user id and password both checked)."""

    step: str
    user: str
    password: str


@dataclass(frozen=True)
class Override:
    """A supervisor's e-signature over the last overridable refusal at a step, or the
    acknowledgement of the open deviation at that step. The reason is mandatory."""

    step: str
    user: str
    password: str
    reason: str


@dataclass(frozen=True)
class PrintLabel:
    """Print (or reprint) the dispense label of an accepted weighing: ``step``, or the batch's
    latest weighing. To the station's label printer, or as a PDF in its label folder."""

    step: str | None = None
    # The print that follows an accepted weighing: made only where the station has a label
    # printer configured (a reprint, or a first print without one, is asked for by a person).
    after_weighing: bool = False


#: What a supervisor may decide for a check that stopped the batch (``on_failure: block``).
DECISIONS = ("continue", "repeat", "hold")


@dataclass(frozen=True)
class Decide:
    """A supervisor's e-signed decision on a check answered against its expectation on
    ``on_failure: block``: the batch continues, the step is done again, or the batch is held
    (and stays stopped after it resumes, until a decision to continue or repeat). Not the
    person who answered; a reason is mandatory."""

    step: str
    user: str
    password: str
    decision: Literal["continue", "repeat", "hold"]
    reason: str


@dataclass(frozen=True)
class AdministerUser:
    """Unlock a user's account, reset their password (a temporary one, to be changed at the next
    login) or deactivate them: by the person logged in, e-signed (``user`` and ``password``
    again), with a reason (``ebr.user_admin``: who may do which)."""

    task: Literal["unlock", "reset", "deactivate"]
    target: str
    user: str
    password: str
    reason: str


@dataclass(frozen=True)
class RaiseDeviation:
    category: str
    text: str
    step: str | None = None


@dataclass(frozen=True)
class Hold:
    reason: str


@dataclass(frozen=True)
class Resume:
    reason: str = ""


@dataclass(frozen=True)
class Complete:
    pass


Action = (
    Login
    | Logout
    | ChangePassword
    | StartBatch
    | OpenBatch
    | Confirm
    | Answer
    | Enter
    | Scan
    | Weigh
    | Sign
    | Override
    | Decide
    | PrintLabel
    | AdministerUser
    | RaiseDeviation
    | Hold
    | Resume
    | Complete
)

# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class RefusalView:
    code: str  # a reason code (gating.reasons.ReasonCode), e.g. "lot_quarantined"
    sentence: str  # what an operator reads: "Lot P24-0502 of Paracetamol is QUARANTINED: ..."
    overridable: bool  # a supervisor may override it with an e-signature and a reason
    what_next: str = ""  # what to do about it
    # The sentence as a template and its values (gating.wording), for a station in another language.
    wording: Wording | None = field(default=None, compare=False)


@dataclass(frozen=True)
class UserView:
    id: str
    name: str
    roles: tuple[str, ...]
    must_change_password: bool = False


@dataclass(frozen=True)
class DeviationView:
    uid: str
    step: str | None
    category: str
    text: str
    opened_by: str
    opened_at: str  # ISO UTC
    closed: bool = False


# ---------------------------------------------------------------- what a step shows
# One frozen class per step kind: what the recipe asks at the step, and what the record holds
# of it so far (the replay's entries, as the screens read them). Times are aware UTC datetimes.


@dataclass(frozen=True)
class LastRefusal:
    """The last refusal of the step's own action (a supervisor may still override it)."""

    attempted: str  # what was refused: lot.scan, equipment.scan, weighing, step.sign ...
    codes: tuple[str, ...]  # reason codes, e.g. ("lot_quarantined",)
    sentences: tuple[str, ...]  # what the person was shown, one per code
    at: datetime | None


@dataclass(frozen=True)
class AcceptedWeighing:
    gross: Decimal
    tare: Decimal
    net: Decimal
    unit: str  # of gross, tare and net (the scale's)
    net_in_target_unit: Decimal
    lot: str
    source: str  # scale | manual | script
    device_serial: str | None
    overridden: bool  # accepted under a supervisor's override
    weighed_by: str
    at: datetime | None


@dataclass(frozen=True)
class InstructionDetail:
    text: str
    confirm: str  # the statement the operator confirms, e.g. "Materials charged"
    image: str | None = None


@dataclass(frozen=True)
class CheckDetail:
    question: str
    expect: bool
    answer: bool | None = None  # once answered


@dataclass(frozen=True)
class MeasureDetail:
    name: str
    unit: str
    low: Decimal | None = None
    high: Decimal | None = None
    decimals: int | None = None
    value: Decimal | None = None  # once recorded
    in_limits: bool | None = None


@dataclass(frozen=True)
class EquipmentDetail:
    bind: str  # the name later steps use for the equipment bound here
    equipment_class: str
    requires: tuple[str, ...] = ()  # in_service, calibrated, clean, daily_check
    bound: Equipment | None = None  # once bound: the equipment as its gate saw it
    last_refusal: LastRefusal | None = None


@dataclass(frozen=True)
class WeighDetail:
    material: str
    material_name: str | None
    target: Decimal
    unit: str  # of target, low and high: the step's
    low: Decimal
    high: Decimal
    scale: str  # the binding name of the scale
    scale_id: str | None = None  # the scale bound under that name, once bound
    scale_unit: str | None = None
    lot: Lot | None = None  # the lot identified at the step, as its gate saw it
    weighing: AcceptedWeighing | None = None
    last_refusal: LastRefusal | None = None


@dataclass(frozen=True)
class SignatureDetail:
    meaning: str
    role: str
    independent_of: tuple[str, ...] = ()
    signed_by: str | None = None  # the signer's printed name, once signed
    signed_by_id: str | None = None
    signed_at: datetime | None = None
    last_refusal: LastRefusal | None = None


StepDetail = InstructionDetail | CheckDetail | MeasureDetail | EquipmentDetail | WeighDetail | SignatureDetail


@dataclass(frozen=True)
class StepView:
    id: str  # "OP20.S20"
    kind: str  # instruction | check | measure | equipment | weigh | signature
    operation_id: str
    operation_title: str
    index_in_operation: int  # 1-based
    steps_in_operation: int
    status: str  # pending | active | done
    detail: StepDetail  # the class of the step's kind


@dataclass(frozen=True)
class BatchView:
    batch_id: str
    recipe_code: str
    recipe_version: int
    recipe_title: str
    product_code: str
    product_name: str
    size: Decimal
    unit: str
    status: str  # in_progress | on_hold | completed
    steps: tuple[StepView, ...]
    current_step: str | None  # None when every step is done
    open_deviations: tuple[DeviationView, ...] = ()
    # The check that stopped the batch (``on_failure: block``), until a supervisor decides.
    stopped_at: str | None = None


@dataclass(frozen=True)
class StationState:
    user: UserView | None
    batch: BatchView | None
    allowed: tuple[str, ...]  # action names allowed now: "confirm", "scan", "weigh", "complete", ...


@dataclass(frozen=True)
class Outcome:
    status: Literal["done", "refused", "deviation", "error"]
    message: str  # one sentence for a person
    refusals: tuple[RefusalView, ...] = ()
    state: StationState | None = None
    # The message as a template and its values, where the engine words it so (an error).
    wording: Wording | None = field(default=None, compare=False)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refusals)


@dataclass(frozen=True)
class Recorded:
    """How an action that carried a request id went, as the batch record holds it."""

    status: Literal["done", "refused", "deviation"]
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipeSummary:
    code: str
    version: int
    title: str
    product_name: str
    batch_size: Decimal
    unit: str
    status: str  # imported | approved


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    recipe_code: str
    recipe_version: int
    product_name: str
    status: str  # in_progress | on_hold | completed
    current_step: str | None
    started_at: str  # ISO UTC
    open_deviations: int
