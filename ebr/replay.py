"""A batch's execution state, rebuilt by one replay of its own typed audit events.

The audit trail is the one source of truth: every accepted action of a batch is an event in
the batch's stream, written in the same transaction as its typed record. Replaying those
events (``ebr.events``) in stream order gives the state after the last committed action,
which is exactly what survives a crash. The engine keeps the replayed state in memory and
replays again only when the stream has moved on without it; the exports and the QA review
replay the same way, so a step is done in the record exactly when the station says it is.

The state replaces an entry (a step's result, a lot, a binding, a refusal) with a new object
whenever it changes and never changes one in place: a reader may keep an entry and know by
its identity whether it is still current.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ebr.events import (
    ActionRefused,
    Attempt,
    AuditedEvent,
    BatchCompleted,
    BatchHeld,
    BatchResumed,
    BatchStarted,
    DeviationClosed,
    DeviationOpened,
    DeviationRecorded,
    EquipmentBound,
    LotIdentified,
    OverrideSigned,
    StepDone,
)
from ebr.lifecycle import BatchStatus, StepStatus, batch_transition, step_transition

E = TypeVar("E", bound=AuditedEvent)


@dataclass(frozen=True)
class Recorded(Generic[E]):
    """An event as the replay saw it: the event, its UTC time (ISO text, as hashed), who
    recorded it, and its place in the stream."""

    event: E
    at: str | None = None
    user_id: str | None = None
    stream_seq: int = 0


#: The origin of the deviation a blocking check opens (``on_failure: block``).
BLOCKING_ORIGIN = "check_blocked"


@dataclass(frozen=True)
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
    bindings: dict[str, Recorded[EquipmentBound]] = field(default_factory=dict)  # by bind name
    lots: dict[str, Recorded[LotIdentified]] = field(default_factory=dict)  # weigh step -> its lot
    results: dict[str, Recorded[StepDone]] = field(default_factory=dict)  # step -> what completed it
    deviations: dict[str, OpenDeviation] = field(default_factory=dict)  # uid -> open deviation
    last_refusal: dict[str, Recorded[ActionRefused]] = field(default_factory=dict)  # step -> refused
    stream_seq: int = 0

    @classmethod
    def started(cls, started: BatchStarted, step_order: tuple[str, ...]) -> BatchState:
        state = cls(
            batch_id=started.batch_id,
            recipe_code=started.recipe_code,
            recipe_version=int(started.recipe_version),
            content_hash=started.content_hash,
            size=str(started.size),
            unit=started.unit,
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

    @property
    def blocked_by(self) -> OpenDeviation | None:
        """The open deviation of a check answered against its expectation on ``on_failure:
        block``: nothing goes on until a supervisor decides."""
        return next((d for d in self.deviations.values() if d.origin == BLOCKING_ORIGIN), None)

    # ------------------------------------------------------------ replay
    def apply(
        self, event: AuditedEvent, *, stream_seq: int, user_id: str | None = None, at: str | None = None
    ) -> None:
        """Apply one event of this batch's stream. Events that change no state (a label
        printed, a signature's own event, one the vocabulary does not know) pass."""
        self.stream_seq = stream_seq
        if isinstance(event, ActionRefused):
            # A refused override is no refusal of the step's own action: the step's last
            # refusal (the one a supervisor may still override) stays what it was.
            step = event.step
            if step and event.attempted != Attempt.OVERRIDE:
                self.last_refusal[step] = Recorded(event, at, user_id, stream_seq)
            return
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, Recorded(event, at, user_id, stream_seq))
        step = getattr(event, "step", None)
        if step and isinstance(event, _CLEARS_REFUSAL):
            self.last_refusal.pop(step, None)

    def _complete_step(self, done: Recorded[StepDone]) -> None:
        step = done.event.step
        self.steps[step] = step_transition(self.steps[step], "complete")
        self.performers.setdefault(step, set()).add(done.event.performed_by)
        self.results[step] = done
        following = self.current_step
        if following is not None and self.steps[following] is StepStatus.PENDING:
            self.steps[following] = step_transition(StepStatus.PENDING, "activate")


def replay(
    events: Iterable[Recorded[AuditedEvent]], step_order: Callable[[BatchStarted], tuple[str, ...]]
) -> BatchState:
    """The state of a batch from its stream's events in order, the first ``batch.started``
    (``step_order``: the steps of the recipe that event names). Raises ValueError for a
    stream that does not start so."""
    state: BatchState | None = None
    for recorded in events:
        if state is None:
            first = recorded.event
            if not isinstance(first, BatchStarted):
                raise ValueError(f"the stream's first event is {first.action}, not batch.started")
            state = BatchState.started(first, step_order(first))
        state.apply(recorded.event, stream_seq=recorded.stream_seq, user_id=recorded.user_id, at=recorded.at)
    if state is None:
        raise ValueError("the stream has no events")
    return state


def _step_done(state: BatchState, done: Recorded[AuditedEvent]) -> None:
    assert isinstance(done.event, StepDone)
    state._complete_step(done)  # type: ignore[arg-type]


def _equipment_bound(state: BatchState, bound: Recorded[AuditedEvent]) -> None:
    assert isinstance(bound.event, EquipmentBound)
    state.bindings[bound.event.bind] = bound  # type: ignore[assignment]
    _step_done(state, bound)


def _lot_identified(state: BatchState, lot: Recorded[AuditedEvent]) -> None:
    event = lot.event
    assert isinstance(event, LotIdentified)
    state.steps[event.step] = step_transition(state.steps[event.step], "identify_lot")
    state.lots[event.step] = lot  # type: ignore[assignment]
    if lot.user_id:
        state.performers.setdefault(event.step, set()).add(lot.user_id)


def _deviation_opened(state: BatchState, opened: Recorded[AuditedEvent]) -> None:
    event = opened.event
    assert isinstance(event, DeviationOpened)
    state.deviations[event.uid] = OpenDeviation(
        uid=event.uid,
        step=event.step,
        category=event.category,
        text=event.text,
        origin=event.origin,
        opened_by=opened.user_id or "",
        opened_at=opened.at or "",
    )


def _deviation_closed(state: BatchState, closed: Recorded[AuditedEvent]) -> None:
    event = closed.event
    assert isinstance(event, DeviationClosed)
    state.deviations.pop(event.uid, None)
    if event.decision == "repeat" and event.step in state.steps:
        state.steps[event.step] = step_transition(state.steps[event.step], "repeat")
        state.results.pop(event.step, None)


def _status(event: str) -> Callable[[BatchState, Recorded[AuditedEvent]], None]:
    def apply(state: BatchState, recorded: Recorded[AuditedEvent]) -> None:
        state.status = batch_transition(state.status, event)

    return apply


_HANDLERS: dict[type[AuditedEvent], Callable[[BatchState, Recorded[AuditedEvent]], None]] = {
    EquipmentBound: _equipment_bound,
    LotIdentified: _lot_identified,
    DeviationOpened: _deviation_opened,
    DeviationClosed: _deviation_closed,
    BatchHeld: _status("hold"),
    BatchResumed: _status("resume"),
    BatchCompleted: _status("complete"),
}
for _done in StepDone.__subclasses__():
    _HANDLERS.setdefault(_done, _step_done)
# A deviation recorded with its override is acknowledged at once: it never stands open.
_HANDLERS.pop(DeviationRecorded, None)

_CLEARS_REFUSAL = (StepDone, LotIdentified, OverrideSigned)
