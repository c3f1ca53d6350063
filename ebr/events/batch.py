"""The events of a batch's own stream: what the engine, the QA review and label printing write.

One frozen class per audit action, each with its stored action name (unchanged since the
first release, so every database ever written decodes and verifies), its payload key for key,
and the typed record row it vouches for. See ``docs/architecture.md`` ("The record's
vocabulary") for the write and replay paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Literal

from ebr import models
from ebr.events.codec import AuditedEvent, Outcome, Place, Stored, at, key, optional


@dataclass(frozen=True, kw_only=True)
class BatchEvent(AuditedEvent):
    """An event of a batch's stream. ``request``: the idempotency key of the action that wrote
    it (a script's hash and the action's index), so a re-run knows what is recorded."""

    request: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class StepEvent(BatchEvent):
    """An event at one step: its ``entity_id`` is the step."""

    step: str


# ------------------------------------------------------------------ starting the batch


@dataclass(frozen=True, kw_only=True)
class BatchStarted(BatchEvent):
    ACTION: ClassVar[str] = "batch.started"
    ENTITY: ClassVar[str] = "batch"
    RECORD: ClassVar[type[models.Base] | None] = models.Batch

    batch_id: str
    recipe_code: str
    recipe_version: int
    content_hash: str
    size: Decimal
    unit: str
    factor: Decimal
    station: str
    #: The scaled control recipe the batch runs on (the row holds it; the event does not).
    control_recipe: Mapping[str, Any] | None = at(Place.RECORD)

    @property
    def entity_id(self) -> str | None:
        return self.batch_id

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        assert user_id is not None
        return models.Batch(
            batch_id=self.batch_id,
            recipe_code=self.recipe_code,
            recipe_version=self.recipe_version,
            recipe_content_hash=self.content_hash,
            size=self.size,
            unit=self.unit,
            control_recipe=self.control_recipe,
            started_by=user_id,
            started_at=now,
            station=self.station,
        )


@dataclass(frozen=True, kw_only=True)
class OverrideSigned(StepEvent):
    """A supervisor's signed override of a refusal, or acknowledgement of a deviation."""

    ACTION: ClassVar[str] = "override.signed"
    RECORD: ClassVar[type[models.Base] | None] = models.Override

    deviation: str | None  # the deviation it opened or acknowledged
    reason_code: str  # the refusal codes overridden (comma-separated) or the deviation's origin
    supervisor: str
    reason_text: str

    @property
    def reason(self) -> str | None:
        return self.reason_text

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return models.Override(
            batch_id=stream,
            step_id=self.step,
            reason_code=self.reason_code,
            supervisor=self.supervisor,
            reason_text=self.reason_text,
            deviation_uid=self.deviation,
            overridden_at=now,
        )


# ------------------------------------------------------------------ deviations


@dataclass(frozen=True, kw_only=True)
class DeviationOpened(BatchEvent):
    """A deviation that stays open until a supervisor acknowledges it."""

    ACTION: ClassVar[str] = "deviation.opened"
    ENTITY: ClassVar[str] = "deviation"
    RECORD: ClassVar[type[models.Base] | None] = models.Deviation

    step: str | None
    uid: str
    category: str
    text: str
    origin: str  # value_out_of_limits | check_not_as_expected | override | manual

    @property
    def reason(self) -> str | None:
        return self.origin

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        assert user_id is not None
        return models.Deviation(
            uid=self.uid,
            batch_id=stream,
            step_id=self.step,
            category=self.category,
            text=self.text,
            origin=self.origin,
            opened_by=user_id,
            opened_at=now,
        )


@dataclass(frozen=True, kw_only=True)
class DeviationRecorded(DeviationOpened):
    """A deviation acknowledged as it is opened (the override signed with it)."""

    ACTION: ClassVar[str] = "deviation.recorded"


@dataclass(frozen=True, kw_only=True)
class DeviationClosed(BatchEvent):
    ACTION: ClassVar[str] = "deviation.closed"
    ENTITY: ClassVar[str] = "deviation"
    RECORD: ClassVar[type[models.Base] | None] = models.DeviationClosure

    step: str | None
    uid: str
    resolution: str
    closed_by: str
    # A supervisor's decision on a check that stopped the batch (``on_failure: block``):
    # "continue", or "repeat" (the step is done again). None for any other closure.
    decision: str | None = optional()

    @property
    def entity_id(self) -> str | None:
        return self.uid

    @property
    def reason(self) -> str | None:
        return self.resolution

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return models.DeviationClosure(
            batch_id=stream,
            deviation_uid=self.uid,
            resolution=self.resolution,
            closed_by=self.closed_by,
            closed_at=now,
        )


# ------------------------------------------------------------------ the batch's status


@dataclass(frozen=True, kw_only=True)
class StatusChanged(BatchEvent):
    ENTITY: ClassVar[str] = "batch"
    RECORD: ClassVar[type[models.Base] | None] = models.BatchStatusChange
    STATUS: ClassVar[str] = ""

    batch_id: str = at(Place.ENTITY_ID, "")
    status: str = ""
    old_status: str

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", self.STATUS)

    def _row(self, stream: str, user_id: str | None, now: dt.datetime, reason: str | None) -> models.Base:
        assert user_id is not None
        return models.BatchStatusChange(
            batch_id=stream, status=self.status, reason=reason, changed_by=user_id, changed_at=now
        )


@dataclass(frozen=True, kw_only=True)
class BatchHeld(StatusChanged):
    ACTION: ClassVar[str] = "batch.held"
    STATUS: ClassVar[str] = "on_hold"

    why: str = key("reason", "held")

    @property
    def reason(self) -> str | None:
        return self.why

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return self._row(stream, user_id, now, self.why)


@dataclass(frozen=True, kw_only=True)
class BatchResumed(BatchHeld):
    ACTION: ClassVar[str] = "batch.resumed"
    STATUS: ClassVar[str] = "in_progress"

    why: str = key("reason", "resumed")


@dataclass(frozen=True, kw_only=True)
class BatchCompleted(StatusChanged):
    ACTION: ClassVar[str] = "batch.completed"
    STATUS: ClassVar[str] = "completed"

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        return self._row(stream, user_id, now, "all steps done")


# ------------------------------------------------------------------ refusals


class Attempt(StrEnum):
    """What a refused action was trying to do: stored in its payload (``action``) and in its
    action name (``<attempted>.refused``). The names are those the station has always written."""

    BATCH_START = "batch.start"
    BATCH_COMPLETE = "batch.complete"
    STEP_CONFIRM = "step.confirm"
    STEP_ANSWER = "step.answer"
    STEP_ENTER = "step.enter"
    STEP_SIGN = "step.sign"
    EQUIPMENT_SCAN = "equipment.scan"
    LOT_SCAN = "lot.scan"
    WEIGHING = "weighing"
    OVERRIDE = "override"
    DECISION = "decision"  # a supervisor's decision on a check that stopped the batch
    REVIEW = "review"
    SIGNATURE = "signature"
    COMMAND = "command"  # a command of the command line, refused for who asked (role, password state)
    MASTER_IMPORT = "master.import"
    PASSWORD_CHANGE = "password.change"  # a new password the site's policy refused


@dataclass(frozen=True)
class RefusalNote:
    """One reason an action was refused: its code and the sentence the person was shown."""

    code: str
    sentence: str = ""


@dataclass(frozen=True, kw_only=True)
class ActionRefused(BatchEvent):
    """An action a gate refused, with every reason, and what it had in hand (``attempt``:
    the step, the scan, the weights ...). Stored as ``<attempted>.refused``; written to the
    batch's stream, or the site's for what belongs to no batch (a refused start, a refused
    signature over a recipe)."""

    ACTION: ClassVar[str] = "action.refused"
    OUTCOME: ClassVar[Outcome] = "refused"

    attempted: str = key("action")  # an Attempt (kept as text: an older store may hold others)
    refusals: tuple[RefusalNote, ...] = ()
    attempt: Mapping[str, Any] = field(default_factory=dict, metadata={"place": Place.FLAT})
    subject_type: str = at(Place.ENTITY_TYPE, "step")
    subject: str | None = at(Place.ENTITY_ID)
    note: str | None = at(Place.REASON)  # the reason column; by default the codes

    @property
    def action(self) -> str:
        return f"{self.attempted}.refused"

    @property
    def step(self) -> str | None:
        found = self.attempt.get("step")
        return None if found is None else str(found)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refusals)

    @property
    def entity_id(self) -> str | None:
        return self.subject if self.subject is not None else self.step

    @property
    def reason(self) -> str | None:
        return self.note if self.note is not None else ", ".join(self.codes)

    def new_value(self) -> dict[str, Any] | None:
        if not self.refusals and "refusals" not in self.attempt:
            # The form of refusals written before each carried its sentence (a QA review's).
            value = dict(self.attempt)
            if self.request is not None:
                value["request"] = self.request
            return value
        return super().new_value()

    @classmethod
    def _decode_extra(cls, event: Stored) -> dict[str, Any]:
        extra: dict[str, Any] = {"attempted": event.action.removesuffix(".refused")}
        new = event.new_value if isinstance(event.new_value, Mapping) else {}
        if "action" in new and isinstance(new["action"], str):
            extra["attempted"] = new["action"]
        return extra


# ------------------------------------------------------------------ after the batch


@dataclass(frozen=True, kw_only=True)
class ReviewDecided(BatchEvent):
    """QA's review of the completed record: approved or rejected, with a comment."""

    ACTION: ClassVar[str] = "review.approved"
    ALSO: ClassVar[tuple[str, ...]] = ("review.rejected",)
    ENTITY: ClassVar[str] = "batch"
    RECORD: ClassVar[type[models.Base] | None] = models.Review

    verdict: Literal["approved", "rejected"] = key("outcome")
    batch_id: str = at(Place.ENTITY_ID, "")
    comment: str | None = at(Place.REASON)

    @property
    def action(self) -> str:
        return f"review.{self.verdict}"

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        assert user_id is not None
        return models.Review(
            batch_id=stream, reviewer=user_id, outcome=self.verdict, comment=self.comment, reviewed_at=now
        )


@dataclass(frozen=True, kw_only=True)
class LabelPrinted(StepEvent):
    """A dispense label printed (the first copy) or reprinted (every later one)."""

    ACTION: ClassVar[str] = "label.printed"
    ALSO: ClassVar[tuple[str, ...]] = ("label.reprinted",)

    copy: int
    file: str

    @property
    def action(self) -> str:
        return "label.printed" if self.copy <= 1 else "label.reprinted"


@dataclass(frozen=True, kw_only=True)
class SignatureSigned(BatchEvent):
    """An e-signature (printed name, meaning, time, and the hash of exactly what it signs),
    in the batch's stream or, over a recipe, the site's."""

    ACTION: ClassVar[str] = "signature.signed"
    RECORD: ClassVar[type[models.Base] | None] = models.Signature

    meaning: str
    printed_name: str
    signed_table: str = at(Place.ENTITY_TYPE, "")
    subject: str | None = at(Place.ENTITY_ID)  # the step signed at, or the signed row's uid
    record_uid: str | None = at(Place.RECORD)
    signed_hash: str | None = at(Place.RECORD)
    step_id: str | None = at(Place.RECORD)

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        from ebr.audit import SITE_STREAM

        assert user_id is not None and self.record_uid and self.signed_hash
        return models.Signature(
            batch_id=None if stream == SITE_STREAM else stream,
            step_id=self.step_id,
            signer_id=user_id,
            printed_name=self.printed_name,
            meaning=self.meaning,
            signed_at=now,
            record_table=self.signed_table,
            record_uid=self.record_uid,
            signed_hash=self.signed_hash,
        )


#: Every class of a batch's stream (the site stream's are in ``ebr.events.site``).
