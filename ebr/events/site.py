"""The events of the site stream: who logged in and out, user administration, master data
and recipes. The same codec as a batch's events (``ebr.events.codec``); ``old_value`` holds
what a change replaced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ebr import models
from ebr.events.codec import AuditedEvent, Outcome, Place, Stored, at, key, optional


@dataclass(frozen=True, kw_only=True)
class UserEvent(AuditedEvent):
    """An event about one user account (its ``entity_id``), with the reason column's text."""

    ENTITY: ClassVar[str] = "user"

    user: str = at(Place.ENTITY_ID, "")
    note: str | None = at(Place.REASON)
    #: The hash of the user's row right after the change this event made (``ebr.master_seal``);
    #: None for an event that changed no row (a login) and for events written before seals.
    seal: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class LoginSucceeded(UserEvent):
    ACTION: ClassVar[str] = "login.succeeded"


@dataclass(frozen=True, kw_only=True)
class AuthenticationFailed(UserEvent):
    """A wrong user id or password at a login (``login.failed``) or at an e-signature
    (``signature.auth_failed``). ``user``: the account, or what was typed for an unknown one."""

    ACTION: ClassVar[str] = "login.failed"
    ALSO: ClassVar[tuple[str, ...]] = ("signature.auth_failed",)
    OUTCOME: ClassVar[Outcome] = "refused"

    purpose: Literal["login", "signature"] = field(default="login", metadata={"place": Place.RECORD})
    failed_before: int | None = at(Place.OLD, key="failed_attempts", omit_none=True)
    failed_attempts: int | None = optional()

    @property
    def action(self) -> str:
        return "login.failed" if self.purpose == "login" else "signature.auth_failed"

    @classmethod
    def _decode_extra(cls, event: Stored) -> dict[str, Any]:
        return {"purpose": "login" if event.action == "login.failed" else "signature"}


@dataclass(frozen=True, kw_only=True)
class UserLocked(UserEvent):
    ACTION: ClassVar[str] = "user.locked"

    was_locked: bool = at(Place.OLD, False, key="locked")
    locked: bool = True


@dataclass(frozen=True, kw_only=True)
class FailedAttemptsReset(UserEvent):
    ACTION: ClassVar[str] = "user.failed_attempts_reset"

    failed_before: int = at(Place.OLD, 0, key="failed_attempts")
    failed_attempts: int = 0


@dataclass(frozen=True, kw_only=True)
class UserUnlocked(UserEvent):
    ACTION: ClassVar[str] = "user.unlocked"

    was_locked: bool = at(Place.OLD, True, key="locked")
    failed_before: int = at(Place.OLD, 0, key="failed_attempts")
    locked: bool = False
    failed_attempts: int = 0


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(UserEvent):
    ACTION: ClassVar[str] = "user.deactivated"

    was_active: bool = at(Place.OLD, True, key="active")
    active: bool = False


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(UserEvent):
    """A user set their own password (``must_change_password`` cleared)."""

    ACTION: ClassVar[str] = "user.password_changed"

    had_to_change: bool = at(Place.OLD, False, key="must_change_password")
    must_change_password: bool = False


@dataclass(frozen=True, kw_only=True)
class PasswordReset(UserEvent):
    """An administrator set a temporary password: it must be changed at the next login."""

    ACTION: ClassVar[str] = "user.password_reset"

    had_to_change: bool = at(Place.OLD, False, key="must_change_password")
    must_change_password: bool = True


@dataclass(frozen=True, kw_only=True)
class PasswordExpired(UserEvent):
    """The password was found past the site's maximum age at an authentication: it must be
    changed before anything else, like an initial one (``ebr.password_policy``)."""

    ACTION: ClassVar[str] = "user.password_expired"

    had_to_change: bool = at(Place.OLD, False, key="must_change_password")
    must_change_password: bool = True


@dataclass(frozen=True, kw_only=True)
class LoggedOut(UserEvent):
    ACTION: ClassVar[str] = "logout"

    station: str
    why: str = key("reason", "user")  # "user", or "idle" for the automatic logout


@dataclass(frozen=True, kw_only=True)
class MasterDataChanged(AuditedEvent):
    """A master-data row added or changed by an import: its kind (user, lot, equipment ...),
    its key, and the values before and after (only the changed ones for a change)."""

    ACTION: ClassVar[str] = "master.*.added"

    kind: str = at(Place.ENTITY_TYPE, "")
    entity: str | None = at(Place.ENTITY_ID)
    change: Literal["added", "changed"] = field(default="added", metadata={"place": Place.RECORD})
    before: Mapping[str, Any] | None = field(default=None, metadata={"place": Place.RECORD})
    after: Mapping[str, Any] = field(default_factory=dict, metadata={"place": Place.RECORD})
    note: str | None = at(Place.REASON)
    seal: str | None = field(default=None, metadata={"place": Place.RECORD})  # see UserEvent

    @property
    def action(self) -> str:
        return f"master.{self.kind}.{self.change}"

    # The values go to the chain as the import read them (dates, decimals, times): the chain's
    # canonical form writes them, as it always has for master data.
    def new_value(self) -> dict[str, Any] | None:
        return {**self.after, "seal": self.seal} if self.seal is not None else dict(self.after)

    def old_value(self) -> dict[str, Any] | None:
        return None if self.before is None else dict(self.before)

    @classmethod
    def _decode_extra(cls, event: Stored) -> dict[str, Any]:
        after = dict(event.new_value) if isinstance(event.new_value, Mapping) else {}
        seal = after.pop("seal", None)
        return {
            "change": "changed" if event.action.endswith(".changed") else "added",
            "before": event.old_value if isinstance(event.old_value, Mapping) else None,
            "after": after,
            "seal": seal if isinstance(seal, str) else None,
        }

    @classmethod
    def matches(cls, action: str) -> bool:
        return action.startswith("master.") and action.endswith((".added", ".changed"))


@dataclass(frozen=True, kw_only=True)
class MasterDataSealed(AuditedEvent):
    """A master-data row sealed as found, by the upgrade that put master data under the chain
    (the row was written before events carried seals). Attributed to no user: the note says
    what sealed it."""

    ACTION: ClassVar[str] = "master.sealed"

    kind: str = at(Place.ENTITY_TYPE, "")
    entity: str | None = at(Place.ENTITY_ID)
    seal: str
    note: str | None = at(Place.REASON)


@dataclass(frozen=True, kw_only=True)
class RecipeImported(AuditedEvent):
    ACTION: ClassVar[str] = "recipe.imported"
    ENTITY: ClassVar[str] = "recipe"
    RECORD: ClassVar[type[models.Base] | None] = models.Recipe

    code: str
    version: int
    content_hash: str
    title: str | None = at(Place.RECORD)
    product_code: str | None = at(Place.RECORD)
    product_name: str | None = at(Place.RECORD)
    source_text: str | None = at(Place.RECORD)
    # The instruction images, by SHA-256, base64: kept with the version, in the hashed event.
    images: dict[str, str] | None = optional()

    @property
    def entity_id(self) -> str | None:
        return f"{self.code}/{self.version}"

    def row(self, *, stream: str, user_id: str | None, now: dt.datetime) -> models.Base:
        assert user_id is not None and self.source_text is not None
        return models.Recipe(
            code=self.code,
            version=self.version,
            title=self.title,
            product_code=self.product_code,
            product_name=self.product_name,
            content_hash=self.content_hash,
            source_text=self.source_text,
            imported_by=user_id,
            imported_at=now,
        )


@dataclass(frozen=True, kw_only=True)
class StoreRestored(AuditedEvent):
    """The store was replaced by a verified backup (``mes-station db restore``), by the
    administrator who authorised it: the first event after the backup's own. ``note`` says
    which copy (its SHA-256 and chain head) and whether it was forced past the hub's receipt."""

    ACTION: ClassVar[str] = "store.restored"
    ENTITY: ClassVar[str] = "store"

    backup: str = at(Place.ENTITY_ID, "")
    note: str | None = at(Place.REASON)


@dataclass(frozen=True, kw_only=True)
class ChainIdentified(AuditedEvent):
    """The chain's genesis for the central hub: its id (``chain_identity``) and the station that
    writes it, recorded once, before the first push (``ebr.sync.identity``). The hub addresses
    every event of this store as (chain id, seq)."""

    ACTION: ClassVar[str] = "chain.identified"
    ENTITY: ClassVar[str] = "chain"

    chain_id: str = at(Place.ENTITY_ID, "")
    station: str


@dataclass(frozen=True, kw_only=True)
class SitePolicyChanged(AuditedEvent):
    """A site policy set or cleared (``mes-station policy set``) by an authenticated QA person
    or administrator; the newest such event of a policy is its value (``ebr.site_policy``).
    ``value`` None: the policy is off."""

    ACTION: ClassVar[str] = "site.policy.changed"
    ENTITY: ClassVar[str] = "site_policy"

    policy: str = at(Place.ENTITY_ID, "")
    value: str | None = None
    was: str | None = at(Place.OLD, key="value")
    note: str | None = at(Place.REASON)


SITE_EVENTS: tuple[type[AuditedEvent], ...] = (
    LoginSucceeded,
    AuthenticationFailed,
    UserLocked,
    FailedAttemptsReset,
    UserUnlocked,
    UserDeactivated,
    PasswordChanged,
    PasswordReset,
    LoggedOut,
    MasterDataChanged,
    MasterDataSealed,
    RecipeImported,
    StoreRestored,
    ChainIdentified,
    PasswordExpired,
    SitePolicyChanged,
)
