"""Pure gating rules: given a step and the facts of now, pass or a list of refusals.

The names below are imported on first use (PEP 562): a module that needs only
``gating.wording`` (the touchscreen's start path does) does not pay for the rules and the
recipe model they stand on.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    **dict.fromkeys(("Actor", "Document", "Equipment", "Lot", "Material", "Now", "TrainingRecord"), "gating.facts"),
    "gs1_date": "gating.gs1_dates",
    **dict.fromkeys(
        ("ALWAYS_HARD", "DEFAULT_POLICY", "FINDINGS", "GatePolicy", "GateResult", "ReasonCode", "Refusal", "gate"),
        "gating.reasons",
    ),
    **dict.fromkeys(
        (
            "check_equipment", "check_independent_signer", "check_login", "check_lot", "check_open_deviations",
            "check_role", "check_sequence", "check_signature", "check_training", "check_value", "check_weighing",
            "check_weight",
        ),
        "gating.rules",
    ),
}  # fmt: skip

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'gating' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
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
