"""The record's vocabulary: one frozen, typed class per audit action.

Writers build these and hand them to ``UnitOfWork.write`` (the one write path: event,
typed record row and hash chain in the unit of work's transaction). Readers turn stored
events back into them with :func:`decode` and never parse an action name of their own;
a batch's state is the replay of its decoded events (``ebr.replay``).

``ebr.events.batch`` holds a batch stream's events, ``ebr.events.site`` the site stream's,
``ebr.events.codec`` how a class maps to the stored columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ebr.events.batch import (
    ActionRefused,
    Attempt,
    BatchCompleted,
    BatchEvent,
    BatchHeld,
    BatchResumed,
    BatchStarted,
    DeviationClosed,
    DeviationOpened,
    DeviationRecorded,
    LabelPrinted,
    OverrideSigned,
    RefusalNote,
    ReviewDecided,
    SignatureSigned,
    StatusChanged,
    StepEvent,
)
from ebr.events.codec import AuditedEvent, Outcome, Stored, UnknownAction, to_json
from ebr.events.site import (
    SITE_EVENTS,
    AuthenticationFailed,
    ChainIdentified,
    FailedAttemptsReset,
    LoggedOut,
    LoginSucceeded,
    MasterDataChanged,
    MasterDataSealed,
    PasswordChanged,
    PasswordExpired,
    PasswordReset,
    RecipeImported,
    SitePolicyChanged,
    StoreRestored,
    UserDeactivated,
    UserEvent,
    UserLocked,
    UserUnlocked,
)
from ebr.events.steps import (
    CheckAnswered,
    EquipmentBound,
    EquipmentSnapshot,
    LotIdentified,
    MeasurementRecorded,
    StepConfirmed,
    StepDone,
    StepSigned,
    TrainingUsed,
    WeighingAccepted,
)

#: Every class of a batch's stream.
BATCH_EVENTS: tuple[type[AuditedEvent], ...] = (
    BatchStarted,
    StepConfirmed,
    CheckAnswered,
    StepSigned,
    MeasurementRecorded,
    EquipmentBound,
    LotIdentified,
    WeighingAccepted,
    OverrideSigned,
    DeviationOpened,
    DeviationRecorded,
    DeviationClosed,
    BatchHeld,
    BatchResumed,
    BatchCompleted,
    ActionRefused,
    ReviewDecided,
    LabelPrinted,
    SignatureSigned,
)
#: Every class of the vocabulary.
ALL_EVENTS: tuple[type[AuditedEvent], ...] = (*BATCH_EVENTS, *SITE_EVENTS)

_BY_ACTION: dict[str, type[AuditedEvent]] = {
    name: cls for cls in ALL_EVENTS if cls not in (ActionRefused, MasterDataChanged) for name in cls.actions()
}


@dataclass(frozen=True, kw_only=True)
class Unrecognised(AuditedEvent):
    """An event whose action the vocabulary does not know (kept whole, so a reader can list
    it; the replay passes over it). Never written: it has no stored name of its own."""

    ACTION: ClassVar[str] = ""
    stored_as: Stored

    @property
    def action(self) -> str:
        return self.stored_as.action


def event_class(action: str) -> type[AuditedEvent]:
    """The class that reads events stored as ``action``; raises ``UnknownAction``."""
    found = _BY_ACTION.get(action)
    if found is not None:
        return found
    if action.endswith(".refused"):
        return ActionRefused
    if MasterDataChanged.matches(action):
        return MasterDataChanged
    raise UnknownAction(f"no event class for the action {action!r}")


def changes_master_data(action: str) -> bool:
    """Whether events stored as ``action`` add, change or seal master data (what the engine's
    cached master facts depend on)."""
    try:
        return event_class(action) in (MasterDataChanged, MasterDataSealed)
    except UnknownAction:
        return False


def ends_sessions(action: str) -> bool:
    """Whether events stored as ``action`` may end a user's session at a station: the account
    deactivated, locked, or its password reset by an administrator."""
    try:
        return event_class(action) in (UserDeactivated, UserLocked, PasswordReset)
    except UnknownAction:
        return False


def decode(event: Stored) -> AuditedEvent:
    """A stored event as its typed class (``Unrecognised`` for an action nobody writes)."""
    try:
        cls = event_class(event.action)
    except UnknownAction:
        return Unrecognised(stored_as=event)
    return cls.decode(event)


def decode_row(row: Mapping[Any, Any]) -> AuditedEvent:
    """An ``audit_events`` row (its columns by name, values as stored text) as its class."""
    return decode(
        Stored(
            action=row["action"],
            outcome=row["outcome"],
            entity_type=row["entity_type"],
            entity_id=row["entity_id"],
            old_value=_parsed(row["old_value"]),
            new_value=_parsed(row["new_value"]),
            reason=row["reason"],
        )
    )


def _parsed(text: Any) -> Any:
    if text is None or not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


__all__ = [
    "ALL_EVENTS",
    "BATCH_EVENTS",
    "ActionRefused",
    "Attempt",
    "AuditedEvent",
    "AuthenticationFailed",
    "BatchCompleted",
    "BatchEvent",
    "BatchHeld",
    "BatchResumed",
    "BatchStarted",
    "ChainIdentified",
    "CheckAnswered",
    "DeviationClosed",
    "DeviationOpened",
    "DeviationRecorded",
    "EquipmentBound",
    "EquipmentSnapshot",
    "FailedAttemptsReset",
    "LabelPrinted",
    "LoggedOut",
    "LoginSucceeded",
    "LotIdentified",
    "MasterDataChanged",
    "MasterDataSealed",
    "MeasurementRecorded",
    "Outcome",
    "OverrideSigned",
    "PasswordChanged",
    "PasswordExpired",
    "PasswordReset",
    "RecipeImported",
    "RefusalNote",
    "ReviewDecided",
    "SignatureSigned",
    "SitePolicyChanged",
    "StatusChanged",
    "StepConfirmed",
    "StepDone",
    "StepEvent",
    "StepSigned",
    "StoreRestored",
    "Stored",
    "TrainingUsed",
    "UnknownAction",
    "Unrecognised",
    "UserDeactivated",
    "UserEvent",
    "UserLocked",
    "UserUnlocked",
    "WeighingAccepted",
    "changes_master_data",
    "decode",
    "decode_row",
    "ends_sessions",
    "event_class",
    "to_json",
]
