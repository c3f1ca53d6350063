"""The touchscreen's user administration: unlock, reset, deactivate (``api.AdministerUser``).

The logged-in person signs the task again (user id and password, checked before the write
transaction like every signature) and gives a reason; the store does the rest the way
``mes-station user ...`` does it (``ebr.user_admin``): the same checks, the same events.
"""

from __future__ import annotations

from ebr import user_admin, users
from ebr.errors import NotAllowed, NotFound, PasswordRejected
from gating.reasons import WHAT_NEXT, ReasonCode, Refusal
from gating.wording import SIGNATURE_WRONG, wording
from station.engine import api
from station.engine.answers import ActionError, Result
from station.engine.context import Context


def administer_user(action: api.AdministerUser, ctx: Context) -> Result:
    user = ctx.require_user()
    if action.user != user.user_id:
        raise ActionError(f"{action.user} is not logged in here: the person logged in signs the task")
    if action.task not in user_admin.TASKS:
        raise ActionError(f"no such task: {action.task}")
    what = user_admin.describe(action.task, action.target)
    with ctx.db.unit_of_work() as uow:
        try:
            actor = users.authenticate_actor(
                uow, action.user, action.password, roles=user_admin.ROLES[action.task], what=what,
                checked=ctx.passwords.check,
            )  # fmt: skip
            done = user_admin.administer(uow, action.task, action.target, by=actor.id, reason=action.reason)
        except (NotAllowed, NotFound, PasswordRejected) as exc:
            uow.commit()  # the refusal (or the failed signature) is on record
            return _refused(exc)
        uow.commit()
    if done.temporary is not None:
        return Result("done", f"{action.target}: temporary password {done.temporary}")
    return Result("done", f"{action.target}: {action.task} done")


def _refused(exc: Exception) -> Result:
    code = str(getattr(exc, "code", ""))
    if code == "login_invalid":  # a signature does not say whether the id or the password was wrong
        worded = wording(SIGNATURE_WRONG)
        reason = ReasonCode.SIGNATURE_INVALID
        return Result(
            "refused", worded.text(), (Refusal(reason, worded.text(), False, WHAT_NEXT[reason], worded),)
        )
    if code in set(ReasonCode):
        reason = ReasonCode(code)
        return Result("refused", str(exc), (Refusal(reason, str(exc), False, WHAT_NEXT[reason]),))
    return Result("refused", str(exc))
