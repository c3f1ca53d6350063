"""User administration, one path for every front end: unlock, reset (a temporary password to be
changed at the next login) and deactivate, by an authenticated person with the role for it,
with a reason, audited. ``mes-station user unlock|reset|deactivate`` and the touchscreen's
users page (the engine's ``AdministerUser``) both come here, so both write the same events.

Who may do what: unlocking is a supervisor's or an administrator's (a locked operator at the
start of a shift must not wait for IT); reset and deactivate are an administrator's alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from ebr.errors import NotAllowed, NotFound, PasswordRejected
from ebr.uow import UnitOfWork
from ebr.users import deactivate_user, record_refused, reset_password, unlock_user

Task = Literal["unlock", "reset", "deactivate"]
TASKS: tuple[Task, ...] = ("unlock", "reset", "deactivate")

#: The roles each task needs.
ROLES: dict[str, tuple[str, ...]] = {
    "unlock": ("supervisor", "admin"),
    "reset": ("admin",),
    "deactivate": ("admin",),
}


def describe(task: str, target: str) -> str:
    """What the task is, as the record and the refusals say it."""
    if task == "reset":
        return f"reset the password of {target}"
    return f"{task} {target}"


def temporary_password() -> str:
    """A random temporary password, of every kind of character the rules ask for."""
    return f"{secrets.token_urlsafe(9)}-7Q"


@dataclass(frozen=True)
class Administered:
    task: str
    target: str
    #: The temporary password a reset made: shown once to who reset it, stored only as a hash.
    temporary: str | None = None


def administer(uow: UnitOfWork, task: str, target: str, *, by: str, reason: str) -> Administered:
    """Carry out the task for the authenticated ``by`` (``ebr.users.authenticate_actor``).
    A refusal (the role, one's own account, an account not locked, no such user) is recorded
    in the site stream and raised again (NotAllowed, NotFound, PasswordRejected); the caller
    commits either way."""
    if task not in ROLES:
        raise ValueError(f"no such task: {task}")
    temporary = temporary_password() if task == "reset" else None
    try:
        if not reason.strip():
            raise NotAllowed(f"{describe(task, target)}: a reason is needed", "reason_required")
        if task == "unlock":
            unlock_user(uow, target, by=by, reason=reason)
        elif task == "reset":
            assert temporary is not None
            reset_password(uow, target, temporary, by=by, reason=reason)
        else:
            deactivate_user(uow, target, by=by, reason=reason)
    except (NotAllowed, NotFound, PasswordRejected) as exc:
        code = str(getattr(exc, "code", "not_allowed"))
        attempt = {"what": describe(task, target), "target": target, "reason": reason}
        record_refused(uow, by, ((code, str(exc)),), attempt, subject=target)
        raise
    return Administered(task, target, temporary)
