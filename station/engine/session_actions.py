"""Logging in and out, and setting a new password: the station's session, not the batch.

A log-in is checked (and audited) by the record store (``ebr.users``); the engine only
remembers who is logged in, as the gates see them.
"""

from __future__ import annotations

from ebr import events as ev
from ebr import users
from ebr.audit import SITE_STREAM
from ebr.database import Database
from ebr.password_policy import PasswordReused
from gating.reasons import WHAT_NEXT, ReasonCode, Refusal
from gating.wording import LOGIN_WRONG, SIGNATURE_WRONG, Wording, wording
from hardware.barcodes.decoder import PlainId, decode_scan
from station.engine import api
from station.engine.answers import Result
from station.engine.context import Context


def _login_name(action: api.Login) -> str:
    who = action.user or action.badge or ""
    if action.badge:
        scanned = decode_scan(action.badge)
        if isinstance(scanned, PlainId):
            who = scanned.value
    return who


def check_passwords(db: Database, action: object) -> users.CheckedPasswords:
    """The slow part of an action's passwords, done before its write transaction: the
    password it authenticates with checked, and a new password hashed."""
    if isinstance(action, api.Login):
        return users.CheckedPasswords(users.check_password(db, _login_name(action), action.password))
    if isinstance(action, (api.Sign, api.Override, api.Decide, api.AdministerUser)):
        return users.CheckedPasswords(users.check_password(db, action.user, action.password))
    if isinstance(action, api.Weigh) and action.witness is not None:
        return users.CheckedPasswords(users.check_password(db, action.witness.user, action.witness.password))
    if isinstance(action, api.ChangePassword):
        check = users.check_password(db, action.user, action.old_password)
        if not check.matched:
            return users.CheckedPasswords(check)
        fresh = users.prehash(action.new_password)
        return users.CheckedPasswords(check, fresh, users.check_reuse(db, action.user, action.new_password))
    return users.CheckedPasswords()


def login(action: api.Login, ctx: Context) -> Result:
    who = _login_name(action)
    with ctx.db.unit_of_work() as uow:
        result = users.authenticate(uow, who, action.password, checked=ctx.passwords.check)
        uow.commit()
    if not result.ok or result.user is None:
        refusal = auth_refusal(result, login=True)
        return Result("refused", refusal.sentence, (refusal,))
    account = result.user
    ctx.session.user = account.for_gates()
    ctx.session.must_change_password = account.must_change_password
    return Result("done", f"{account.name} logged in")


def logout(action: api.Logout, ctx: Context) -> Result:
    user = ctx.session.user
    if user is not None:
        with ctx.db.unit_of_work() as uow:
            event = ev.LoggedOut(
                user=user.user_id,
                station=ctx.settings.station,
                why=action.reason or "user",
                note=action.reason or None,
            )
            uow.write(event, stream=SITE_STREAM, user_id=user.user_id)
            uow.commit()
    ctx.session.user = None
    ctx.session.must_change_password = False
    return Result("done", "logged out")


def change_password(action: api.ChangePassword, ctx: Context) -> Result:
    with ctx.db.unit_of_work() as uow:
        try:
            result = users.set_password(
                uow,
                action.user,
                action.old_password,
                action.new_password,
                checked=ctx.passwords.check,
                new_hash=ctx.passwords.new_hash,
                reuse=ctx.passwords.reuse,
            )
        except PasswordReused as reused:
            # Refused by the policy (the password itself was right): on record, and said so.
            users.record_password_refused(uow, action.user, reused)
            uow.commit()
            code = ReasonCode.PASSWORD_REUSED
            refusal = Refusal(code, str(reused), False, WHAT_NEXT[code], reused.wording)
            return Result("refused", refusal.sentence, (refusal,))
        uow.commit()
    if not result.ok:
        refusal = auth_refusal(result, login=True)
        return Result("refused", refusal.sentence, (refusal,))
    if ctx.user_id == action.user:
        ctx.session.must_change_password = False
    return Result("done", "password changed")


def auth_refusal(result: users.AuthResult, *, login: bool) -> Refusal:
    """The refusal of a failed log-in or signature."""
    worded: Wording | None = result.wording
    if result.code == "account_locked":
        reason = ReasonCode.ACCOUNT_LOCKED
    elif login:
        reason = ReasonCode.LOGIN_INVALID
    else:
        # A signature does not say whether the user id or the password was wrong.
        reason, worded = ReasonCode.SIGNATURE_INVALID, wording(SIGNATURE_WRONG)
    if worded is None:  # every failed AuthResult carries its wording; this is the safe default
        worded = wording(LOGIN_WRONG)
    return Refusal(reason, worded.text(), False, WHAT_NEXT.get(reason, ""), worded)
