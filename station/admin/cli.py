"""Registers the administration commands on the station's parser::

user password USER                                    # one's own password (current, then new)
user unlock|reset|deactivate USER --user ACTOR --reason TEXT
label print BATCH STEP --user U [--printer tcp://HOST:9100|FILE.pdf]
audit show [--batch B | --site] [--user U] [--since T] [--until T] [--action A] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
from typing import Any

from station import credentials


def register(sub: Any) -> None:
    user = sub.add_parser("user", help="user administration (authenticated, e-signed, audited)")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", parser_class=sub._parser_class)
    usub.required = True
    p = usub.add_parser("password", help="change one's own password: the current one, then the new one")
    p.add_argument("target", metavar="USER")
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help="the current password on the first line, the new one on the second; else standard input "
        "(two lines), else prompts",
    )
    _db(p)
    p.set_defaults(func=_run("user_password"))
    for action, roles in (("unlock", "supervisor or admin"), ("reset", "admin"), ("deactivate", "admin")):
        p = usub.add_parser(action, help=f"{action} an account ({roles}; a reason is mandatory)")
        p.add_argument("target", metavar="USER")
        credentials.add_options(p, who=f"who does it ({roles})")
        p.add_argument("--reason", required=True, help="why (in the record)")
        _db(p)
        p.set_defaults(func=_run(f"user_{action}"))

    label = sub.add_parser("label", help="dispense labels")
    lsub = label.add_subparsers(dest="label_command", metavar="ACTION", parser_class=sub._parser_class)
    lsub.required = True
    p = lsub.add_parser("print", help="print (or reprint) the dispense label of an accepted weighing")
    p.add_argument("batch", metavar="BATCH")
    p.add_argument("step", metavar="STEP")
    credentials.add_options(p, who="who prints it (operator, supervisor or QA)")
    p.add_argument(
        "--printer",
        metavar="tcp://HOST:9100|FILE.pdf",
        help="a ZPL label printer, or a PDF file (default: a PDF in the label folder)",
    )
    _db(p)
    p.set_defaults(func=_run("label_print"))

    audit = sub.add_parser("audit", help="the audit trail")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=sub._parser_class)
    asub.required = True
    p = asub.add_parser("show", help="audit-trail lines, oldest first (read-only)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--batch", metavar="BATCH", help="one batch's stream")
    where.add_argument("--site", action="store_true", help="the site stream: logins, users, master data")
    p.add_argument("--user", dest="by_user", metavar="USER", help="events of this user")
    p.add_argument(
        "--action", action="append", default=[], metavar="A", help="an action, or a prefix ending in '.'"
    )
    p.add_argument("--since", metavar="TIME", help="ISO 8601 (UTC unless it names an offset)")
    p.add_argument("--until", metavar="TIME", help="ISO 8601 (UTC unless it names an offset)")
    p.add_argument("--limit", type=int, default=1000, metavar="N", help="the newest N lines (default 1000)")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    _db(p)
    p.set_defaults(func=_run("audit_show"))


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: MES_STATION_DB or a SQLite file)")


def _run(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from station.admin import commands

        return int(getattr(commands, name)(args))

    return run
