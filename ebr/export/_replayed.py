"""A batch's stream replayed into the exports' read model.

The loader (``ebr.export.loader``) hands over the batch's events in stream order, each decoded
into its class (``ebr.events``) with the typed record row it wrote. One pass applies them to
the batch's state, the replay the engine runs (``ebr.replay.BatchState``), and by the event's
class adds what it recorded to the read model: an action at a step, a weighing, a measured
value, a binding, a refusal, a deviation, an override, a signature, a review. What an event
refers to is looked up in the state as it stood when the event was written, as the station
saw it then: the lot identified at the weigh step, the scale bound under the step's name, the
refusal the supervisor overrode. Each step's status, and the batch's, is the state's after the
last event (see docs/architecture.md, "The read path: one replay").

What a reader sees comes from the event; the row gives the record's own uid and the time it
was stamped with, which the exports have always shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ebr import models
from ebr.events import (
    ActionRefused,
    AuditedEvent,
    BatchCompleted,
    BatchStarted,
    CheckAnswered,
    DeviationClosed,
    DeviationOpened,
    DeviationRecorded,
    EquipmentBound,
    LotIdentified,
    MeasurementRecorded,
    OverrideSigned,
    ReviewDecided,
    SignatureSigned,
    StepConfirmed,
    StepDone,
    StepEvent,
    StepSigned,
    WeighingAccepted,
)
from ebr.export import _steps as steps
from ebr.export import _weighings as weighings
from ebr.export.record import (
    Deviation,
    EquipmentUse,
    LotConsumption,
    Measurement,
    Operation,
    Override,
    RecordRef,
    Refusal,
    Review,
    Signature,
    StepExecution,
)
from ebr.lifecycle import BatchStatus
from ebr.replay import BatchState, Recorded
from recipes.model import MasterRecipe, WeighStep
from recipes.model import Step as RecipeStep

E = TypeVar("E", bound=AuditedEvent)
R = TypeVar("R", bound=models.Base)


@dataclass(frozen=True)
class Entry:
    """One event of the batch's stream: as replayed, as stored (``EVENT_FIELDS`` + ``hash``,
    the evidence) and the typed record row it wrote (None: it wrote none, or the row is gone)."""

    recorded: Recorded[AuditedEvent]
    stored: Mapping[str, Any]
    row: models.Base | None = None

    @property
    def at(self) -> dt.datetime:
        return _moment(self.stored["occurred_at"])

    def row_of(self, model: type[R]) -> R | None:
        return self.row if isinstance(self.row, model) else None

    @property
    def ref(self) -> RecordRef | None:
        if self.row is None:
            return None
        return RecordRef(table=str(self.stored["record_table"]), uid=str(self.stored["record_uid"]))


@dataclass(frozen=True)
class Replayed:
    """The batch as its stream tells it, in the read model's terms."""

    status: str
    completed_at: dt.datetime | None
    operations: tuple[Operation, ...]
    equipment: tuple[EquipmentUse, ...]
    consumptions: tuple[LotConsumption, ...]
    measurements: tuple[Measurement, ...]
    refusals: tuple[Refusal, ...]
    deviations: tuple[Deviation, ...]
    overrides: tuple[Override, ...]
    signatures: tuple[Signature, ...]
    reviews: tuple[Review, ...]
    people: frozenset[str]  # everyone who acted


def replay_record(
    entries: Iterable[Entry],
    *,
    master: MasterRecipe | None,
    targets: Mapping[str, Mapping[str, Any]],
    materials: Mapping[str, models.Material],
) -> Replayed:
    """The read model of a batch from its stream's entries in order. ``master``: the recipe it
    ran on (None: one that no longer parses, the steps then come from the stream); ``targets``:
    the scaled weighings of its control recipe by step; ``materials``: the material master."""
    entries = list(entries)
    recorded = (e.recorded.event.step for e in entries if isinstance(e.recorded.event, StepEvent))
    order = master.step_ids() if master is not None else tuple(dict.fromkeys(recorded))
    reader = _Reader(master, order, targets, materials)
    for entry in entries:
        reader.read(entry)
    return reader.result()


def _as(entry: Entry, cls: type[E]) -> E:
    event = entry.recorded.event
    assert isinstance(event, cls)
    return event


class _Reader:
    def __init__(
        self,
        master: MasterRecipe | None,
        order: tuple[str, ...],
        targets: Mapping[str, Mapping[str, Any]],
        materials: Mapping[str, models.Material],
    ) -> None:
        self.master = master
        self.recipe_steps: dict[str, RecipeStep] = {s.id: s for _, s in master.steps()} if master else {}
        self.order = order
        self.targets = targets
        self.materials = materials
        self.state: BatchState | None = None
        self.uid_at: dict[int, str] = {}  # stream_seq -> the event's uid
        self.executions: dict[str, list[StepExecution]] = defaultdict(list)
        self.equipment: list[EquipmentUse] = []
        self.consumptions: list[LotConsumption] = []
        self.measurements: list[Measurement] = []
        self.awaiting: dict[str, list[int]] = {}  # step -> out-of-limits values awaiting their deviation
        self.refusals: list[Refusal] = []
        self.opened: list[tuple[DeviationOpened, models.Deviation]] = []
        self.closures: dict[str, tuple[DeviationClosed, models.DeviationClosure]] = {}
        self.overrides: list[tuple[OverrideSigned, models.Override, str | None]] = []
        self.signatures: list[Signature] = []
        self.reviews: list[tuple[ReviewDecided, models.Review]] = []
        self.completed_at: dt.datetime | None = None
        self.people: set[str] = set()

    def read(self, entry: Entry) -> None:
        recorded = entry.recorded
        event = recorded.event
        if self.state is None:
            if not isinstance(event, BatchStarted):
                raise ValueError(f"the batch's first event is {event.action}, not batch.started")
            self.state = BatchState.started(event, self.order)
        self.uid_at[recorded.stream_seq] = str(entry.stored["uid"])
        self.people.update(p for p in (recorded.user_id, *_actors(event)) if p)
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, entry)  # with the state as it stood when the event was written
        self.state.apply(event, stream_seq=recorded.stream_seq, user_id=recorded.user_id, at=recorded.at)

    # ------------------------------------------------------------ what the state said then
    @property
    def now(self) -> BatchState:
        assert self.state is not None
        return self.state

    def lot_at(self, step: str) -> LotIdentified | None:
        found = self.now.lots.get(step)
        return None if found is None else found.event

    def scale_at(self, step: str) -> EquipmentBound | None:
        recipe_step = self.recipe_steps.get(step)
        if not isinstance(recipe_step, WeighStep):
            return None
        found = self.now.bindings.get(recipe_step.scale)
        return None if found is None else found.event

    # ------------------------------------------------------------ the events, by class
    def execution(self, entry: Entry, step: str, result: str) -> None:
        event = entry.recorded.event
        stored = entry.stored
        written = stored["record_table"] is not None
        user = event.performed_by if isinstance(event, StepDone) else entry.recorded.user_id
        self.executions[step].append(
            StepExecution(
                uid=str(stored["record_uid"] if written else stored["uid"]),
                action=event.action,
                user_id=user or None,
                at=entry.at,
                outcome=event.outcome,
                result=result,
                ref=entry.ref,
                training=_training(event),
                event=type(event),
            )
        )

    def confirmed(self, entry: Entry) -> None:
        event = _as(entry, StepConfirmed)
        self.execution(entry, event.step, f"Confirmed: {event.confirmed}")

    def answered(self, entry: Entry) -> None:
        event = _as(entry, CheckAnswered)
        note = "" if event.as_expected else " — NOT AS EXPECTED (deviation)"
        self.execution(entry, event.step, steps.yes_no(event.value) + note)

    def signed_step(self, entry: Entry) -> None:
        event = _as(entry, StepSigned)
        self.execution(entry, event.step, f"Signed: {event.meaning}")

    def lot_identified(self, entry: Entry) -> None:
        event = _as(entry, LotIdentified)
        text = f"Lot {event.lot} of {event.material} ({event.status}, expires {event.expiry})"
        self.execution(entry, event.step, text)

    def bound(self, entry: Entry) -> None:
        event = _as(entry, EquipmentBound)
        snapshot = event.equipment
        name = snapshot.name or snapshot.id
        self.execution(entry, event.step, f"{snapshot.id} ({name})")
        row = entry.row_of(models.EquipmentBinding)
        if row is None:
            return
        self.equipment.append(
            EquipmentUse(
                uid=row.uid,
                equipment_id=snapshot.id,
                equipment_class=snapshot.equipment_class,
                name=name,
                step_id=event.step,
                bind=event.bind,
                used_by=event.performed_by,
                used_at=row.bound_at,
                status=snapshot.status,
                calibrated_until=snapshot.calibrated_until,
                clean_until=snapshot.clean_until,
                daily_check_until=snapshot.daily_check_until,
                serial_number=None,  # the snapshot at binding holds none (see EquipmentSnapshot)
                ref=entry.ref,
            )
        )

    def measured(self, entry: Entry) -> None:
        event = _as(entry, MeasurementRecorded)
        note = "" if event.in_limits else " — OUT OF LIMITS"
        self.execution(entry, event.step, f"{event.value} {event.unit}{note}")
        row = entry.row_of(models.Measurement)
        if row is None:
            return
        if not event.in_limits:
            self.awaiting.setdefault(event.step, []).append(len(self.measurements))
        self.measurements.append(
            Measurement(
                uid=row.uid,
                step_id=event.step,
                name=event.name,
                value=event.value,
                unit=event.unit,
                low=event.low,
                high=event.high,
                in_limits=event.in_limits,
                entered_by=event.performed_by,
                entered_at=row.measured_at,
                ref=entry.ref,
            )
        )

    def weighed(self, entry: Entry) -> None:
        event = _as(entry, WeighingAccepted)
        scale = self.scale_at(event.step)
        on = f" on {scale.equipment.id}" if scale else ""
        text = f"Net {event.net} {event.unit} (gross {event.gross}, tare {event.tare}) of lot {event.lot}{on}"
        if event.witness:  # a weight entered by hand says so where the step's result is read
            text += f"; entered by hand ({event.manual_reason}), witnessed by {event.witness}"
        self.execution(entry, event.step, text)
        row = entry.row_of(models.LotConsumption)
        if row is None:
            return
        self.consumptions.append(
            weighings.accepted(
                event,
                row,
                lot=self.lot_at(event.step),
                scale=scale,
                material=self.materials.get(event.material),
                target=self.targets.get(event.step, {}),
                ref=entry.ref,
            )
        )

    def refused(self, entry: Entry) -> None:
        event = _as(entry, ActionRefused)
        codes, sentences = _refusal_parts(event)
        step = event.step or (event.subject if event.subject_type == "step" else None)
        self.refusals.append(
            Refusal(
                uid=str(entry.stored["uid"]),
                step_id=step,
                action=event.attempted,
                reason_code=", ".join(codes),
                sentence=" ".join(sentences),
                overridable=False,
                user_id=entry.recorded.user_id,
                at=entry.at,
            )
        )
        if step is None:
            return
        self.execution(entry, step, f"REFUSED ({', '.join(codes)}): {' '.join(sentences)}".strip())
        if {"gross", "net"} <= event.attempt.keys():  # a weighing the gates refused
            lot = self.lot_at(step)
            refused = weighings.refused(
                event,
                uid=str(entry.stored["uid"]),
                step=step,
                codes=codes,
                weighed_by=entry.recorded.user_id,
                weighed_at=entry.at,
                lot=lot,
                scale=self.scale_at(step),
                material=self.materials.get(lot.material) if lot else None,
                target=self.targets.get(step, {}),
            )
            self.consumptions.append(refused)

    def overridden(self, entry: Entry) -> None:
        event = _as(entry, OverrideSigned)
        text = f"Override of {event.reason_code} e-signed; reason: {event.reason_text}"
        self.execution(entry, event.step, text)
        row = entry.row_of(models.Override)
        if row is None:
            return
        # The refusal the supervisor overrode is the step's last one (ebr.replay); an override
        # that acknowledges a deviation names the deviation's origin instead of its codes.
        refused = self.now.last_refusal.get(event.step)
        overrode = refused is not None and ",".join(refused.event.codes) == event.reason_code
        self.overrides.append((event, row, self.uid_at[refused.stream_seq] if refused and overrode else None))

    def deviation_opened(self, entry: Entry) -> None:
        event = _as(entry, DeviationOpened)
        if event.origin == "value_out_of_limits" and event.step is not None:
            for index in self.awaiting.pop(event.step, []):
                self.measurements[index] = dataclasses.replace(
                    self.measurements[index], deviation_uid=event.uid
                )
        row = entry.row_of(models.Deviation)
        if row is not None:
            self.opened.append((event, row))

    def deviation_closed(self, entry: Entry) -> None:
        event = _as(entry, DeviationClosed)
        row = entry.row_of(models.DeviationClosure)
        if row is not None:
            self.closures[event.uid] = (event, row)

    def completed(self, entry: Entry) -> None:
        row = entry.row_of(models.BatchStatusChange)
        if row is not None:
            self.completed_at = row.changed_at

    def signed(self, entry: Entry) -> None:
        row = entry.row_of(models.Signature)
        if row is None:
            return
        # The manifest is the signature's row as stored: the JSON export's verifier checks the
        # one against the other, and the row holds what the event does not (the signed hash).
        self.signatures.append(
            Signature(
                uid=row.uid,
                user_id=row.signer_id,
                printed_name=row.printed_name,
                meaning=row.meaning,
                signed_at=row.signed_at,
                signed_hash=row.signed_hash,
                signed_record=RecordRef(table=row.record_table, uid=row.record_uid),
                step_id=row.step_id,
                ref=entry.ref,
            )
        )

    def reviewed(self, entry: Entry) -> None:
        event = _as(entry, ReviewDecided)
        row = entry.row_of(models.Review)
        if row is not None:
            self.reviews.append((event, row))

    # ------------------------------------------------------------ the whole
    def result(self) -> Replayed:
        signed = {(s.signed_record.table, s.signed_record.uid): s.uid for s in self.signatures}
        overrides = tuple(
            Override(
                uid=row.uid,
                step_id=event.step,
                reason_code=event.reason_code,
                supervisor=event.supervisor,
                reason=event.reason_text,
                at=row.overridden_at,
                refusal_uid=refusal,
                deviation_uid=event.deviation,
                signature_uid=signed.get(("overrides", row.uid)),
                ref=RecordRef(table="overrides", uid=row.uid),
            )
            for event, row, refusal in self.overrides
        )
        by_deviation = {o.deviation_uid: o for o in overrides if o.deviation_uid}
        reviews = tuple(
            Review(
                uid=row.uid,
                decision=event.verdict,
                reviewer=row.reviewer,
                at=row.reviewed_at,
                comment=event.comment or "",
                signature_uid=signed.get(("reviews", row.uid)),
                ref=RecordRef(table="reviews", uid=row.uid),
            )
            for event, row in self.reviews
        )
        state = self.state
        return Replayed(
            status=(state.status if state else BatchStatus.IN_PROGRESS).value,
            completed_at=self.completed_at,
            operations=steps.operations(
                self.master,
                self.executions,
                state.steps if state else {},
                targets=self.targets,
                materials=self.materials,
            ),
            equipment=tuple(self.equipment),
            consumptions=tuple(
                dataclasses.replace(c, witness_signature_uid=signed.get(("lot_consumptions", c.uid)))
                if c.witness
                else c
                for c in self.consumptions
            ),
            measurements=tuple(self.measurements),
            refusals=tuple(self.refusals),
            deviations=tuple(
                self.deviation(number, event, row, by_deviation)
                for number, (event, row) in enumerate(self.opened, start=1)
            ),
            overrides=overrides,
            signatures=tuple(self.signatures),
            reviews=reviews,
            people=frozenset(self.people),
        )

    def deviation(
        self, number: int, event: DeviationOpened, row: models.Deviation, by_deviation: Mapping[str, Override]
    ) -> Deviation:
        closed_by = closed_at = reason = None
        closure = self.closures.get(event.uid)
        acknowledged = by_deviation.get(event.uid)
        if closure is not None:
            closed_by, closed_at, reason = closure[0].closed_by, closure[1].closed_at, closure[0].resolution
        elif acknowledged is not None and isinstance(event, DeviationRecorded):
            closed_by, closed_at = acknowledged.supervisor, acknowledged.at
            reason = f"Recorded with the supervisor's e-signed override: {acknowledged.reason}"
        return Deviation(
            uid=row.uid,
            number=f"DEV-{number:02d}",
            step_id=event.step,
            category=event.category,
            text=event.text,
            origin=event.origin,
            opened_by=row.opened_by,
            opened_at=row.opened_at,
            closed_by=closed_by,
            closed_at=closed_at,
            closure_reason=reason,
            ref=RecordRef(table="deviations", uid=row.uid),
        )


_HANDLERS: dict[type[AuditedEvent], Callable[[_Reader, Entry], None]] = {
    StepConfirmed: _Reader.confirmed,
    CheckAnswered: _Reader.answered,
    StepSigned: _Reader.signed_step,
    LotIdentified: _Reader.lot_identified,
    EquipmentBound: _Reader.bound,
    MeasurementRecorded: _Reader.measured,
    WeighingAccepted: _Reader.weighed,
    ActionRefused: _Reader.refused,
    OverrideSigned: _Reader.overridden,
    DeviationOpened: _Reader.deviation_opened,
    DeviationRecorded: _Reader.deviation_opened,
    DeviationClosed: _Reader.deviation_closed,
    BatchCompleted: _Reader.completed,
    SignatureSigned: _Reader.signed,
    ReviewDecided: _Reader.reviewed,
}
"""What each class adds to the read model. The batch's start, hold and resume, a label printed
and an event no class knows add nothing of their own: the header, the replayed status and the
audit trail show them."""


# ---------------------------------------------------------------- values


def _refusal_parts(event: ActionRefused) -> tuple[list[str], list[str]]:
    """Reason codes and sentences of a refusal; one written before each refusal carried its
    sentence (a QA review's) has its code in the reason."""
    codes = list(event.codes)
    sentences = [r.sentence for r in event.refusals if r.sentence]
    if not codes and event.reason:
        code, _, sentence = event.reason.partition(": ")
        codes = [c.strip() for c in code.split(",") if c.strip()]
        if sentence:
            sentences.append(sentence)
    return codes or ["refused"], sentences


def _actors(event: AuditedEvent) -> tuple[str, ...]:
    """Who acted in an event besides the user who recorded it (a signer, a supervisor)."""
    if isinstance(event, StepDone):
        return (event.performed_by,)
    if isinstance(event, OverrideSigned):
        return (event.supervisor,)
    return ()


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _training(event: object) -> tuple[str, ...]:
    """The training a step's gate relied on, in words (the event's snapshot)."""
    if not isinstance(event, StepDone) or not event.training:
        return ()
    return tuple(
        f"{t.document} rev {t.revision}, trained {t.trained_on.isoformat()}, "
        + (f"valid through {t.expires.isoformat()}" if t.expires else "does not expire")
        for t in event.training
    )
