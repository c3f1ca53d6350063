"""The bodies of ``mes-station user ...`` and ``mes-station audit show``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ebr.errors import NotAllowed, NotFound, PasswordRejected
from ebr.password_policy import PasswordReused
from station.commands import _acting, _store
from station.credentials import read_passwords
from station.errors import CommandError, UsageError


def user_password(args: argparse.Namespace) -> int:
    """One's own password: the current one (checked like a login), then the new one."""
    from ebr import users

    old, new = read_passwords(args, args.target, ("current password", "new password"))
    db = _store(args)
    checked = users.check_password(db, args.target, old)  # the slow parts outside the write lock
    new_hash = users.prehash(new) if checked.matched else None
    reuse = users.check_reuse(db, args.target, new) if checked.matched else None
    with db.unit_of_work() as uow:
        try:
            result = users.set_password(
                uow, args.target, old, new, checked=checked, new_hash=new_hash, reuse=reuse
            )
        except PasswordReused as reused:
            users.record_password_refused(uow, args.target, reused)
            uow.commit()
            raise CommandError(f"user password: {reused.code}: {reused}", 1) from None
        except PasswordRejected as exc:
            raise CommandError(f"user password: {exc}", 1) from None
        uow.commit()  # a failed check of the current password is on record too
    if not result.ok:
        raise CommandError(f"user password: {result.message}", 1)
    print(f"{args.target}: password changed")
    return 0


def _administer(args: argparse.Namespace, task: str) -> str | None:
    """Unlock, reset or deactivate ``args.target`` for the authenticated ``--user`` (the same
    path as the touchscreen's users page: ``ebr.user_admin``); the temporary password of a reset."""
    from ebr.user_admin import ROLES, administer, describe

    if not args.reason.strip():
        raise UsageError(f"user {args.user_command}: --reason must say why")
    db = _store(args)
    with _acting(db, args, roles=ROLES[task], what=describe(task, args.target)) as (uow, actor):
        try:
            done = administer(uow, task, args.target, by=actor.id, reason=args.reason)
        except (NotAllowed, NotFound, PasswordRejected) as exc:
            uow.commit()  # the refusal is on record
            raise CommandError(f"user {args.user_command}: {exc}", 1) from None
        uow.commit()
    return done.temporary


def user_unlock(args: argparse.Namespace) -> int:
    _administer(args, "unlock")
    print(f"{args.target}: unlocked")
    return 0


def user_deactivate(args: argparse.Namespace) -> int:
    _administer(args, "deactivate")
    print(f"{args.target}: deactivated (the account stays in the record; its id is never reused)")
    return 0


def user_reset(args: argparse.Namespace) -> int:
    """A temporary password, made here and shown once: the user must change it at first login."""
    temporary = _administer(args, "reset")
    print(f"{args.target}: temporary password {temporary} (shown once; to be changed at the next login)")
    return 0


def label_print(args: argparse.Namespace) -> int:
    """A dispense label, printed or reprinted by an authenticated person (audited)."""
    from station.exports import print_dispense_label

    db = _store(args)
    with _acting(db, args, roles=("operator", "supervisor", "qa"), what="print labels") as (uow, actor):
        uow.commit()  # the authentication (and a reset of failed attempts) is on record
    with db.unit_of_work(read_only=True) as uow:
        if uow.batch(args.batch) is None:
            raise CommandError(f"label print: batch {args.batch} is not in the database")
    where = print_dispense_label(db, args.batch, args.step, user=actor.id, printer=args.printer)
    print(f"{args.batch} {args.step}: dispense label printed to {where}")
    return 0


def _when(text: str | None, option: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"audit show: {option} {text!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def audit_show(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("audit show: --limit must be at least 1")
    since, until = _when(args.since, "--since"), _when(args.until, "--until")
    stream = args.batch or ("site" if args.site else None)
    db = _store(args, read_only=True)
    with db.unit_of_work(read_only=True) as uow:
        if args.batch and uow.batch(args.batch) is None:
            raise CommandError(f"audit show: batch {args.batch} is not in the database")
        lines = uow.trail(
            stream=stream,
            user_id=args.by_user,
            actions=args.action,
            since=since,
            until=until,
            limit=args.limit,
        )
    for line in lines:
        if args.json:
            print(json.dumps(line.to_json(), ensure_ascii=False, default=str))
            continue
        entity = f"{line.entity_type}:{line.entity_id}" if line.entity_id else line.entity_type
        change = ""
        if line.old_value is not None or line.new_value is not None:
            change = (
                f" {json.dumps(line.old_value, default=str)} -> {json.dumps(line.new_value, default=str)}"
            )
        print(
            f"{line.seq:>7} {line.at} {line.stream} {line.user_id or '-'} {line.action} {line.outcome} "
            f"{entity}{' ' + repr(line.reason) if line.reason else ''}{change}"
        )
    if not lines:
        print("no events match", file=sys.stderr)
    return 0
