"""A batch's execution state, rebuilt from its own audit events.

The audit trail is the one source of truth: every accepted action of a batch is an event in
the batch's stream, written in the same transaction as its typed record. Replaying those
events in stream order gives the state after the last committed action, which is exactly
what survives a crash. The engine keeps the replayed state in memory and replays again only
when the stream has moved on without it (another process, a restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from station.engine.lifecycle import BatchStatus, StepStatus, batch_transition, step_transition


@dataclass
class OpenDeviation:
    uid: str
    step: str | None
    category: str
    text: str
    origin: str
    opened_by: str
    opened_at: str


@dataclass
class BatchState:
    batch_id: str
    recipe_code: str
    recipe_version: int
    content_hash: str
    size: str
    unit: str
    step_order: tuple[str, ...]
    status: BatchStatus = BatchStatus.IN_PROGRESS
    steps: dict[str, StepStatus] = field(default_factory=dict)
    performers: dict[str, set[str]] = field(default_factory=dict)  # step -> users who did it
    bindings: dict[str, dict[str, Any]] = field(default_factory=dict)  # bind name -> equipment snapshot
    lots: dict[str, dict[str, Any]] = field(default_factory=dict)  # weigh step -> identified lot
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> what was recorded
    deviations: dict[str, OpenDeviation] = field(default_factory=dict)  # uid -> open deviation
    last_refusal: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> refused action
    stream_seq: int = 0

    @classmethod
    def started(cls, started: dict[str, Any], step_order: tuple[str, ...]) -> BatchState:
        state = cls(
            batch_id=started["batch_id"],
            recipe_code=started["recipe_code"],
            recipe_version=int(started["recipe_version"]),
            content_hash=started["content_hash"],
            size=str(started["size"]),
            unit=started["unit"],
            step_order=step_order,
        )
        state.steps = {s: StepStatus.PENDING for s in step_order}
        if step_order:
            state.steps[step_order[0]] = step_transition(StepStatus.PENDING, "activate")
        return state

    # ------------------------------------------------------------ queries
    @property
    def current_step(self) -> str | None:
        for step in self.step_order:
            if self.steps[step] is not StepStatus.DONE:
                return step
        return None

    @property
    def open_deviations(self) -> list[OpenDeviation]:
        return list(self.deviations.values())

    def deviations_at(self, step: str) -> list[OpenDeviation]:
        return [d for d in self.deviations.values() if d.step == step]

    # ------------------------------------------------------------ replay
    def apply(
        self,
        action: str,
        outcome: str,
        user_id: str | None,
        value: dict[str, Any],
        stream_seq: int,
        at: str | None = None,
    ) -> None:
        """Apply one event of this batch's stream (``at``: its UTC time). Unknown actions change nothing."""
        self.stream_seq = stream_seq
        if at is not None and isinstance(value, dict):
            value = dict(value, at=at)
        step = value.get("step") if isinstance(value, dict) else None
        if outcome == "refused":
            # A refused override is no refusal of the step's own action: the step's last refusal
            # (the one a supervisor may still override) stays what it was.
            if step and value.get("action") != "override":
                self.last_refusal[step] = value
            return
        handler = _HANDLERS.get(action)
        if handler is not None:
            handler(self, user_id, value)
        if step and action in _CLEARS_REFUSAL:
            self.last_refusal.pop(step, None)

    def _complete_step(self, step: str, user_id: str | None, result: dict[str, Any]) -> None:
        self.steps[step] = step_transition(self.steps[step], "complete")
        if user_id:
            self.performers.setdefault(step, set()).add(user_id)
        self.results[step] = result
        following = self.current_step
        if following is not None and self.steps[following] is StepStatus.PENDING:
            self.steps[following] = step_transition(StepStatus.PENDING, "activate")


def _step_done(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
    state._complete_step(value["step"], value.get("performed_by", user_id), value)


def _equipment_bound(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
    state.bindings[value["bind"]] = value
    _step_done(state, user_id, value)


def _lot_identified(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
    step = value["step"]
    state.steps[step] = step_transition(state.steps[step], "identify_lot")
    state.lots[step] = value
    if user_id:
        state.performers.setdefault(step, set()).add(user_id)


def _deviation_opened(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
    state.deviations[value["uid"]] = OpenDeviation(
        uid=value["uid"],
        step=value.get("step"),
        category=value.get("category", ""),
        text=value.get("text", ""),
        origin=value.get("origin", "manual"),
        opened_by=user_id or "",
        opened_at=value.get("opened_at", ""),
    )


def _deviation_closed(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
    state.deviations.pop(value["uid"], None)


def _status(event: str) -> Any:
    def apply(state: BatchState, user_id: str | None, value: dict[str, Any]) -> None:
        state.status = batch_transition(state.status, event)

    return apply


_HANDLERS = {
    "step.confirmed": _step_done,
    "step.answered": _step_done,
    "measurement.recorded": _step_done,
    "equipment.bound": _equipment_bound,
    "lot.identified": _lot_identified,
    "weighing.accepted": _step_done,
    "step.signed": _step_done,
    "deviation.opened": _deviation_opened,
    "deviation.closed": _deviation_closed,
    "batch.held": _status("hold"),
    "batch.resumed": _status("resume"),
    "batch.completed": _status("complete"),
}

_CLEARS_REFUSAL = {
    "step.confirmed",
    "step.answered",
    "measurement.recorded",
    "equipment.bound",
    "lot.identified",
    "weighing.accepted",
    "step.signed",
    "override.signed",
}
