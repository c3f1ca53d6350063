"""Users: passwords (argon2id), authentication with lockout, unlock, deactivate.

A password is never stored, logged or put in an audit event: only its argon2id hash
(argon2-cffi ``PasswordHasher``) is kept, in ``users.password_hash``. Every change to a
user row writes an audit event with the old and the new value (the hash itself is
never among them).

Lockout: 5 consecutive failed attempts (at login or at an e-signature) lock the
account; it stays locked until a supervisor or an admin unlocks it.

Failed attempts are written into the unit of work like everything else: the caller
must commit the unit of work after a refusal too, or the failure is not on record.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ebr import events as ev
from ebr import password_policy as pp
from ebr.audit import SITE_STREAM
from ebr.errors import NotAllowed, NotFound, PasswordRejected
from ebr.facts import Actor
from ebr.master_seal import seal_of
from ebr.models import User
from ebr.uow import UnitOfWork, actor_of
from gating import rules
from gating import wording as W
from gating.wording import Wording, wording

if TYPE_CHECKING:
    from ebr.database import Database

MAX_FAILED_ATTEMPTS = 5
MIN_PASSWORD_LENGTH = pp.DEFAULT.min_length  # the site's policy may ask for more

#: Argon2id at OWASP's recommended minimum for interactive logins (19 MiB, 2 passes, 1 lane).
#: Every e-signature at the line re-checks a password, so the check must fit a tap: about 40 ms
#: here, where argon2-cffi's RFC 9106 low-memory default (64 MiB, 3 passes, 4 lanes) took about
#: 250 ms. A stored hash names its own parameters, so hashes made with others still verify.
#: Tests may swap in cheaper parameters.
ARGON2_PARAMETERS: dict[str, int] = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
_hasher = PasswordHasher(
    time_cost=ARGON2_PARAMETERS["time_cost"],
    memory_cost=ARGON2_PARAMETERS["memory_cost"],
    parallelism=ARGON2_PARAMETERS["parallelism"],
)

Purpose = Literal["login", "signature"]


def hash_password(password: str) -> str:
    """The argon2id hash of a password, as stored."""
    return _hasher.hash(password)


def _matches(password_hash: str | None, password: str) -> bool:
    if not password_hash or not password:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A password checked before the write transaction is tied to its check by a keyed digest that
# lives only in this process: the check cannot be handed on with another password.
_CHECK_KEY = os.urandom(32)


def _fingerprint(user_or_badge: str, password: str) -> bytes:
    return hmac.new(_CHECK_KEY, f"{user_or_badge}\0{password}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class PasswordCheck:
    """A password verified against the stored hash before the write transaction began.

    Argon2 is slow on purpose (tens of milliseconds); verifying inside a write transaction
    would hold the store's write lock that long, and forty stations signing at once would
    queue behind each other until some gave up ("database is locked"). ``check_password``
    does the slow part in a read transaction, and ``authenticate`` uses its answer while the
    stored hash is still the one checked (else it verifies again, inside)."""

    fingerprint: bytes
    password_hash: str | None
    matched: bool

    def answers(self, user_or_badge: str, password: str, stored_hash: str | None) -> bool:
        return self.password_hash == stored_hash and hmac.compare_digest(
            self.fingerprint, _fingerprint(user_or_badge, password)
        )


def check_password(db: Database, user_or_badge: str, password: str) -> PasswordCheck:
    """Verify a password outside any write transaction (see ``PasswordCheck``)."""
    with db.unit_of_work(read_only=True) as uow:
        row = uow.user_row(user_or_badge)
        stored = None if row is None else row.password_hash
    return PasswordCheck(_fingerprint(user_or_badge, password), stored, _matches(stored, password))


def prehash(password: str) -> str:
    """A new password's hash, made before the write transaction (see ``PasswordCheck``)."""
    return hash_password(password)


@dataclass(frozen=True)
class CheckedPasswords:
    """What an action's passwords came to before its write transaction: the check of the
    password it authenticates with, and the hash of a new password it sets."""

    check: PasswordCheck | None = None
    new_hash: str | None = None
    reuse: pp.ReuseCheck | None = None  # the new password compared with the user's history


@dataclass(frozen=True)
class AuthResult:
    """``ok`` with the user, or a refusal: ``code`` is ``login_invalid`` or ``account_locked``."""

    ok: bool
    user: Actor | None
    code: str | None = None
    message: str = ""
    # The message as a template and its values, for a station that speaks another language.
    wording: Wording | None = field(default=None, compare=False)
    #: The password is past the policy's maximum age: it must be changed before anything else.
    password_expired: bool = False

    @property
    def must_change_password(self) -> bool:
        return bool(self.user and self.user.must_change_password)


def _refused(code: str, worded: Wording) -> AuthResult:
    return AuthResult(False, None, code, worded.text(), worded)


def authenticate(
    uow: UnitOfWork,
    user_or_badge: str,
    password: str,
    *,
    purpose: Purpose = "login",
    checked: PasswordCheck | None = None,
) -> AuthResult:
    """Check a user id (or badge) and password. Audited either way; commit the unit of work.

    ``purpose="signature"`` is the re-authentication of an e-signature: the same checks
    and lockout, audited as ``signature.auth_failed`` rather than ``login.failed``.
    ``checked``: the answer of ``check_password`` made before this unit of work began."""
    row = uow.user_row(user_or_badge)

    def failed(user_id: str | None, who: str, note: str, before: int | None = None) -> None:
        now = None if before is None else before + 1
        seal = None if now is None or row is None else _seal(uow, row)  # only a count changed the row
        event = ev.AuthenticationFailed(
            user=who, note=note, purpose=purpose, failed_before=before, failed_attempts=now, seal=seal
        )
        uow.write(event, stream=SITE_STREAM, user_id=user_id)

    if row is None:
        failed(None, user_or_badge, "login_invalid: unknown user")
        return _refused("login_invalid", wording(W.UNKNOWN_OR_WRONG))
    if not row.active:
        failed(row.id, row.id, "login_invalid: account deactivated")
        return _refused("login_invalid", wording(W.DEACTIVATED, user=row.name))
    if row.locked:
        failed(row.id, row.id, "account_locked")
        return _refused("account_locked", wording(W.LOCKED_UNLOCK, user=row.name))
    if checked is not None and checked.answers(user_or_badge, password, row.password_hash):
        matched = checked.matched
    else:
        matched = _matches(row.password_hash, password)
    if not matched:
        before = row.failed_attempts
        row.failed_attempts = before + 1
        failed(row.id, row.id, "login_invalid: wrong password", before)
        if row.failed_attempts >= MAX_FAILED_ATTEMPTS:
            row.locked = True
            note = f"{MAX_FAILED_ATTEMPTS} consecutive failed attempts"
            locked = ev.UserLocked(user=row.id, note=note, seal=_seal(uow, row))
            uow.write(locked, stream=SITE_STREAM, user_id=None)
            uow.session.flush()
            return _refused(
                "account_locked", wording(W.LOCKED_NOW, user=row.name, attempts=MAX_FAILED_ATTEMPTS)
            )
        uow.session.flush()
        return _refused("login_invalid", wording(W.UNKNOWN_OR_WRONG))
    if row.failed_attempts:
        before = row.failed_attempts
        row.failed_attempts = 0
        reset = ev.FailedAttemptsReset(
            user=row.id, failed_before=before, note=f"successful {purpose}", seal=_seal(uow, row)
        )
        uow.write(reset, stream=SITE_STREAM, user_id=row.id)
    if purpose == "login":
        uow.write(ev.LoginSucceeded(user=row.id), stream=SITE_STREAM, user_id=row.id)
    expired = _expire_if_aged(uow, row)
    uow.session.flush()
    return AuthResult(True, actor_of(row), None, f"{row.name} authenticated.", password_expired=expired)


def _expire_if_aged(uow: UnitOfWork, row: User) -> bool:
    """Whether the user's password is past the policy's maximum age; the first time it is found
    so, the account is marked to change it (audited, like an initial password)."""
    policy = pp.policy_of(uow.session)
    if policy.max_age_days is None or not pp.is_aged(policy, pp.set_at(uow.session, row.id)):
        return False
    if not row.must_change_password:
        row.must_change_password = True
        note = f"the password is older than {policy.max_age_days} days"
        expired = ev.PasswordExpired(user=row.id, note=note, seal=_seal(uow, row))
        uow.write(expired, stream=SITE_STREAM, user_id=None)
    return True


def _seal(uow: UnitOfWork, row: User) -> str:
    """The user's row as it stands after a change, sealed into the event that made it."""
    return seal_of(row, uow.connection.dialect)


def _require(uow: UnitOfWork, user_id: str) -> User:
    row = uow.user_row(user_id)
    if row is None or row.id != user_id:
        raise NotFound(f"no user {user_id!r}")
    return row


def _require_actor(uow: UnitOfWork, by: str, roles: tuple[str, ...], what: str) -> User:
    actor = _require(uow, by)
    if not actor.active or actor.locked:
        raise NotAllowed(f"{by} cannot {what}: the account is not active", "role_required")
    if not set(actor.roles) & set(roles):
        raise NotAllowed(f"{by} cannot {what}: needs the role {' or '.join(roles)}", "role_required")
    return actor


def unlock_user(uow: UnitOfWork, user_id: str, *, by: str, reason: str) -> None:
    """Unlock a locked account (a supervisor or an admin, with a reason). Audited."""
    actor = _require_actor(uow, by, ("supervisor", "admin"), "unlock accounts")
    if not reason.strip():
        raise NotAllowed("unlocking an account needs a reason")
    row = _require(uow, user_id)
    if row.id == actor.id:
        raise NotAllowed("nobody may unlock their own account", "independent_signer_required")
    if not row.locked:
        raise NotAllowed(f"the account of {user_id} is not locked")
    before = row.failed_attempts
    row.locked, row.failed_attempts = False, 0
    unlocked = ev.UserUnlocked(user=row.id, failed_before=before, note=reason, seal=_seal(uow, row))
    uow.write(unlocked, stream=SITE_STREAM, user_id=actor.id)
    uow.session.flush()


def deactivate_user(uow: UnitOfWork, user_id: str, *, by: str, reason: str) -> None:
    """Deactivate a user (an admin, with a reason). Users are never deleted and ids never reused."""
    actor = _require_actor(uow, by, ("admin",), "deactivate users")
    if not reason.strip():
        raise NotAllowed("deactivating a user needs a reason")
    row = _require(uow, user_id)
    if not row.active:
        return
    row.active = False
    deactivated = ev.UserDeactivated(user=row.id, note=reason, seal=_seal(uow, row))
    uow.write(deactivated, stream=SITE_STREAM, user_id=actor.id)
    uow.session.flush()


#: The default number of kinds of character a password holds (``ebr.password_policy``).
MIN_CHARACTER_CLASSES = pp.DEFAULT.min_classes


def check_password_rules(user_id: str, password: str, policy: pp.PasswordPolicy = pp.DEFAULT) -> None:
    """The site's password rules (21 CFR 11.300): long enough, of several kinds of character,
    not the user id nor holding it. Raises PasswordRejected with the rule that failed."""
    pp.check_rules(policy, user_id, password)


def set_password(
    uow: UnitOfWork,
    user_id: str,
    old_password: str,
    new_password: str,
    *,
    checked: PasswordCheck | None = None,
    new_hash: str | None = None,
    reuse: pp.ReuseCheck | None = None,
) -> AuthResult:
    """A user sets their own password (e.g. the imported initial one at first login).

    The old password is checked like a login (failures count towards the lockout); on
    success the new hash is stored and ``must_change_password`` cleared. Audited.
    ``checked`` and ``new_hash`` (``check_password``, ``prehash``): the slow work, done
    before the unit of work began."""
    result = authenticate(uow, user_id, old_password, purpose="signature", checked=checked)
    if not result.ok:
        return result
    row = _require(uow, user_id)
    policy = pp.policy_of(uow.session)
    check_password_rules(row.id, new_password, policy)
    if new_password == old_password:  # the old one just matched: the same text is the same password
        raise PasswordRejected("the new password must differ from the old one")
    hashes = pp.candidates(uow.session, row.id, row.password_hash)
    if reuse is None or not reuse.answers(row.id, new_password, hashes):
        reuse = pp.compare(row.id, new_password, hashes, _matches)  # the history moved: again, here
    for refused in rules.check_password_not_reused(row.name, reuse.reused, policy.history):
        assert refused.wording is not None
        raise pp.PasswordReused(refused.wording)
    if new_hash is None or not _matches(new_hash, new_password):
        new_hash = hash_password(new_password)
    row.password_hash = new_hash
    pp.remember(uow.session, row.id, new_hash)
    old_flag = row.must_change_password
    row.must_change_password = False
    changed = ev.PasswordChanged(
        user=row.id, had_to_change=old_flag, note="set by the user", seal=_seal(uow, row)
    )
    uow.write(changed, stream=SITE_STREAM, user_id=row.id)
    uow.session.flush()
    return AuthResult(True, actor_of(row), None, "Password changed.")


def reset_password(uow: UnitOfWork, user_id: str, new_password: str, *, by: str, reason: str) -> None:
    """An admin sets a temporary password: the user must change it at the next login."""
    actor = _require_actor(uow, by, ("admin",), "reset passwords")
    row = _require(uow, user_id)
    check_password_rules(row.id, new_password, pp.policy_of(uow.session))
    row.password_hash = hash_password(new_password)
    pp.remember(uow.session, row.id, row.password_hash)
    old_flag = row.must_change_password
    row.must_change_password = True
    reset = ev.PasswordReset(user=row.id, had_to_change=old_flag, note=reason, seal=_seal(uow, row))
    uow.write(reset, stream=SITE_STREAM, user_id=actor.id)
    uow.session.flush()


def record_refused(
    uow: UnitOfWork,
    user_id: str | None,
    refusals: tuple[tuple[str, str], ...],
    attempt: dict[str, Any],
    *,
    attempted: str = ev.Attempt.COMMAND,
    subject_type: str = "user",
    subject: str | None = None,
) -> None:
    """One audit event in the site stream for a command refused to ``user_id``: every reason
    (code, sentence) and what was attempted. The caller commits."""
    event = ev.ActionRefused(
        attempted=attempted,
        refusals=tuple(ev.RefusalNote(code, sentence) for code, sentence in refusals),
        attempt=attempt,
        subject_type=subject_type,
        subject=subject,
        note=f"{refusals[0][0]}: {refusals[0][1]}" if refusals else None,
    )
    uow.write(event, stream=SITE_STREAM, user_id=user_id)


def record_password_refused(uow: UnitOfWork, user_id: str, reused: pp.PasswordReused) -> None:
    """The refusal of a new password the policy does not take, on record (the caller commits)."""
    record_refused(
        uow,
        user_id,
        ((reused.code, str(reused)),),
        {"what": "change the password"},
        attempted=ev.Attempt.PASSWORD_CHANGE,
        subject=user_id,
    )


def check_reuse(db: Database, user_id: str, new_password: str) -> pp.ReuseCheck:
    """A new password compared with the user's last ones, outside any write transaction."""
    return pp.check_reuse(db, user_id, new_password, _matches)


def authenticate_actor(
    uow: UnitOfWork,
    user_id: str,
    password: str,
    *,
    roles: tuple[str, ...],
    what: str,
    checked: PasswordCheck | None = None,
    allow_initial_password: bool = False,
) -> Actor:
    """The person a command acts for: an active user, the password right, holding one of
    ``roles``, and (unless ``allow_initial_password``) no longer on the imported initial
    password. Everything refused is audited in the site stream (commit the unit of work
    either way); raises NotAllowed with the reason code."""
    result = authenticate(uow, user_id, password, purpose="signature", checked=checked)
    if not result.ok or result.user is None:
        code = "account_locked" if result.code == "account_locked" else "login_invalid"
        raise NotAllowed(f"{what}: {result.message}", code)
    actor = result.user

    def refuse(code: str, message: str) -> NotAllowed:
        record_refused(uow, actor.id, ((code, message),), {"what": what}, subject=actor.id)
        return NotAllowed(message, code)

    if actor.must_change_password and not allow_initial_password and result.password_expired:
        max_age = pp.policy_of(uow.session).max_age_days
        age = pp.age(pp.set_at(uow.session, actor.id))
        for expired in rules.check_password_age(actor.name, age, max_age):
            raise refuse(
                expired.code, f"{expired.sentence} (mes-station user password {actor.id}), then {what}"
            )
    if actor.must_change_password and not allow_initial_password:
        raise refuse(
            "password_change_required",
            f"{actor.name} still has the initial password: change it first "
            f"(mes-station user password {actor.id}), then {what}",
        )
    if not set(actor.roles) & set(roles):
        raise refuse("role_required", f"{actor.name} may not {what}: it needs the role {' or '.join(roles)}")
    return actor
