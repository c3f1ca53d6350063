"""The site's password policy (21 CFR 11.300): length, kinds of character, no reuse, ageing.

The policy is master data (``password_policy:`` in the site's master-data file, imported by an
administrator, ``ebr.password_models``); where the master data says nothing the defaults below
apply. A site may make the policy stricter than the defaults, never weaker (the importer
refuses smaller values): the defaults are what the station promises at the least.

The history of password hashes says which passwords a user had and when the current one was
set. Reuse is judged against the last ``history`` of them; argon2 is slow on purpose, so the
comparison is made before the write transaction (``check_reuse``) and only taken over inside
it while the history is still the one compared against (as ``ebr.users.PasswordCheck`` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ebr import clock
from ebr.errors import PasswordRejected
from ebr.password_models import PasswordHistory, PasswordPolicyRow
from gating.rules import check_password_age
from gating.wording import Wording

if TYPE_CHECKING:
    from ebr.database import Database

#: The id of the policy's one row (the key of its master-data entity).
SITE = "site"


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    #: Characters of at least this many of the four kinds: lower-case and upper-case letters,
    #: digits, everything else.
    min_classes: int = 3
    #: A new password may not be any of the user's last ``history`` passwords (the current one
    #: among them).
    history: int = 5
    #: A password older than this many days must be changed at the next login; None: never.
    max_age_days: int | None = None


DEFAULT = PasswordPolicy()


def policy_of(session: Session) -> PasswordPolicy:
    """The site's policy as the store holds it, or the defaults."""
    row = session.scalars(select(PasswordPolicyRow).where(PasswordPolicyRow.id == SITE)).one_or_none()
    if row is None:
        return DEFAULT
    return PasswordPolicy(row.min_length, row.min_classes, row.history, row.max_age_days)


class PasswordReused(PasswordRejected):
    """The new password is one of the user's last passwords (reason code ``password_reused``);
    ``wording``: the sentence as a template and its values, for a station in another language."""

    code = "password_reused"

    def __init__(self, worded: Wording) -> None:
        super().__init__(worded.text())
        self.wording = worded


def character_classes(password: str) -> int:
    return (
        any(c.islower() for c in password)
        + any(c.isupper() for c in password)
        + any(c.isdigit() for c in password)
        + any(not c.isalnum() for c in password)
    )


def check_rules(policy: PasswordPolicy, user_id: str, password: str) -> None:
    """Long enough, of enough kinds of character, not holding the user id. Raises
    PasswordRejected naming the rule that failed."""
    if len(password) < policy.min_length:
        raise PasswordRejected(f"a password needs at least {policy.min_length} characters")
    if character_classes(password) < policy.min_classes:
        raise PasswordRejected(
            f"a password needs characters of at least {policy.min_classes} kinds: lower-case and "
            "upper-case letters, digits, other characters"
        )
    if user_id.lower() in password.lower():
        raise PasswordRejected("the password must not hold the user id")


# ------------------------------------------------------------------ the history


def remember(session: Session, user_id: str, password_hash: str) -> None:
    """A password given to a user (its hash), now: part of the transaction that set it."""
    session.add(PasswordHistory(user_id=user_id, password_hash=password_hash, set_at=clock.utc_now()))


def recent_hashes(session: Session, user_id: str, count: int) -> tuple[str, ...]:
    """The hashes of the user's last ``count`` passwords, newest first."""
    if count < 1:
        return ()
    rows = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user_id)
        .order_by(PasswordHistory.set_at.desc(), PasswordHistory.uid)
        .limit(count)
    )
    return tuple(rows)


def set_at(session: Session, user_id: str) -> dt.datetime | None:
    """When the user's current password was set (None: no history, e.g. a user without one)."""
    return session.scalars(
        select(PasswordHistory.set_at)
        .where(PasswordHistory.user_id == user_id)
        .order_by(PasswordHistory.set_at.desc())
        .limit(1)
    ).first()


def age(since: dt.datetime | None) -> dt.timedelta | None:
    """How old a password set at ``since`` is now, by the system clock (None: not known)."""
    return None if since is None else clock.utc_now() - since


def is_aged(policy: PasswordPolicy, since: dt.datetime | None) -> bool:
    """Whether a password set at ``since`` is past the policy's maximum age (system clock)."""
    return bool(check_password_age("", age(since), policy.max_age_days))


# ------------------------------------------------------------------ reuse, checked outside the lock

_CHECK_KEY = os.urandom(32)


def _fingerprint(user_id: str, password: str) -> bytes:
    return hmac.new(_CHECK_KEY, f"{user_id}\0{password}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class ReuseCheck:
    """A new password compared with the user's history before the write transaction."""

    fingerprint: bytes
    hashes: tuple[str, ...]
    reused: bool

    def answers(self, user_id: str, password: str, hashes: Sequence[str]) -> bool:
        return tuple(hashes) == self.hashes and hmac.compare_digest(
            self.fingerprint, _fingerprint(user_id, password)
        )


def candidates(session: Session, user_id: str, current_hash: str | None) -> tuple[str, ...]:
    """The hashes a new password must match none of: the last ``history`` ones and the current
    one (a user imported before the history existed has only that)."""
    policy = policy_of(session)
    found = recent_hashes(session, user_id, policy.history)
    if current_hash and current_hash not in found:
        found = (current_hash, *found)
    return found


def compare(
    user_id: str, password: str, hashes: Sequence[str], matches: Callable[[str, str], bool]
) -> ReuseCheck:
    return ReuseCheck(
        _fingerprint(user_id, password), tuple(hashes), any(matches(h, password) for h in hashes)
    )


def check_reuse(db: Database, user_id: str, password: str, matches: Callable[[str, str], bool]) -> ReuseCheck:
    """Compare a new password with the user's history, in a read transaction."""
    from ebr.models import User

    with db.unit_of_work(read_only=True) as uow:
        row = uow.session.scalars(select(User).where(User.id == user_id)).one_or_none()
        hashes = () if row is None else candidates(uow.session, row.id, row.password_hash)
    return compare(user_id, password, hashes, matches)
