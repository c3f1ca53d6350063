"""`mes-station policy show` and `policy set NAME VALUE --user U --reason TEXT`: the site
policies kept in the record (``ebr.site_policy``), set by an authenticated QA person or
administrator and audited with the value before and after.

Registered by ``station.cli`` (``register``)."""

from __future__ import annotations

import argparse
from typing import Any

from station import credentials
from station.errors import UsageError


def register(sub: Any) -> None:
    from station.cli import _db_arg

    policy = sub.add_parser("policy", help="site policies kept in the record (QA or admin, audited)")
    psub = policy.add_subparsers(dest="policy_command", metavar="ACTION", parser_class=sub._parser_class)
    psub.required = True
    p = psub.add_parser("show", help="every site policy and its value")
    _db_arg(p)
    p.set_defaults(func=policy_show)
    p = psub.add_parser("set", help="set a policy (sync_stale_limit: 30min, 8h, 2d or off)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("value", metavar="VALUE")
    credentials.add_options(p, who="who sets it (qa or admin)")
    p.add_argument("--reason", required=True, help="why (in the record)")
    _db_arg(p)
    p.set_defaults(func=policy_set)


def policy_show(args: argparse.Namespace) -> int:
    from ebr import site_policy
    from station.commands import _store

    db = _store(args, read_only=True)
    with db.unit_of_work(read_only=True) as uow:
        for name in sorted(site_policy.POLICIES):
            print(f"{name} = {site_policy.current(uow, name) or 'off'}")
    return 0


def policy_set(args: argparse.Namespace) -> int:
    from ebr import site_policy
    from station.commands import _acting, _store

    try:  # a bad name or value is bad usage, before any password is asked for
        wanted = site_policy.normalise(args.name, args.value)
    except site_policy.PolicyInvalid as exc:
        raise UsageError(f"policy set: {exc}") from None
    if not args.reason.strip():
        raise UsageError("policy set: --reason must say why")
    db = _store(args)
    with _acting(db, args, roles=("qa", "admin"), what=f"set the site policy {args.name}") as (uow, actor):
        changed = site_policy.set_policy(uow, args.name, args.value, user_id=actor.id, note=args.reason)
        uow.commit()
    shown = wanted or "off"
    if not changed:
        print(f"{args.name} = {shown} already: nothing recorded")
        return 0
    print(f"{args.name} = {shown} (set by {actor.id})")
    return 0
