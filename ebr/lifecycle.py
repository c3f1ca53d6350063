"""The strict lifecycles of a step and of a batch, as declarative transition tables.

A step moves pending -> active -> done; a weigh step passes through lot_identified (the
lot label was scanned and passed its gate) before the weighing completes it. A batch moves
in_progress <-> on_hold -> completed. Any other move raises IllegalTransition: the engine
never sets a state by hand, it fires an event and the table decides.

A transition table rather than a state-machine library object per step: the engine replays
a batch's events to rebuild its state, and a dict lookup per event keeps that cheap.
"""

from __future__ import annotations

from enum import StrEnum


class IllegalTransition(Exception):
    def __init__(self, machine: str, state: str, event: str) -> None:
        super().__init__(f"{machine}: '{event}' is not allowed while {state}")
        self.machine, self.state, self.event = machine, state, event


class StepStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    LOT_IDENTIFIED = "lot_identified"
    DONE = "done"


class BatchStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"


STEP_TRANSITIONS: dict[tuple[StepStatus, str], StepStatus] = {
    (StepStatus.PENDING, "activate"): StepStatus.ACTIVE,
    (StepStatus.ACTIVE, "complete"): StepStatus.DONE,
    (StepStatus.ACTIVE, "identify_lot"): StepStatus.LOT_IDENTIFIED,
    # A different lot may be scanned again before the weighing is accepted.
    (StepStatus.LOT_IDENTIFIED, "identify_lot"): StepStatus.LOT_IDENTIFIED,
    (StepStatus.LOT_IDENTIFIED, "complete"): StepStatus.DONE,
    # A check that stopped the batch, to be done again by a supervisor's decision.
    (StepStatus.DONE, "repeat"): StepStatus.ACTIVE,
}

BATCH_TRANSITIONS: dict[tuple[BatchStatus, str], BatchStatus] = {
    (BatchStatus.IN_PROGRESS, "hold"): BatchStatus.ON_HOLD,
    (BatchStatus.ON_HOLD, "resume"): BatchStatus.IN_PROGRESS,
    (BatchStatus.IN_PROGRESS, "complete"): BatchStatus.COMPLETED,
}


def step_transition(state: StepStatus, event: str) -> StepStatus:
    try:
        return STEP_TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition("step", state.value, event) from None


def batch_transition(state: BatchStatus, event: str) -> BatchStatus:
    try:
        return BATCH_TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition("batch", state.value, event) from None
