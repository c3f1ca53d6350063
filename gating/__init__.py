"""Pure gating rules: given a step and the facts of now, pass or a list of refusals."""

from gating.facts import Actor, Document, Equipment, Lot, Material, Now, TrainingRecord
from gating.gs1_dates import gs1_date
from gating.reasons import (
    ALWAYS_HARD,
    DEFAULT_POLICY,
    FINDINGS,
    GatePolicy,
    GateResult,
    ReasonCode,
    Refusal,
    gate,
)
from gating.rules import (
    check_equipment,
    check_independent_signer,
    check_login,
    check_lot,
    check_open_deviations,
    check_role,
    check_sequence,
    check_signature,
    check_training,
    check_value,
    check_weighing,
    check_weight,
)

__all__ = [
    "ALWAYS_HARD",
    "DEFAULT_POLICY",
    "FINDINGS",
    "Actor",
    "Document",
    "Equipment",
    "GatePolicy",
    "GateResult",
    "Lot",
    "Material",
    "Now",
    "ReasonCode",
    "Refusal",
    "TrainingRecord",
    "check_equipment",
    "check_independent_signer",
    "check_login",
    "check_lot",
    "check_open_deviations",
    "check_role",
    "check_sequence",
    "check_signature",
    "check_training",
    "check_value",
    "check_weighing",
    "check_weight",
    "gate",
    "gs1_date",
]
